#!/usr/bin/env bash
# Runs the JMH micro-benchmarks: bench/jmh.sh [JMH options], e.g. bench/jmh.sh SlotLookup -p slots=1024
# Results go to stdout and, as JSON, to bench/target/jmh-result.json. The classpath leaves out the
# provided-scope dependencies (the order-path benchmark's testbed, with Infinispan's own JMH benchmarks).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== building benchmarks"
cp_file=bench/target/classpath.txt
mvn -B -q -ntp -pl bench -am package dependency:build-classpath \
  -DskipTests -Dspotless.check.skip=true -Dmdep.outputFile=target/classpath.txt \
  -DincludeScope=runtime
echo "== running JMH on $(nproc) cores, $(java -version 2>&1 | head -1)"
exec java -cp "bench/target/classes:$(cat "$cp_file")" org.openjdk.jmh.Main \
  -rf json -rff bench/target/jmh-result.json "${@:-SlotLookup}"
