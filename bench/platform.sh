#!/usr/bin/env bash
# The whole local platform under load, as a user runs it: bench/platform.sh [options]
# Starts the default platform (./unitcell up, examples/local/topology.yaml) in a state directory of
# its own, and as soon as it says READY drives ./unitcell load's standard mix (create 40 %, read
# 25 %, list 15 %, pay 10 %, cancel 10 %) through the router in steps of rising rate. Per step:
# achieved rate, errors by operation and answer, TP50/TP99/TP999, and the CPU of every process
# (% of one core: mysqld, vttablet, vtgate, the cell apps, the router, the supervisor with the
# Infinispan servers, the load driver itself). The first step starts with the first request after
# READY. Then every acknowledged order is verified (./unitcell verify) and the platform is stopped
# and deleted. The last line names the highest rate meeting "0 errors, TP99 <= 250 ms".
#   --steps LIST         requests/s of each step (default 100,150,200,250,300,350,400)
#   --step-seconds N     length of each step (default 30)
#   --users N            distinct users of the load (default 5000)
#   --p99-ms N           the bar's TP99 (default 250)
#   --stop-after-failures N   stop the ramp after N steps in a row missed the bar (default 2)
#   --manifest FILE      another topology (default examples/local/topology.yaml)
#   --keep               leave the platform running afterwards (its state directory is printed)
#   --no-verify          skip the verification of the acknowledged orders
#   --no-build           use the jars already built (else ./unitcell builds what changed)
# Run directory: bench/target/platform/<time>/ (the platform's logs, each step's load output and
# acknowledged orders, results.tsv, summary.txt); the platform itself lives in /tmp/uc-bench-*
# (mysqld's socket paths must be short). Figures are only comparable on a quiet machine: the
# "other work" figure of each step says how much else ran meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."

args=()
manifest=examples/local/topology.yaml
keep=false
verify=true
build=true
while (($#)); do
  case $1 in
    --keep) keep=true ;;
    --no-verify) verify=false ;;
    --no-build) build=false ;;
    --manifest)
      (($# >= 2)) || { echo "platform.sh: $1 needs a value" >&2; exit 2; }
      manifest=$2; shift ;;
    --steps | --step-seconds | --users | --p99-ms | --stop-after-failures)
      (($# >= 2)) || { echo "platform.sh: $1 needs a value" >&2; exit 2; }
      args+=("$1" "$2"); shift ;;
    -h | --help) sed -n '2,/^set /p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "platform.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

say() { printf '%s == %s\n' "$(date +%H:%M:%S)" "$*"; }
run=bench/target/platform/$(date +%Y%m%d-%H%M%S)
mkdir -p "$run"
# short: mysqld's unix socket paths below it must stay under 108 bytes
export UNITCELL_STATE=/tmp/uc-bench-$(date +%H%M%S)
exec > >(tee "$run/summary.txt") 2>&1

if $build; then
  say "building the benchmark (mvn -pl bench -am package)"
  mvn -B -q -ntp -pl bench -am package -DskipTests -Dspotless.check.skip=true 2>&1 |
    sed -u 's/\x1b\[[0-9;]*m//g'
fi
say "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1); tree at $(git rev-parse --short HEAD)$([[ -z $(git status --porcelain 2>/dev/null) ]] || echo ' + uncommitted changes')"
say "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

stop() {
  # every process's log into the run directory first (down --wipe deletes them)
  mkdir -p "$run/logs"
  (cd "$UNITCELL_STATE" 2>/dev/null && find . -name '*.log' -print0 | tar --null -T - -cf -) |
    tar -C "$run/logs" -xf - 2>/dev/null || true
  if ! $keep; then
    say "stopping the platform (./unitcell down --wipe)"
    ./unitcell down --wipe >"$run/down.txt" 2>&1 || true
  else
    say "the platform keeps running: UNITCELL_STATE=$UNITCELL_STATE ./unitcell status"
  fi
}
trap stop EXIT

port=$((20000 + RANDOM % 12000))
status=0
# the benchmark warms its own load driver up while the platform starts, then waits for READY; it
# finds the state directory in UNITCELL_STATE (up would take a process naming it for a leftover)
java -cp "bench/target/classes:local/target/unitcell-local.jar:$(cat local/target/cli.classpath)" \
  io.unitcell.bench.platform.PlatformBenchmark --wait-ready --out "$run" \
  "${args[@]}" >"$run/ramp.txt" 2>&1 &
bench=$!
say "./unitcell up $manifest --port $port"
./unitcell up "$manifest" --port "$port" 2>&1 | sed -u 's/^/  /' || { kill $bench 2>/dev/null; exit 1; }
tail -n +1 -s 0.2 -f "$run/ramp.txt" --pid=$bench &
follow=$!
wait $bench || status=$?
wait $follow

if $verify; then
  for acked in "$run"/acked-step-*.txt; do
    [[ -s $acked ]] || continue
    say "verify $(basename "$acked")"
    ./unitcell verify "$acked" 2>&1 | sed -u 's/^/  /' | grep -E 'verify:|stored exactly|users whose' || status=1
  done
fi
say "./unitcell status"
./unitcell status 2>&1 | sed -u 's/^/  /'
trap - EXIT
stop
say "run directory: $run"
tail -1 "$run/ramp.txt"
exit "$status"
