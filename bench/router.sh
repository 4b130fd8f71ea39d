#!/usr/bin/env bash
# User-hash routing through three reverse proxies on the same machine, in one run: our router
# (router/, Vert.x), nginx (hash $http_x_user_id consistent) and HAProxy (balance hdr(X-User-Id),
# hash-type consistent), each with keep-alive to the same 4 fast backend cells (one nginx, 1 worker,
# return 200 JSON on 4 loopback ports) and loaded by the same wrk settings: bench/router.sh [options]
#   --workers N         worker threads of every proxy: nginx worker_processes, HAProxy nbthread,
#                       router UNITCELL_ROUTER_EVENT_LOOPS (default 1, see "workers" below)
#   --connections C     wrk connections (default 64)
#   --threads T         wrk threads (default 2)
#   --duration D        measured wrk run per proxy and round, wrk syntax: 30s, 2m (default 30s)
#   --warmup D          unrecorded wrk run before the measured one, nginx and HAProxy (default 10s)
#   --router-warmup D   the same for the router (default 30s: the JVM compiles the hot path first)
#   --rounds R          rounds of router, nginx, HAProxy, each proxy started fresh for its phase;
#                       with R > 1 the table shows the median of each column (default 1)
#   --proxies LIST      a subset of router,nginx,haproxy (default all three; ratios need the router)
#   --users U           distinct X-User-Id values wrk rotates over (default 10000; the router
#                       limits each user to 50 requests/s by default, so keep rps / U below that)
#   --java PATH         java binary or JDK home for the router (default: java on the PATH)
#   --jvm-opts "OPTS"   the router's JVM flags (default: -Xms256m -Xmx256m -XX:+UseParallelGC
#                       -Dio.netty.buffer.checkAccessible=false -Dio.netty.buffer.checkBounds=false)
#   --port-base P       ports: P+1..P+4 cells, P+9 backend status, P+10 nginx, P+20 HAProxy,
#                       P+30 router, P+31 router admin (default 28080)
#   --retries N         measure a proxy's phase again (restarted, warmed up) when other processes
#                       used 20 % of a core or more meanwhile, up to N times (default 2); the
#                       disturbed attempts are listed in disturbed.tsv
#   --pin               pin the proxy to the last N (= --workers) cores, wrk and the backend to the others
#   --jwt               the router in production mode: the user is the sub of a verified HS256 JWT
#                       (Authorization: Bearer, one token per user, made up front by
#                       bench/router/tokens.py; the router caches verified tokens); nginx and HAProxy
#                       still hash the X-User-Id header, which every request keeps carrying
#   --router-env K=V    one more environment variable for the router (repeatable), e.g.
#                       UNITCELL_ROUTER_LIMITS_USER_RATE=0 to measure without the per-user limit
#   --no-build          use the router jar already built (else mvn -pl topology,router -am package)
#   --router-app DIR    measure another packaged router (a copy of a router/target/quarkus-app
#                       directory, e.g. of an older commit, for before/after runs); implies --no-build
#   --profile           record the router with JFR (profile settings, Java sampling every 1 ms,
#                       -XX:+DebugNonSafepoints) into router-<round>.jfr, and its GC pauses and
#                       safepoints with -Xlog into router-<round>-gc.log (bench/router/jfr-breakdown.py
#                       summarises the recording); costs a few % of the router's CPU
# Installs wrk, nginx and haproxy with apt when one is missing (their packaged services are kept
# from starting; every process here runs from its own config under the run directory). Before
# measuring, each proxy must answer 200 through to a cell and keep each of 100 users on one cell
# (asked twice over one keep-alive connection; the router's cell must also be the one owning the
# user's slot). Fails (exit 1) when a proxy does not start, routes wrongly, or has non-2xx or socket
# errors above 0.1 % of its requests. Run directory: bench/target/router-bench/<timestamp>/ (configs,
# logs, wrk outputs, results.tsv, summary.txt). The last lines are the router/nginx p99 ratio, then
# the router/nginx and router/haproxy rps ratios.
#
# Fairness notes (2-core machine: wrk, the backend nginx and the proxy share both cores):
# - workers: 1 by default. On 2 cores, --workers 2 made nginx and HAProxy slower, not faster
#   (one quiet run: nginx 34k -> 20k rps, HAProxy 30k -> 24k, p99 x2-4): wrk's 2 threads and the
#   backend already need about a core, and a second proxy worker only adds contention. With 1 worker
#   each proxy gets about one core, so the figures compare work per core.
# - nothing is pinned by default: --pin (proxy on the last core, wrk and backend on the others)
#   gave no consistent gain in short runs here (within the run-to-run noise), and it squeezes the
#   JVM's GC and JIT threads onto the core of the router's event loop, which nginx and HAProxy do
#   not have; unpinned, each proxy uses helper threads as it would in production ("cpu %" shows it).
# - keep-alive everywhere: wrk to the proxy (keepalive_requests raised so nginx never closes a
#   client connection), proxy to backend (nginx upstream keepalive, HAProxy http-reuse always, the
#   router's own pools). "new conns" in the table counts backend connections opened during
#   the measured run (backend nginx stub_status); near 0 means the proxy reuses connections.
# - "cpu %" is the CPU time of the proxy's processes (all threads) over the measured run, 100 = one
#   core; "other %" the CPU used meanwhile by anything but the proxy, the backend and wrk: other work
#   on the machine (a build, tests) disturbs the figures, so run this on a quiet machine and look there.
# - errors: wrk's own counters (no Lua response() hook, which would slow wrk down): non-2xx is
#   wrk's "Non-2xx or 3xx responses", i.e. status >= 400; the routing check wants exactly 200.
# - router JVM: -Xms256m -Xmx256m -XX:+UseParallelGC (fixed heap, throughput collector; young pauses
#   of 1.5-2 ms every ~0.7 s at 30k rps, see router-<round>-gc.log). Quiet runs of the router alone
#   (10 s after 15 s warm-up, twice each) did not single out a better choice: ParallelGC 32k/20k rps,
#   SerialGC 22k/22k, G1 23k/26k, Temurin 25 with ParallelGC 29k/25k. With 1 event loop the router
#   uses a bit more than one core ("cpu %" ~105: GC, JIT, active health checks besides the loop).
#   The two Netty properties turn off the reference-count and bounds checks on every buffer access
#   (about 6 % of the event loop's Java samples), as the local runtime starts the router too
#   (infra RouterProcess); the router's tests keep them on, to catch a use after release.
# - variance: on this shared 2-core VM the same run differs by up to 40 % from one time to the next,
#   even with "other %" at 0; use --rounds 3 or more for figures to keep.
set -euo pipefail
cd "$(dirname "$0")/.."

