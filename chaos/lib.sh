# chaos/lib.sh — what every drill shares: the load options, the load in the background, and the
# verdict (./unitcell verify of every order acknowledged during the drill; PASS only when it holds).
# Sourced by the drills, from the repository's root.

after=10 duration=40s users=1000 rps=10
state=${UNITCELL_STATE:-.unitcell}

say() { printf '%s [drill] %s\n' "$(date +%H:%M:%S)" "$*"; }

# drill_option NAME VALUE: sets a shared option; fails for one the drill must handle itself
drill_option() {
  case $1 in
    --after) after=$2 ;;
    --duration) duration=$2 ;;
    --users) users=$2 ;;
    --rps) rps=$2 ;;
    *) return 1 ;;
  esac
}

# drill_start DRILL WHAT: checks the platform is up and starts the load in the background
drill_start() {
  ./unitcell status >/dev/null || { say "unitcell is not up: ./unitcell up first" >&2; exit 3; }
  acked="$state/drill-$1-$(date +%Y%m%d-%H%M%S).txt"
  log="$acked.load.log"
  started=$(date +%s)
  say "load: $users users, $rps requests/s for $duration; $2 after ${after}s"
  ./unitcell load --users "$users" --rps "$rps" --duration "$duration" --acked "$acked" >"$log" 2>&1 &
  load=$!
  sleep "$after"
}

# drill_verify: waits for the load, prints its report, verifies; sets verdict=PASS|FAIL
drill_verify() {
  wait "$load" || { say "the load driver failed:"; cat "$log"; exit 1; }
  sed -n '/^load report/,$p' "$log"
  say "verify every acknowledged order"
  if ./unitcell verify "$acked"; then verdict=PASS; else verdict=FAIL; fi
}

# drill_end DRILL: the last line (verdict, failed requests, duration) and the exit code
drill_end() {
  local errors
  errors=$(sed -n 's/.*requests [0-9]*: ok [0-9]*, errors \([0-9]*\);.*/\1/p' "$log")
  say "drill $1: $verdict — ${errors:-?} failed requests during the drill, $(( $(date +%s) - started )) s"
  [[ $verdict == PASS ]]
}
