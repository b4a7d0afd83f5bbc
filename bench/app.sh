#!/usr/bin/env bash
# bench/app.sh -- myapp against nginx on loopback, with wrk.
#
# Both servers serve the same bytes: myapp serves docker/static/index.html with
# __VERSION__ (and __COMMIT__, __HOSTNAME__) replaced when the file is loaded,
# so the script first fetches that page from myapp and gives nginx an exact
# copy of it (compared with cmp) as its index.html.  Same URL path ("/"), same
# wrk settings: CONNS connections (default 64, keep-alive), WRK_THREADS wrk
# threads (default 2), DURATION seconds per run (default 10).  Both servers
# stay up and are measured in ROUNDS rounds (default 3), alternating which goes
# first, and the median run of each is reported: a busy machine then disturbs
# both alike instead of whichever happened to run second.  myapp runs its release
# build with metrics counting every request; nginx (Debian nginx-light) runs
# from a config in a temporary folder on 127.0.0.1 with worker_processes auto,
# access_log off, keepalive_requests raised so that it, like myapp, keeps
# every connection open for the whole run, sendfile off and an open file cache
# (its fastest settings for this page here).
#
# Prints both req/s and p99 latencies, myapp's peak RSS (VmHWM) and, as the
# last line, "ratio myapp/nginx: X.XX".  Figures only: never fails on speed.
# Env: DURATION, CONNS, WRK_THREADS, ROUNDS, MYAPP (binary; default build/release/bin/myapp,
# built with `make BUILD=release build/release/bin/myapp` when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
CONNS=${CONNS:-64}
WRK_THREADS=${WRK_THREADS:-2}
ROUNDS=${ROUNDS:-3}
MYAPP=${MYAPP:-build/release/bin/myapp}

for tool in wrk nginx curl; do
    command -v "$tool" >/dev/null || PATH=$PATH:/usr/sbin
    command -v "$tool" >/dev/null || { echo "bench/app.sh: '$tool' missing: run scripts/deps.sh bench" >&2; exit 1; }
done
if [ ! -x "$MYAPP" ]; then
    make --no-print-directory BUILD=release build/release/bin/myapp >&2
fi

tmp=$(mktemp -d)
app_pid=
cleanup() {
    [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null
    [ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null
    sleep 0.2
    rm -rf "$tmp"
}
trap cleanup EXIT

# A free port on 127.0.0.1: random, retried while something answers on it.
free_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 40000))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
}

wait_up() { # URL
    for _ in $(seq 100); do curl -fs -o /dev/null "$1" && return 0; sleep 0.05; done
    echo "bench/app.sh: $1 did not come up" >&2; exit 1
}

# run_wrk NAME URL: one measured run; appends "rps p99" to $tmp/NAME.runs.
run_wrk() {
    local name=$1 url=$2 out rps p99
    out=$(wrk -t"$WRK_THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$url")
    rps=$(printf '%s\n' "$out" | awk '/^Requests\/sec:/ {print $2}')
    p99=$(printf '%s\n' "$out" | awk '$1 == "99%" {print $2}')
    echo "$rps $p99" >>"$tmp/$name.runs"
    echo "  $name: $rps req/s, p99 $p99"
    if printf '%s\n' "$out" | grep -q 'Non-2xx\|Socket errors'; then
        printf '%s\n' "$out" | grep 'Non-2xx\|Socket errors' | sed "s/^/  $name: WARNING: /"
    fi
}

# median NAME: the run with the median req/s, as "rps p99".
median() { sort -n "$tmp/$1.runs" | sed -n "$((($(wc -l <"$tmp/$1.runs") + 1) / 2))p"; }

# ---- start both servers ----------------------------------------------------------------
app_port=$(free_port)
"$MYAPP" --bind 127.0.0.1 --port "$app_port" --static docker/static --version bench \
    2>"$tmp/myapp.log" &
app_pid=$!
wait_up "http://127.0.0.1:$app_port/healthz"

mkdir -p "$tmp/www"
curl -fs "http://127.0.0.1:$app_port/" -o "$tmp/www/index.html"
chmod 755 "$tmp" "$tmp/www"
chmod 644 "$tmp/www/index.html"

ngx_port=$(free_port)
cat >"$tmp/nginx.conf" <<EOF
worker_processes auto;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $tmp/client_body;
    proxy_temp_path $tmp/proxy;
    fastcgi_temp_path $tmp/fastcgi;
    uwsgi_temp_path $tmp/uwsgi;
    scgi_temp_path $tmp/scgi;
    types { text/html html; }
    # nginx's best settings for one small file on loopback (measured: sendfile
    # is slower here than a plain write; the open file cache skips open/fstat)
    sendfile off;
    open_file_cache max=1000 inactive=60s;
    open_file_cache_valid 60s;
    keepalive_requests 100000000;
    keepalive_timeout 120s;
    server {
        listen 127.0.0.1:$ngx_port;
        root $tmp/www;
        index index.html;
    }
}
EOF
nginx -p "$tmp" -c "$tmp/nginx.conf" -g 'daemon on;'
wait_up "http://127.0.0.1:$ngx_port/"
curl -fs "http://127.0.0.1:$ngx_port/" | cmp -s - "$tmp/www/index.html" ||
    { echo "bench/app.sh: nginx does not serve the same bytes" >&2; exit 1; }

# ---- measure: ROUNDS rounds, alternating which server goes first -----------------------
echo "== wrk: ${CONNS} connections (keep-alive), ${WRK_THREADS} threads, ${DURATION}s per run," \
     "${ROUNDS} rounds; myapp $MYAPP, $(nginx -v 2>&1 | sed 's/.*: //')"
app_url="http://127.0.0.1:$app_port/"
ngx_url="http://127.0.0.1:$ngx_port/"
wrk -t"$WRK_THREADS" -c"$CONNS" -d1s "$app_url" >/dev/null # warm up
wrk -t"$WRK_THREADS" -c"$CONNS" -d1s "$ngx_url" >/dev/null
for r in $(seq "$ROUNDS"); do
    echo "round $r"
    if [ $((r % 2)) -eq 1 ]; then
        run_wrk myapp "$app_url"
        run_wrk nginx "$ngx_url"
    else
        run_wrk nginx "$ngx_url"
        run_wrk myapp "$app_url"
    fi
done
rss_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$app_pid/status")
counted=$(curl -fs "http://127.0.0.1:$app_port/metrics" |
          awk '/^http_requests_total\{method="GET",path="\/",status="200"\}/ {print $2}')
read -r rps_myapp p99_myapp <<<"$(median myapp)"
read -r rps_nginx p99_nginx <<<"$(median nginx)"

# ---- summary -------------------------------------------------------------------------
echo "== summary: median of ${ROUNDS} rounds (page: $(wc -c <"$tmp/www/index.html") bytes, $(nproc) CPUs)"
echo "myapp: ${rps_myapp} req/s, p99 ${p99_myapp}"
echo "nginx: ${rps_nginx} req/s, p99 ${p99_nginx}"
awk -v k="$rss_kb" 'BEGIN { printf "myapp peak RSS: %.2f MiB (%d kB VmHWM)\n", k / 1024, k }'
echo "myapp /metrics counted GET / 200: ${counted:-?}"
awk -v a="$rps_myapp" -v b="$rps_nginx" 'BEGIN { printf "ratio myapp/nginx: %.2f\n", (b > 0 ? a / b : 0) }'