build=true pin=false jwt=false profile=false router_app_src= retries=2 disturbed_pct=20 workers=1 connections=64 threads=2 duration=30s warmup=10s router_warmup=30s rounds=1
proxies=router,nginx,haproxy users=10000 java_bin=java port_base=28080
jvm_opts="-Xms256m -Xmx256m -XX:+UseParallelGC -Dio.netty.buffer.checkAccessible=false -Dio.netty.buffer.checkBounds=false"
router_env=()
while (($#)); do
  case $1 in
    --no-build) build=false ;;
    --pin) pin=true ;;
    --profile) profile=true ;;
    --jwt) jwt=true ;;
    --workers | --connections | --threads | --duration | --warmup | --router-warmup | --rounds | \
      --proxies | --users | --java | --jvm-opts | --port-base | --retries | --router-env | --router-app)
      (($# >= 2)) || { echo "router.sh: $1 needs a value" >&2; exit 2; }
      case $1 in
        --workers) workers=$2 ;; --connections) connections=$2 ;; --threads) threads=$2 ;;
        --duration) duration=$2 ;; --warmup) warmup=$2 ;; --router-warmup) router_warmup=$2 ;;
        --rounds) rounds=$2 ;; --proxies) proxies=$2 ;; --users) users=$2 ;; --java) java_bin=$2 ;;
        --jvm-opts) jvm_opts=$2 ;; --port-base) port_base=$2 ;; --retries) retries=$2 ;;
        --router-app) router_app_src=$2 build=false ;;
        --router-env) [[ $2 == ?*=* ]] || { echo "router.sh: --router-env needs K=V" >&2; exit 2; }
          router_env+=("$2") ;;
      esac
      shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "router.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
for v in workers connections threads rounds users port_base; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "router.sh: --${v//_/-} must be a positive integer" >&2; exit 2; }
done
[[ $retries =~ ^[0-9]+$ ]] || { echo "router.sh: --retries must be a number" >&2; exit 2; }
IFS=, read -r -a proxy_list <<<"$proxies"
for p in "${proxy_list[@]}"; do
  [[ $p == router || $p == nginx || $p == haproxy ]] || { echo "router.sh: unknown proxy $p" >&2; exit 2; }
done
proxy_pin=() load_pin=()
if $pin; then
  ncpu=$(nproc)
  ((workers < ncpu)) || { echo "router.sh: --pin needs --workers below the core count ($ncpu)" >&2; exit 2; }
  proxy_pin=(taskset -c "$((ncpu - workers))-$((ncpu - 1))") load_pin=(taskset -c "0-$((ncpu - workers - 1))")
fi
has() { [[ ,$proxies, == *,$1,* ]]; }
[[ -d $java_bin ]] && java_bin=$java_bin/bin/java

