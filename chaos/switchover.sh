#!/usr/bin/env bash
# chaos/switchover.sh — a planned zone switchover under load: the cell is fenced (routers hold its
# writes, its instances refuse them), its replica in the other zone catches up, Vitess makes it the
# primary, and the cell serves from its warm standby there. Ends with ./unitcell verify of every
# order acknowledged during it: PASS only with zero lost acknowledged orders, every user still in
# its home cell, and the switchover DONE. Prints the errors seen and the durations.
#
#   chaos/switchover.sh [--cell NAME] [--to ZONE] [--after SECONDS] [--duration D] [--users N] [--rps R]
#     --cell       which cell (default cell-1)
#     --to         target zone (default: the zone of the cell's warm standby)
#     --after      seconds of load before the switchover (default 10)
#     --duration   load duration, e.g. 40s (default 40s)
#     --users/--rps  as for ./unitcell load (defaults 1000 users, 10 requests/s)
set -euo pipefail
cd "$(dirname "$0")/.."
source chaos/lib.sh

cell=cell-1 to=""
while (($#)); do
  (($# >= 2)) || { echo "switchover: $1 needs a value" >&2; exit 2; }
  case $1 in
    --cell) cell=$2 ;;
    --to) to=$2 ;;
    *) drill_option "$1" "$2" || { echo "switchover: unknown option $1" >&2; exit 2; } ;;
  esac
  shift 2
done

drill_start switchover "switching $cell over"
switched=PASS
./unitcell switchover "$cell" ${to:+--to "$to"} || switched=FAIL
drill_verify
[[ $switched == PASS ]] || { say "the switchover did not finish (see above)"; verdict=FAIL; }
say "$cell now: $(./unitcell status | grep "^$cell " || true)"
drill_end switchover
