#!/usr/bin/env bash
# chaos/switchover.sh — a planned zone switchover under load: the cell is fenced (routers hold its
# writes, its instances refuse them), its replica in the other zone catches up, Vitess makes it the
# primary, and the cell serves from its warm standby there. Ends with ./unitcell verify of every
# order acknowledged during it: PASS only with zero lost acknowledged orders and every user still
# in its home cell. Prints the errors seen, the switchover's own duration and the drill's.
#
#   chaos/switchover.sh [--cell NAME] [--to ZONE] [--after SECONDS] [--duration D] [--users N] [--rps R]
#     --cell       which cell (default cell-1)
#     --to         target zone (default: the zone of the cell's warm standby)
#     --after      seconds of load before the switchover (default 10)
#     --duration   load duration, e.g. 40s (default 40s)
#     --users/--rps  as for ./unitcell load (defaults 1000 users, 10 requests/s)
set -euo pipefail
cd "$(dirname "$0")/.."

cell=cell-1 to="" after=10 duration=40s users=1000 rps=10
while (($#)); do
  (($# >= 2)) || { echo "switchover: $1 needs a value" >&2; exit 2; }
  case $1 in
    --cell) cell=$2 ;;
    --to) to=$2 ;;
    --after) after=$2 ;;
    --duration) duration=$2 ;;
    --users) users=$2 ;;
    --rps) rps=$2 ;;
    *) echo "switchover: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done

state=${UNITCELL_STATE:-.unitcell}
say() { printf '%s [drill] %s\n' "$(date +%H:%M:%S)" "$*"; }
./unitcell status >/dev/null || { say "unitcell is not up: ./unitcell up first" >&2; exit 3; }
acked="$state/drill-switchover-$(date +%Y%m%d-%H%M%S).txt"
log="$acked.load.log"

started=$(date +%s)
say "load: $users users, $rps requests/s for $duration; switching $cell over after ${after}s"
./unitcell load --users "$users" --rps "$rps" --duration "$duration" --acked "$acked" >"$log" 2>&1 &
load=$!
sleep "$after"
switched=PASS
./unitcell switchover "$cell" ${to:+--to "$to"} || switched=FAIL
wait "$load" || { say "the load driver failed:"; cat "$log"; exit 1; }
sed -n '/^load report/,$p' "$log"

say "verify every acknowledged order"
if ./unitcell verify "$acked"; then verdict=PASS; else verdict=FAIL; fi
[[ $switched == PASS ]] || { say "the switchover did not finish (see above)"; verdict=FAIL; }
errors=$(sed -n 's/.*requests [0-9]*: ok [0-9]*, errors \([0-9]*\);.*/\1/p' "$log")
say "$cell now: $(./unitcell status | grep "^$cell " || true)"
say "drill switchover: $verdict — ${errors:-?} failed requests during the drill, $(( $(date +%s) - started )) s"
[[ $verdict == PASS ]]
