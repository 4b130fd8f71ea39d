#!/usr/bin/env bash
# The operator at scale: time from `kubectl apply` of a 16-cell Topology (1024 slots, 8 cells per
# zone) to a complete routing table, and the API writes of a restart in steady state (must be 0):
# bench/operator.sh [--rounds N]
#   --rounds N   rounds, each in a fresh namespace of the same API server (default 5)
# Runs bench/src/test/java/io/unitcell/bench/operator/OperatorScaleIT.java (failsafe, testbed
# Tier 1: etcd + kube-apiserver on this machine, both reconcilers in the test JVM on a client that
# counts its requests) and prints its results, also kept in bench/target/operator-scale.txt. The IT
# asserts correctness only (complete table, no write after the restart), never durations; bench's
# plain `mvn verify` skips it (skipITs), this script switches it on.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=5
while (($#)); do
  case $1 in
    --rounds)
      (($# >= 2)) || { echo "operator.sh: $1 needs a value" >&2; exit 2; }
      rounds=$2; shift ;;
    -h | --help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "operator.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

say() { printf '%s == %s\n' "$(date +%H:%M:%S)" "$*"; }
result=bench/target/operator-scale.txt

say "testbed binaries (testbed/build.sh etcd kubernetes helm; cached after the first time)"
testbed/build.sh etcd kubernetes helm
rm -f "$result"
dirty=$([[ -z $(git status --porcelain -- operator topology bench 2>/dev/null) ]] || echo ' + uncommitted changes')
say "OperatorScaleIT, $rounds rounds; tree at $(git rev-parse --short HEAD)$dirty; $(nproc) cores, $(java -version 2>&1 | head -1)"
mvn -B -ntp -pl bench -am verify -Dspotless.check.skip=true \
  -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false \
  -DskipITs=false -Dit.test=OperatorScaleIT -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dunitcell.bench.rounds="$rounds"
say "results ($result)"
cat "$result"
