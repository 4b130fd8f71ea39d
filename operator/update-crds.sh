#!/usr/bin/env bash
# Regenerates the CRDs from the Java types (operator/src/main/java/.../crds/v1alpha1) and copies
# them to crds/ and helm/unitcell/crds/, where CrdsUpToDateIT checks them on every build.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp -pl operator -am package -DskipTests -Dspotless.check.skip=true
for crd in topologies.unitcell.io-v1.yml cells.unitcell.io-v1.yml; do
  cp "operator/target/kubernetes/$crd" "crds/$crd"
  cp "operator/target/kubernetes/$crd" "helm/unitcell/crds/$crd"
  echo "updated crds/$crd and helm/unitcell/crds/$crd"
done
