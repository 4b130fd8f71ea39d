#!/usr/bin/env bash
# Order creation end to end (HTTP -> cell-app -> vtgate -> MySQL) next to a raw JDBC insert loop on
# the same vtgate, in one run: bench/order-path.sh [--seconds N] [--concurrency C] [--warmup N]
#   --seconds N       measured seconds per side (default 30)
#   --concurrency C   virtual users (HTTP) / connections (JDBC) per side (default 16)
#   --warmup N        unrecorded warm-up seconds per side (default 300: on 2 cores the app's C2
#                     compiler is busy for minutes; a shorter warm-up measures the JIT, not the app)
#   --no-build        use the jars already built (cell-app, bench)
#   --keep-data       keep the Vitess data (mysqld, etcd; ~0.8 GB) of the run, not only its logs
#   --jfr             profile the app over the measured HTTP phase: JFR (settings=profile with
#                     stacks every 2 ms, on from the app's start, the measured window dumped with
#                     jcmd), per-thread CPU from /proc, /q/metrics (scraped every 5 s through the
#                     HTTP phase) and the Vitess daemons' /debug/vars before and after; into
#                     <run>/profile/ (use a warm-up of 300 s or more: on 2 cores C2 is still
#                     compiling the app after 60-180 s)
#   --http-only       skip the JDBC phase (for profiling the app; no ratios)
#   --app-env K=V     one more environment variable for the app (repeatable), e.g.
#                     QUARKUS_HIBERNATE_ORM_LOG_SQL=true
# Builds the cell-app and the benchmark, makes sure the Vitess/MySQL binaries exist (infra/build.sh,
# under a second when cached), then runs io.unitcell.bench.orderpath.OrderPathBenchmark.
# Logs of the run: bench/target/order-path/<time>/ (Vitess, Infinispan, the app's log and GC log).
set -euo pipefail
cd "$(dirname "$0")/.."

build=true
args=()
while (($#)); do
  case $1 in
    --no-build) build=false ;;
    --keep-data | --jfr | --http-only) args+=("$1") ;;
    --seconds | --concurrency | --warmup | --app-env)
      (($# >= 2)) || { echo "order-path.sh: $1 needs a value" >&2; exit 2; }
      args+=("$1" "$2"); shift ;;
    -h | --help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "order-path.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

say() { printf '%s == %s\n' "$(date +%H:%M:%S)" "$*"; }
cp_file=bench/target/order-path-classpath.txt
app_jar=cell-app/target/quarkus-app/quarkus-run.jar

if $build; then
  say "building cell-app (mvn -pl cell-app -am package)"
  mvn -B -q -ntp -pl cell-app -am package -DskipTests -Dspotless.check.skip=true
  say "building bench (mvn -pl bench -am package dependency:build-classpath)"
  mvn -B -q -ntp -pl bench -am package dependency:build-classpath \
    -DskipTests -Dspotless.check.skip=true -Dmdep.outputFile=target/order-path-classpath.txt \
    -DincludeScope=compile
fi
[[ -f $app_jar && -f $cp_file ]] || { echo "order-path.sh: $app_jar or $cp_file missing; run without --no-build" >&2; exit 1; }

say "infrastructure binaries (infra/build.sh: etcd, Vitess, MySQL; cached after the first time)"
infra/build.sh

dirty=$([[ -z $(git status --porcelain -- cell-app 2>/dev/null) ]] || echo ' + uncommitted changes in cell-app/')
say "cell-app jar built $(date -r "$app_jar" '+%F %T'); tree at $(git rev-parse --short HEAD)$dirty"
say "running on $(nproc) cores, $(java -version 2>&1 | head -1)"
exec java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "bench/target/classes:$(cat "$cp_file")" \
  io.unitcell.bench.orderpath.OrderPathBenchmark --repo . --app-jar "$app_jar" "${args[@]}"