say() { printf '%s == %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf 'router.sh: FAILED: %s\n' "$*" >&2; exit 1; }

repo=$PWD
lua=$repo/bench/router/users.lua
router_jar=router/target/quarkus-app/quarkus-run.jar
[[ -z $router_app_src ]] || router_jar=$router_app_src/quarkus-run.jar
cells=4 slot_count=1024
backend_port() { echo $((port_base + $1)); } # cell 1..4
status_port=$((port_base + 9))
declare -A proxy_port=([nginx]=$((port_base + 10)) [haproxy]=$((port_base + 20)) [router]=$((port_base + 30)))
router_admin_port=$((port_base + 31))

# --- tools -----------------------------------------------------------------------------------------
missing=()
command -v wrk >/dev/null || missing+=(wrk)
[[ -x /usr/sbin/nginx ]] || missing+=(nginx)
[[ -x /usr/sbin/haproxy ]] || missing+=(haproxy)
if ((${#missing[@]})); then
  sudo=
  ((EUID == 0)) || sudo=sudo
  say "installing ${missing[*]} (apt-get)"
  # the packages' services would start on port 80 on install: deny starts for this install (a
  # policy-rc.d exiting 101) unless the machine already has a policy, then stop whatever started
  own_policy=false
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod 755 /usr/sbin/policy-rc.d
    own_policy=true
  fi
  apt_log=$(mktemp)
  apt_install() { $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; }
  apt_ok=true
  apt_install >>"$apt_log" 2>&1 || { $sudo apt-get update -q >>"$apt_log" 2>&1 && apt_install >>"$apt_log" 2>&1; } || apt_ok=false
  ! $own_policy || $sudo rm -f /usr/sbin/policy-rc.d
  $apt_ok || { cat "$apt_log" >&2; rm -f "$apt_log"; die "apt-get install ${missing[*]} failed"; }
  rm -f "$apt_log"
  for svc in nginx haproxy; do
    if [[ -s /run/$svc.pid ]] && kill -0 "$(cat /run/$svc.pid)" 2>/dev/null; then
      say "stopping the packaged $svc service"
      $sudo service "$svc" stop >/dev/null 2>&1 || $sudo kill "$(cat /run/$svc.pid)" || true
    fi
  done
fi
nginx_bin=/usr/sbin/nginx haproxy_bin=/usr/sbin/haproxy

run=$repo/bench/target/router-bench/$(date +%Y%m%d-%H%M%S)
mkdir -p "$run"/tmp/backend "$run"/tmp/nginx
say "run directory $run"

if has router; then
  if $build; then
    say "building the router (mvn -pl topology,router -am package; log in build.log)"
    mvn -B -q -ntp -pl topology,router -am package -DskipTests -Dspotless.check.skip=true >"$run/build.log" 2>&1 ||
      { tail -40 "$run/build.log" >&2; die "the router's build failed (see $run/build.log)"; }
  fi
  [[ -f $router_jar ]] || die "$router_jar missing; build the router (run without --no-build)"
  "$java_bin" -version >/dev/null 2>&1 || die "no java at $java_bin"
fi

for port in $(backend_port 1) $(backend_port 2) $(backend_port 3) $(backend_port 4) $status_port \
  "${proxy_port[nginx]}" "${proxy_port[haproxy]}" "${proxy_port[router]}" $router_admin_port; do
  [[ -z $(ss -Htln "sport = :$port") ]] || die "port $port is in use (choose other ports with --port-base)"
done


# --- processes ---------------------------------------------------------------------------------------
# Each server runs in the foreground in its own process group (setsid), so that stopping it stops
# its workers too, and the exit trap stops whatever is still running.
declare -A pid_of=()
router_app=
start() { # name logfile command...
  local name=$1 log=$2
  shift 2
  setsid "$@" >"$log" 2>&1 </dev/null &
  pid_of[$name]=$!
}
stop() { # name
  local name=$1 pid=${pid_of[$1]:-} i
  [[ -n $pid ]] || return 0
  kill -TERM -- "-$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    kill -0 -- "-$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "pid_of[$name]"
}
cleanup() {
  local name
  for name in "${!pid_of[@]}"; do stop "$name"; done
  [[ -z $router_app ]] || rm -rf "$router_app"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if has router; then
  # a copy of the packaged router for this run (38 MB, deleted at the end): a rebuild of router/
  # while the benchmark runs then cannot swap jars under the running JVM
  router_built=$(date -r "$router_jar" '+%F %T')
  router_app=$run/router-app
  cp -r "$(dirname "$router_jar")" "$router_app"
fi

# CPU seconds (user + system) of all processes in a process group
cpu_seconds() {
  local pgid=$1 f total=0 stat rest
  for f in /proc/[0-9]*/stat; do
    { read -r stat <"$f"; } 2>/dev/null || continue # gone meanwhile: its error too
    rest=${stat##*) }
    read -r -a fields <<<"$rest"
    # after the command: state(0) ppid(1) pgrp(2) ... utime(11) stime(12)
    ((fields[2] == pgid)) && total=$((total + fields[11] + fields[12]))
  done
  echo "$total $(getconf CLK_TCK)" | awk '{printf "%.2f", $1 / $2}'
}

# per thread of a process group: name, CPU ms, ms spent runnable but waiting for a core, and times
# scheduled (/proc/<pid>/task/<tid>/schedstat); a proxy waiting for a core stalls all its
# connections, so this shows where a tail comes from the scheduler rather than the proxy's work
thread_stats() { # pgid
  local pgid=$1 f task stat rest comm sched
  for f in /proc/[0-9]*/stat; do
    { read -r stat <"$f"; } 2>/dev/null || continue # gone meanwhile: its error too
    rest=${stat##*) }
    read -r -a fields <<<"$rest"
    ((fields[2] == pgid)) || continue
    for task in "${f%/stat}"/task/*; do
      read -r comm <"$task/comm" 2>/dev/null || continue
      read -r sched <"$task/schedstat" 2>/dev/null || continue
      printf '%s\t%s\t%s\n' "${task##*/}" "${comm// /_}" "$sched"
    done
  done
}
# the difference of two thread_stats snapshots, busiest first: thread, cpu ms, wait ms, slices
thread_table() { # before after
  awk -F'\t' 'NR == FNR { split($3, a, " "); run[$1] = a[1]; wait[$1] = a[2]; n[$1] = a[3]; next }
    { split($3, a, " "); printf "%s\t%.0f\t%.0f\t%d\n", $2, (a[1] - run[$1]) / 1e6, (a[2] - wait[$1]) / 1e6, a[3] - n[$1] }' "$1" "$2" |
    sort -t$'\t' -k2,2nr | { printf 'thread\tcpu_ms\trunqueue_wait_ms\tslices\n'; cat; }
}

# busy CPU seconds of the whole machine: user, nice, system and steal of all cores (not irq and
# softirq: the loopback traffic's softirq time is charged to no process)
machine_busy() {
  awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" { printf "%.2f", ($2 + $3 + $4 + $9) / hz; exit }' /proc/stat
}
# CPU seconds used by this shell's finished children so far (wrk among them); `times` has to run in
# this shell, not in a $(...) subshell
children_cpu() {
  times >"$run/tmp/times.txt"
  awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); s += t[1] * 60 + t[2] } printf "%.2f", s }' "$run/tmp/times.txt"
}

backend_accepts() { curl -sf "http://127.0.0.1:$status_port/" | awk 'NR == 3 {print $1}'; }

# --- configs -----------------------------------------------------------------------------------------
nginx_temp_paths() { # dir
  local t
  for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $1/$t;"; done
}

{
  echo "# the 4 cells: one nginx, one worker, any method and path answered 200 with a small JSON body"
  echo "worker_processes 1;"
  echo "daemon off;"
  echo "pid $run/backend.pid;"
  echo "error_log $run/backend-error.log warn;"
  echo "worker_rlimit_nofile 16384;"
  echo "events { worker_connections 4096; }"
  echo "http {"
  echo "  access_log off;"
  echo "  default_type application/json;"
  echo "  keepalive_requests 100000000;"
  echo "  keepalive_timeout 300s;"
  nginx_temp_paths "$run/tmp/backend"
  for ((c = 1; c <= cells; c++)); do
    echo "  server { listen 127.0.0.1:$(backend_port $c) backlog=4096; location / { return 200 '{\"cell\":\"cell-$c\"}'; } }"
  done
  echo "  server { listen 127.0.0.1:$status_port; location / { stub_status; } }"
  echo "}"
} >"$run/backend-nginx.conf"

{
  echo "# nginx: consistent hash of X-User-Id over the cells, HTTP/1.1 keep-alive to them"
  echo "worker_processes $workers;"
  echo "daemon off;"
  echo "pid $run/nginx.pid;"
  echo "error_log $run/nginx-error.log warn;"
  echo "worker_rlimit_nofile 16384;"
  echo "events { worker_connections 4096; }"
  echo "http {"
  echo "  access_log off;"
  echo "  keepalive_requests 100000000;"
  echo "  keepalive_timeout 300s;"
  nginx_temp_paths "$run/tmp/nginx"
  echo "  upstream cells {"
  echo "    hash \$http_x_user_id consistent;"
  for ((c = 1; c <= cells; c++)); do echo "    server 127.0.0.1:$(backend_port $c);"; done
  echo "    keepalive $((connections * cells)); # idle connections kept per worker, LRU over all cells"
  echo "    keepalive_requests 100000000;"
  echo "    keepalive_timeout 300s;"
  echo "  }"
  echo "  server {"
  echo "    listen 127.0.0.1:${proxy_port[nginx]} backlog=4096;"
  echo "    location / {"
  echo "      proxy_pass http://cells;"
  echo "      proxy_http_version 1.1;"
  echo "      proxy_set_header Connection \"\";"
  echo "    }"
  echo "  }"
  echo "}"
} >"$run/nginx.conf"

{
  echo "# HAProxy: consistent hash of X-User-Id over the cells, keep-alive and connection reuse to them"
  echo "global"
  echo "  nbthread $workers"
  echo "  maxconn 4096"
  echo "  pidfile $run/haproxy.pid"
  echo "defaults"
  echo "  mode http"
  echo "  option http-keep-alive"
  echo "  http-reuse always"
  echo "  timeout connect 5s"
  echo "  timeout client 300s"
  echo "  timeout server 300s"
  echo "  timeout http-keep-alive 300s"
  echo "frontend proxy"
  echo "  bind 127.0.0.1:${proxy_port[haproxy]}"
  echo "  default_backend cells"
  echo "backend cells"
  echo "  balance hdr(X-User-Id)"
  echo "  hash-type consistent"
  for ((c = 1; c <= cells; c++)); do echo "  server cell-$c 127.0.0.1:$(backend_port $c)"; done
} >"$run/haproxy.cfg"

{
  per=$((slot_count / cells))
  printf '{"epoch":1,"slotCount":%d,"slots":[' $slot_count
  for ((c = 1; c <= cells; c++)); do
    ((c == 1)) || printf ','
    printf '{"from":%d,"to":%d,"cell":"cell-%d"}' $(((c - 1) * per)) $((c == cells ? slot_count - 1 : c * per - 1)) $c
  done
  printf '],"cells":{'
  for ((c = 1; c <= cells; c++)); do
    ((c == 1)) || printf ','
    printf '"cell-%d":{"zone":"zone-%s","endpoints":["127.0.0.1:%d"],"state":"SERVING"}' $c "$([[ $((c % 2)) == 1 ]] && echo a || echo b)" "$(backend_port $c)"
  done
  printf '}}\n'
} >"$run/routing-table.json"

# --- JWT mode: a random HS256 key, one token per user ------------------------------------------------
declare -A token_of=()
auth_header() { # user -> curl arguments for its token, none without --jwt
  if $jwt; then printf '%s\n' -H "Authorization: Bearer ${token_of[$1]}"; fi
}
wrk_tokens=()
if $jwt; then
  command -v python3 >/dev/null || die "--jwt needs python3 (bench/router/tokens.py makes the tokens)"
  jwt_secret=$(head -c 32 /dev/urandom | base64 | tr -d '/+=\n')
  all_users=()
  for ((u = 0; u < users; u++)); do all_users+=("user-$u"); done
  python3 bench/router/tokens.py "$jwt_secret" "${all_users[@]}" >"$run/tokens.txt"
  wrk_tokens=("$run/tokens.txt")
fi

# --- checks ------------------------------------------------------------------------------------------
# 100 users through one keep-alive connection, twice (second pass in reverse order): every answer
# 200 from a cell, each user on the same cell both times, the users spread over every cell
probe_users=()
for ((u = 0; u < 100; u++)); do probe_users+=("user-$((u * 97 + 13))"); done
if $jwt; then
  mapfile -t probe_tokens < <(python3 bench/router/tokens.py "$jwt_secret" user-1 "${probe_users[@]}")
  token_of[user-1]=${probe_tokens[0]}
  for ((u = 0; u < 100; u++)); do token_of[${probe_users[u]}]=${probe_tokens[u + 1]}; done
fi

probe() { # port outfile user...
  local port=$1 out=$2 args=() u first=true
  shift 2
  for u in "$@"; do
    $first || args+=(--next)
    first=false
    mapfile -t auth < <(auth_header "$u")
    args+=(-s -m 5 -w '\t%{http_code}\n' -H "X-User-Id: $u" "${auth[@]}" "http://127.0.0.1:$port/orders/$((RANDOM))")
  done
  curl "${args[@]}" >"$out" || true
}

check_routing() { # proxy
  local proxy=$1 port=${proxy_port[$1]} dir=$run/check-$1 i auth
  mkdir -p "$dir"
  mapfile -t auth < <(auth_header user-1)
  if $jwt && [[ $proxy == router ]]; then
    # production mode: no token, no entry (the X-User-Id header alone is not trusted)
    local code
    code=$(curl -s -m 5 -o "$dir/no-token.txt" -w '%{http_code}' -H "X-User-Id: user-1" "http://127.0.0.1:$port/orders/123" || true)
    [[ $code == 401 ]] || die "router (--jwt): a request without a token answered '$code', not 401 (see $dir/no-token.txt)"
  fi
  # one request first: headers kept for the record
  curl -s -m 5 -D "$dir/headers.txt" -o "$dir/body.txt" -w '%{http_code}' -H "X-User-Id: user-1" "${auth[@]}" \
    "http://127.0.0.1:$port/orders/123" >"$dir/status.txt" || true
  [[ $(cat "$dir/status.txt") == 200 ]] || die "$proxy: GET /orders/123 with X-User-Id answered '$(cat "$dir/status.txt")', not 200 (see $dir)"
  grep -qi '^content-type: application/json' "$dir/headers.txt" || say "WARNING: $proxy: no Content-Type: application/json in its answer (see $dir/headers.txt)"
  probe "$port" "$dir/pass1.txt" "${probe_users[@]}"
  local reversed=()
  for ((i = ${#probe_users[@]} - 1; i >= 0; i--)); do reversed+=("${probe_users[i]}"); done
  probe "$port" "$dir/pass2.txt" "${reversed[@]}"
  local ok1 ok2
  ok1=$(grep -cE '^\{"cell":"cell-[0-9]+"\}	200$' "$dir/pass1.txt" || true)
  ok2=$(grep -cE '^\{"cell":"cell-[0-9]+"\}	200$' "$dir/pass2.txt" || true)
  [[ $ok1 == 100 && $ok2 == 100 ]] || die "$proxy: only $ok1 and $ok2 of 100 probes answered 200 from a cell (see $dir)"
  printf '%s\n' "${probe_users[@]}" >"$dir/users.txt"
  grep -oE 'cell-[0-9]+' "$dir/pass1.txt" >"$dir/cells1.txt"
  grep -oE 'cell-[0-9]+' "$dir/pass2.txt" | tac >"$dir/cells2.txt"
  paste -d' ' "$dir/users.txt" "$dir/cells1.txt" "$dir/cells2.txt" >"$dir/users-cells.txt"
  local moved spread
  moved=$(awk '$2 != $3' "$dir/users-cells.txt" | wc -l)
  ((moved == 0)) || die "$proxy: $moved of 100 users answered by different cells on the two passes (see $dir/users-cells.txt)"
  spread=$(cut -d' ' -f2 "$dir/users-cells.txt" | sort | uniq -c | awk '{printf "%s%s:%s", sep, $2, $1; sep=" "}')
  [[ $(cut -d' ' -f2 "$dir/users-cells.txt" | sort -u | wc -l) == "$cells" ]] || die "$proxy: the 100 users reached only some cells ($spread)"
  if [[ $proxy == router ]]; then
    # the router must send each user to the cell owning murmur3(user) mod 1024 (topology's SlotHash)
    if "$java_bin" -cp "$router_app/lib/main/*" bench/router/ExpectedCells.java $slot_count \
      "${probe_users[@]}" >"$dir/slots.txt" 2>"$dir/slots.err"; then
      local wrong
      wrong=$(paste -d' ' "$dir/users-cells.txt" "$dir/slots.txt" |
        awk -v per=$((slot_count / cells)) '{ if ($2 != "cell-" (int($5 / per) + 1)) n++ } END { print n + 0 }')
      ((wrong == 0)) || die "router: $wrong of 100 users not on the cell owning their slot (see $dir/users-cells.txt, $dir/slots.txt)"
    else
      say "WARNING: could not compute the users' slots (see $dir/slots.err); slot ownership not checked"
    fi
  fi
  say "$proxy: routing checked: 100 users sticky over 2 passes, spread $spread"
}

wait_http() { # name url seconds
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    curl -sf -o /dev/null -m 2 "$2" && return 0
    kill -0 "${pid_of[$1]}" 2>/dev/null || die "$1 exited while starting (see its log in $run)"
    sleep 0.1
  done
  die "$1 not ready at $2 after $3 s (see its log in $run)"
}

start_proxy() { # proxy tag
  local log=$run/$1-$2.log
  case $1 in
    nginx) start nginx "$log" "${proxy_pin[@]}" "$nginx_bin" -p "$run" -e "$run/nginx-error.log" -c "$run/nginx.conf" ;;
    haproxy) start haproxy "$log" "${proxy_pin[@]}" "$haproxy_bin" -db -f "$run/haproxy.cfg" ;;
    router)
      local auth_env=(UNITCELL_ROUTER_AUTH=header) jvm_args
      read -r -a jvm_args <<<"$jvm_opts"
      if $profile; then
        # JFR's profile settings with Java sampling every 1 ms instead of 10 (enough samples of the
        # event loop in one run); the warm-up is in the recording too, JFR's timestamps tell the
        # measured run apart (bench/router/jfr-breakdown.py --from --to)
        local jfc=$run/profile-1ms.jfc java_home
        java_home=$(dirname "$(dirname "$(readlink -f "$(command -v "$java_bin")")")")
        sed '/"jdk.ExecutionSample"/,/<\/event>/ s|<setting name="period"\([^>]*\)>10 ms<|<setting name="period"\1>1 ms<|' \
          "$java_home/lib/jfr/profile.jfc" >"$jfc"
        jvm_args+=(-XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints
          "-XX:StartFlightRecording=settings=$jfc,filename=$run/router-$2.jfr,dumponexit=true"
          "-Xlog:gc*,safepoint:file=$run/router-$2-gc.log:timemillis,uptime,level,tags")
      else
        # GC pauses of the run, for the record; timemillis (wall clock) to find the measured run's
        jvm_args+=("-Xlog:gc:file=$run/router-$2-gc.log:timemillis,uptime,level,tags")
      fi
      ! $jwt || auth_env=(UNITCELL_ROUTER_AUTH=jwt UNITCELL_ROUTER_JWT_HS256_SECRET="$jwt_secret")
      start router "$log" "${proxy_pin[@]}" env UNITCELL_ROUTER_HOST=127.0.0.1 UNITCELL_ROUTER_PORT="${proxy_port[router]}" \
        QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$router_admin_port UNITCELL_ROUTING_TABLE="$run/routing-table.json" \
        "${auth_env[@]}" UNITCELL_ROUTER_EVENT_LOOPS="$workers" ${router_env[@]+"${router_env[@]}"} "$java_bin" "${jvm_args[@]}" -jar "$router_app/quarkus-run.jar"
      wait_http router "http://127.0.0.1:$router_admin_port/q/health/ready" 60
      ;;
  esac
  # a proxy is up when a request with a user id goes through to a cell
  local i auth
  mapfile -t auth < <(auth_header user-1)
  for ((i = 0; i < 100; i++)); do
    [[ $(curl -s -o /dev/null -m 2 -w '%{http_code}' -H 'X-User-Id: user-1' "${auth[@]}" "http://127.0.0.1:${proxy_port[$1]}/orders/1") == 200 ]] && return 0
    kill -0 "${pid_of[$1]}" 2>/dev/null || die "$1 exited while starting (see $log)"
    sleep 0.1
  done
  die "$1 does not answer 200 on port ${proxy_port[$1]} (see $log)"
}

run_wrk() { # proxy duration outfile
  # in the background and waited for, so that a signal stops the run at once (the traps run only
  # between commands)
  start wrk "$3" "${load_pin[@]}" wrk -t "$threads" -c "$connections" -d "$2" -s "$lua" \
    "http://127.0.0.1:${proxy_port[$1]}/" -- "$users" "${wrk_tokens[@]}"
  local rc=0
  wait "${pid_of[wrk]}" || rc=$?
  unset "pid_of[wrk]"
  ((rc == 0)) || die "wrk against $1 failed (see $3)"
  grep -q '^RESULT ' "$3" || die "wrk against $1 printed no RESULT line (see $3)"
}

field() { # name line
  sed -nE "s/.* $1=([^ ]+).*/\1/p" <<<" $2"
}

# --- run ---------------------------------------------------------------------------------------------
say "backends: cells on 127.0.0.1:$(backend_port 1)-$(backend_port $cells) (one nginx, 1 worker)"
start backend "$run/backend.log" "${load_pin[@]}" "$nginx_bin" -p "$run" -e "$run/backend-error.log" -c "$run/backend-nginx.conf"
for ((c = 1; c <= cells; c++)); do wait_http backend "http://127.0.0.1:$(backend_port $c)/orders/1" 10; done
wait_http backend "http://127.0.0.1:$status_port/" 10

{
  echo "date: $(date '+%F %T %z')"
  echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(uname -r)"
  echo "tree: $(git rev-parse --short HEAD 2>/dev/null)$([[ -z $(git status --porcelain -- router topology 2>/dev/null) ]] || echo ' + uncommitted changes in router/ or topology/')"
  echo "versions: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2); $("$nginx_bin" -v 2>&1); $("$haproxy_bin" -v | head -1 | cut -d' ' -f1-3)"
  if has router; then
    echo "router: $router_jar built $router_built; $("$java_bin" -version 2>&1 | head -1); JVM flags: $jvm_opts; extra env: ${router_env[*]:-none}"
  fi
  echo "settings: workers=$workers$($pin && echo ", pinned: proxy ${proxy_pin[*]}, wrk and backend ${load_pin[*]}"), wrk -t $threads -c $connections -d $duration, warm-up $warmup (router $router_warmup), rounds=$rounds, users=$users$($jwt && echo ", router auth: JWT (HS256)")"
} | tee "$run/setup.txt"

results=$run/results.tsv
printf 'proxy\tround\trps\tp50_ms\tp99_ms\tp999_ms\trequests\tnon2xx\tsocket_errors\tnew_backend_conns\tcpu_pct\tother_cpu_pct\n' >"$results"
# one phase: start the proxy, (first time) check its routing, warm up, measure, stop it; leaves the
# results.tsv row in $row and the CPU used by other processes in $other_pct
phase() { # proxy round tag
  local p=$1 r=$2 tag=$3 w accepts0 accepts1 proxy0 proxy1 backend0 backend1 wrk0 wrk1 busy0 busy1 t0 t1
  local line cpu_pct complaints
  say "round $r/$rounds: $p (port ${proxy_port[$p]})$([[ $tag != *retry* ]] || echo ", ${tag#*-}")"
  start_proxy "$p" "$tag"
  [[ -e $run/check-$p ]] || check_routing "$p"
  w=$warmup
  [[ $p != router ]] || w=$router_warmup
  say "$p: warm-up $w (unrecorded)"
  run_wrk "$p" "$w" "$run/wrk-$p-$tag-warmup.txt"
  say "$p: measuring $duration"
  accepts0=$(backend_accepts)
  thread_stats "${pid_of[$p]}" >"$run/tmp/threads0.txt"
  proxy0=$(cpu_seconds "${pid_of[$p]}") backend0=$(cpu_seconds "${pid_of[backend]}")
  children_cpu >"$run/tmp/cpu.txt"
  wrk0=$(cat "$run/tmp/cpu.txt") busy0=$(machine_busy) t0=$(date +%s.%N)
  run_wrk "$p" "$duration" "$run/wrk-$p-$tag.txt"
  t1=$(date +%s.%N) busy1=$(machine_busy)
  children_cpu >"$run/tmp/cpu.txt"
  wrk1=$(cat "$run/tmp/cpu.txt")
  proxy1=$(cpu_seconds "${pid_of[$p]}") backend1=$(cpu_seconds "${pid_of[backend]}")
  thread_stats "${pid_of[$p]}" >"$run/tmp/threads1.txt"
  thread_table "$run/tmp/threads0.txt" "$run/tmp/threads1.txt" >"$run/threads-$p-$tag.tsv"
  accepts1=$(backend_accepts)
  if [[ $p == router ]]; then
    curl -s -m 5 "http://127.0.0.1:$router_admin_port/q/metrics" >"$run/router-$tag-metrics.txt" || true
  fi
  stop "$p"
  if [[ $p == router ]]; then
    # anything the router complained about (its development-mode banner aside)
    complaints=$(grep -E '^[0-9:.]+ +(WARN|ERROR) ' "$run/router-$tag.log" | grep -cvE 'Router\] *$' || true)
    ((complaints == 0)) || say "WARNING: the router logged $complaints warnings or errors (see $run/router-$tag.log)"
  fi
  line=$(grep '^RESULT ' "$run/wrk-$p-$tag.txt")
  # CPU over the measured run, 100 = one core: the proxy's, and what neither the proxy, the
  # backend nor wrk used (other processes on the machine: they disturb the measurement)
  read -r cpu_pct other_pct < <(awk -v t="$t0 $t1" -v p="$proxy0 $proxy1" -v b="$backend0 $backend1" \
    -v w="$wrk0 $wrk1" -v m="$busy0 $busy1" 'function d(x, a) { split(x, a, " "); return a[2] - a[1] }
    BEGIN { o = d(m) - d(p) - d(b) - d(w); printf "%.0f %.0f\n", 100 * d(p) / d(t), (o > 0 ? 100 * o / d(t) : 0) }')
  row=$(printf '%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$p" "$r" "$(field rps "$line")" "$(field p50_ms "$line")" \
    "$(field p99_ms "$line")" "$(field p999_ms "$line")" "$(field requests "$line")" "$(field non2xx "$line")" \
    "$(field socket_errors "$line")" $((accepts1 - accepts0 - 1)) "$cpu_pct" "$other_pct")
  say "$p: $(field rps "$line") requests/s, p99 $(field p99_ms "$line") ms, proxy cpu $cpu_pct %, other processes $other_pct %"
  if [[ $p == router ]]; then
    # the router's GC pauses within the measured run (they stop every connection at once)
    awk -v t0="$t0" -v t1="$t1" '/\[gc\] .*Pause/ {
        if (!match($0, /\[[0-9]+ms\]/)) next
        ms = substr($0, RSTART + 1, RLENGTH - 4) + 0; if (ms < t0 * 1000 || ms > t1 * 1000) next
        d = $NF; sub(/ms$/, "", d); n++; total += d; if (d + 0 > max) max = d + 0 }
      END { printf "%d GC pauses in the measured run, longest %.1f ms, %.1f ms in all\n", n, max, total }' \
      "$run/router-$tag-gc.log" >"$run/gc-router-$tag.txt"
    say "router: $(cat "$run/gc-router-$tag.txt")"
  fi
}

for ((r = 1; r <= rounds; r++)); do
  for p in "${proxy_list[@]}"; do
    for ((attempt = 0; ; attempt++)); do
      tag=r$r
      ((attempt == 0)) || tag=r$r-retry$attempt
      phase "$p" "$r" "$tag"
      ((other_pct >= disturbed_pct)) || break
      [[ -e $run/disturbed.tsv ]] || printf '%s\tattempt\n' "$(head -1 "$results")" >"$run/disturbed.tsv"
      printf '%s\t%s\n' "$row" "$tag" >>"$run/disturbed.tsv"
      if ((attempt >= retries)); then
        say "WARNING: other processes used $other_pct % of a core while $p was measured; its figures are disturbed (kept after $retries retries)"
        break
      fi
      say "other processes used $other_pct % of a core while $p was measured: measuring $p again"
    done
    echo "$row" >>"$results"
  done
done
stop backend

# --- report ------------------------------------------------------------------------------------------
# per proxy: the median of each column over the rounds; errors summed over the rounds
summary=$(awk -F'\t' -v order="$proxies" '
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  NR > 1 {
    for (c = 3; c <= 12; c++) v[$1, c] = v[$1, c] " " $c
    req[$1] += $7; err[$1] += $8 + $9
  }
  END {
    printf "%-8s %10s %8s %8s %9s %9s %12s %9s %6s %8s\n", "proxy", "rps", "p50 ms", "p99 ms", "p99.9 ms", "errors", "error rate", "new conns", "cpu %", "other %"
    n = split(order, names, ",")
    for (k = 1; k <= n; k++) {
      p = names[k]
      printf "%-8s %10.0f %8.3f %8.3f %9.3f %9d %11.4f%% %9d %6d %8d\n", p, median(v[p, 3]), median(v[p, 4]), median(v[p, 5]),
        median(v[p, 6]), err[p], req[p] ? 100 * err[p] / req[p] : 100, median(v[p, 10]), median(v[p, 11]), median(v[p, 12])
    }
  }' "$results")

ratio() { # metric-column proxy-a proxy-b
  awk -v col="$1" -v a="$2" -v b="$3" '$1 == a { x = $col } $1 == b { y = $col } END { if (x > 0 && y > 0) printf "%.2f", x / y; else printf "n/a" }' <<<"$summary"
}
{
  echo
  [[ $rounds == 1 ]] || echo "medians over $rounds rounds; errors summed (all rounds in results.tsv)"
  echo "$summary"
  echo "(errors: non-2xx/3xx answers + socket errors; new conns: backend connections opened while measured;"
  echo " cpu %: the proxy's CPU, other %: CPU of processes other than proxy, backend and wrk; 100 = one core)"
  echo
  if has router && has haproxy; then echo "router/haproxy p99 ratio $(ratio 4 router haproxy)"; fi
  if has router && has nginx; then echo "router/nginx p99 ratio $(ratio 4 router nginx)"; fi
  if has router && has nginx; then echo "router/nginx rps ratio $(ratio 2 router nginx)"; fi
  if has router && has haproxy; then echo "router/haproxy rps ratio $(ratio 2 router haproxy)"; fi
} >"$run/summary-table.txt"
cat "$run/setup.txt" "$run/summary-table.txt" >"$run/summary.txt"
cat "$run/summary-table.txt"

bad=$(awk -F'\t' 'NR > 1 && ($8 + $9) > 0.001 * $7 { printf "%s%s round %s: %d errors in %d requests", sep, $1, $2, $8 + $9, $7; sep = "; " }' "$results")
[[ -z $bad ]] || die "error rate above 0.1 %: $bad (see $run)"
