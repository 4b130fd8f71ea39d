#!/usr/bin/env bash
# chaos/kill-instance.sh — the first drill: under load, SIGKILL one active cell-app instance.
# The local runtime starts it again and, meanwhile, routes its cell to the cell's warm standby.
# The drill ends with ./unitcell verify of every order acknowledged during it:
# PASS only with zero lost acknowledged orders. Prints the errors seen and the duration.
#
#   chaos/kill-instance.sh [--instance NAME] [--after SECONDS] [--duration D] [--users N] [--rps R]
#     --instance   which instance (default cell-1-zone-a, cell-1's active instance)
#     --after      seconds of load before the kill (default 10)
#     --duration   load duration, e.g. 40s (default 40s)
#     --users/--rps  as for ./unitcell load (defaults 1000 users, 10 requests/s)
set -euo pipefail
cd "$(dirname "$0")/.."

instance=cell-1-zone-a after=10 duration=40s users=1000 rps=10
while (($#)); do
  (($# >= 2)) || { echo "kill-instance: $1 needs a value" >&2; exit 2; }
  case $1 in
    --instance) instance=$2 ;;
    --after) after=$2 ;;
    --duration) duration=$2 ;;
    --users) users=$2 ;;
    --rps) rps=$2 ;;
    *) echo "kill-instance: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done

state=${UNITCELL_STATE:-.unitcell}
say() { printf '%s [drill] %s\n' "$(date +%H:%M:%S)" "$*"; }
./unitcell status >/dev/null || { say "unitcell is not up: ./unitcell up first" >&2; exit 3; }
acked="$state/drill-kill-instance-$(date +%Y%m%d-%H%M%S).txt"
log="$acked.load.log"

started=$(date +%s)
say "load: $users users, $rps requests/s for $duration; killing $instance after ${after}s"
./unitcell load --users "$users" --rps "$rps" --duration "$duration" --acked "$acked" >"$log" 2>&1 &
load=$!
sleep "$after"
say "SIGKILL $instance: $(./unitcell kill "$instance")"
wait "$load" || { say "the load driver failed:"; cat "$log"; exit 1; }
sed -n '/^load report/,$p' "$log"

say "verify every acknowledged order"
if ./unitcell verify "$acked"; then verdict=PASS; else verdict=FAIL; fi
errors=$(sed -n 's/.*requests [0-9]*: ok [0-9]*, errors \([0-9]*\);.*/\1/p' "$log")
say "instance $instance now: $(./unitcell status | grep -o "${instance#*-*-}:[0-9]* [A-Z a-z]*" | head -1 || true)"
say "drill kill-instance: $verdict — ${errors:-?} failed requests during the drill, $(( $(date +%s) - started )) s"
[[ $verdict == PASS ]]
