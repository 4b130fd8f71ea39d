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
source chaos/lib.sh

instance=cell-1-zone-a
while (($#)); do
  (($# >= 2)) || { echo "kill-instance: $1 needs a value" >&2; exit 2; }
  case $1 in
    --instance) instance=$2 ;;
    *) drill_option "$1" "$2" || { echo "kill-instance: unknown option $1" >&2; exit 2; } ;;
  esac
  shift 2
done

drill_start kill-instance "killing $instance"
say "SIGKILL $instance: $(./unitcell kill "$instance")"
drill_verify
say "instance $instance now: $(./unitcell status | grep -o "${instance#*-*-}:[0-9]* [A-Z a-z]*" | head -1 || true)"
drill_end kill-instance
