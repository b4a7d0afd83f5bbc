#!/usr/bin/env bash
# bench/app-soak.sh -- myapp under full load for a while: error responses and RSS.
#
# Runs wrk against myapp's index page for DURATION seconds (default 60) with
# CONNS connections (default 64, keep-alive), sampling myapp's resident memory
# (VmRSS) every SAMPLE seconds (default 5).  A flat RSS series shows no leak;
# the report gives wrk's count of non-2xx/3xx responses and socket errors,
# which should both be 0.  Figures only.  Env: DURATION, CONNS, WRK_THREADS,
# SAMPLE, MYAPP (default build/release/bin/myapp, built when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-60}
CONNS=${CONNS:-64}
WRK_THREADS=${WRK_THREADS:-2}
SAMPLE=${SAMPLE:-5}
MYAPP=${MYAPP:-build/release/bin/myapp}

command -v wrk >/dev/null || { echo "bench/app-soak.sh: wrk missing: run scripts/deps.sh bench" >&2; exit 1; }
[ -x "$MYAPP" ] || make --no-print-directory BUILD=release build/release/bin/myapp >&2

tmp=$(mktemp -d)
app_pid=
cleanup() {
    [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

while :; do
    port=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
done
"$MYAPP" --bind 127.0.0.1 --port "$port" --static docker/static --version soak 2>"$tmp/myapp.log" &
app_pid=$!
for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.05; done

url="http://127.0.0.1:$port/"
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$app_pid/status"; }
echo "== soak: $url, ${CONNS} connections, ${DURATION}s, RSS every ${SAMPLE}s"
echo "RSS before load: $(rss) kB"
wrk -t"$WRK_THREADS" -c"$CONNS" -d"${DURATION}s" "$url" >"$tmp/wrk.out" &
wrk_pid=$!
samples=()
t=0
while kill -0 "$wrk_pid" 2>/dev/null; do
    sleep "$SAMPLE"
    t=$((t + SAMPLE))
    kill -0 "$wrk_pid" 2>/dev/null || break
    samples+=("$(rss)")
    echo "t=${t}s RSS ${samples[-1]} kB"
done
wait "$wrk_pid"
sed 's/^/  [wrk] /' "$tmp/wrk.out"

non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$tmp/wrk.out")
sockerr=$(awk '/Socket errors:/ {print}' "$tmp/wrk.out")
rps=$(awk '/^Requests\/sec:/ {print $2}' "$tmp/wrk.out")
counted=$(curl -fs "http://127.0.0.1:$port/metrics" |
          awk '/^http_requests_total\{method="GET",path="\/",status="200"\}/ {print $2}')
echo "== summary"
echo "req/s: $rps"
echo "non-2xx responses: ${non2xx:-0}"
echo "socket errors: ${sockerr:-none}"
echo "myapp counted GET / 200: ${counted:-?}"
echo "RSS samples (kB): ${samples[*]}"
min=$(printf '%s\n' "${samples[@]}" | sort -n | head -1)
max=$(printf '%s\n' "${samples[@]}" | sort -n | tail -1)
echo "RSS spread over the run: $((max - min)) kB (min $min, max $max)"
