#!/usr/bin/env bash
# tests/myapp.sh -- end-to-end test of $BIN/myapp with curl.
# Starts myapp on 127.0.0.1 (a free port it picks itself) over a temporary
# static folder that holds a symlink pointing outside, then checks the page,
# content types, ETag/304, HEAD, traversal refusals, the API routes, size
# caps, keep-alive, fault injection, the access log and graceful shutdown.
set -u
: "${BIN:?BIN must name the folder of the programs}"
MYAPP=$BIN/myapp
pass=0
fail=0
tmp=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); echo "ok   - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1${2:+: $2}"; }
# expect NAME WANT GOT
expect() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "want '$2', got '$3'"; fi; }
# contains NAME NEEDLE HAYSTACK
contains() {
    case "$3" in *"$2"*) ok "$1" ;; *) bad "$1" "'$2' not in '$(printf '%s' "$3" | head -c 300)'" ;; esac
}

# ---- fixture ---------------------------------------------------------------------------
site=$tmp/site
mkdir -p "$site/sub" "$site/assets"
printf '<!doctype html><title>t</title><h1 id="version">__VERSION__</h1>\n' >"$site/index.html"
printf 'body { color: red }\n' >"$site/assets/style.css"
printf 'console.log(1)\n' >"$site/app.js"
printf '<svg xmlns="http://www.w3.org/2000/svg"/>\n' >"$site/favicon.svg"
printf '{"a":1}\n' >"$site/data.json"
printf 'in sub\n' >"$site/sub/note.txt"
printf 'TOP SECRET\n' >"$tmp/secret.txt"
ln -s "$tmp/secret.txt" "$site/leak.txt"
ln -s "$tmp" "$site/up"

# start_app LOGFILE ARGS...: starts myapp, sets pid and base.
start_app() {
    local log=$1
    shift
    "$MYAPP" --bind 127.0.0.1 --port 0 --static "$site" --version 9.8.7-test --commit c0ffee \
        "$@" 2>"$log" &
    pid=$!
    local port=
    for _ in $(seq 200); do
        port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$log")
        [ -n "$port" ] && break
        sleep 0.05
    done
    [ -n "$port" ] || { echo "myapp did not start:"; cat "$log"; exit 1; }
    base=http://127.0.0.1:$port
}

code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
header() { # header NAME curl-args...: value of response header NAME
    local name=$1
    shift
    curl -s -o /dev/null -D - "$@" | tr -d '\r' | sed -n "s/^$name: //Ip" | head -1
}

# ---- usage ---------------------------------------------------------------------------
"$MYAPP" --help >"$tmp/help" 2>&1
expect "--help exits 0" 0 $?
contains "--help lists --latency" "--latency" "$(cat "$tmp/help")"
"$MYAPP" --port nope >/dev/null 2>&1
expect "bad --port exits 2" 2 $?
"$MYAPP" --latency soon >/dev/null 2>&1
expect "bad --latency exits 2" 2 $?
"$MYAPP" --port 0 --static "$tmp/nowhere" >/dev/null 2>&1
expect "missing static folder exits 1" 1 $?

"$MYAPP" --drain-timeout 90s --help >/dev/null 2>&1
expect "--drain-timeout 90s accepted" 0 $?
"$MYAPP" --drain-timeout 1m30s --help >/dev/null 2>&1
expect "--drain-timeout 1m30s accepted" 0 $?
"$MYAPP" --drain-timeout 2h --help >/dev/null 2>&1
expect "--drain-timeout over an hour exits 2" 2 $?

start_app "$tmp/log1" --access-log

# ---- static files ----------------------------------------------------------------------
body=$(curl -s "$base/")
contains "page shows the version" '<h1 id="version">9.8.7-test</h1>' "$body"
expect "index content type" "text/html; charset=utf-8" "$(header Content-Type "$base/")"
expect "css content type" "text/css; charset=utf-8" "$(header Content-Type "$base/assets/style.css")"
expect "js content type" "text/javascript; charset=utf-8" "$(header Content-Type "$base/app.js")"
expect "svg content type" "image/svg+xml" "$(header Content-Type "$base/favicon.svg")"
expect "json content type" "application/json" "$(header Content-Type "$base/data.json")"
expect "/index.html is the same page" "$body" "$(curl -s "$base/index.html")"
etag=$(header ETag "$base/")
contains "ETag is a quoted tag" '"' "$etag"
[ -n "$(header Last-Modified "$base/")" ] && ok "Last-Modified present" || bad "Last-Modified present"
expect "If-None-Match gives 304" 304 "$(code -H "If-None-Match: $etag" "$base/")"
# RFC 9110 8.6: a 304 carries no Content-Length, or the 200's one (never 0).
cl304=$(header Content-Length -H "If-None-Match: $etag" "$base/")
[ -z "$cl304" ] || [ "$cl304" = "$(header Content-Length "$base/")" ] &&
    ok "304 Content-Length absent or the 200's" || bad "304 Content-Length absent or the 200's" "$cl304"
expect "304 keeps the ETag" "$etag" "$(header ETag -H "If-None-Match: $etag" "$base/")"
expect "weak tag in an If-None-Match list gives 304" 304 \
    "$(code -H "If-None-Match: \"x\", W/$etag" "$base/")"
expect "If-None-Match: * gives 304" 304 "$(code -H 'If-None-Match: *' "$base/")"
expect "Range is ignored: full 200" 200 "$(code -H 'Range: bytes=0-3' "$base/")"
expect "DELETE on a file: Allow header" "GET, HEAD" "$(header Allow -X DELETE "$base/index.html")"
expect "stale If-None-Match gives 200" 200 "$(code -H 'If-None-Match: "nope"' "$base/")"
expect "HEAD gives 200" 200 "$(code -I "$base/")"
expect "HEAD has no body" 0 "$(curl -s -I -o /dev/null -w '%{size_download}' "$base/")"
expect "HEAD Content-Length is the page size" "${#body}" "$(($(header Content-Length -I "$base/") - 1))"

# ---- refusing to escape the folder ---------------------------------------------------------
expect "'..' refused" 400 "$(code --path-as-is "$base/../secret.txt")"
expect "'sub/../..' refused" 400 "$(code --path-as-is "$base/sub/../../secret.txt")"
expect "'%2e%2e' refused" 400 "$(code --path-as-is "$base/%2e%2e/secret.txt")"
expect "'%2E%2e%2f' refused" 400 "$(code --path-as-is "$base/%2E%2e%2fsecret.txt")"
expect "symlink pointing out refused" 404 "$(code "$base/leak.txt")"
expect "symlinked folder pointing out refused" 404 "$(code "$base/up/secret.txt")"
all=$(curl -s --path-as-is "$base/../secret.txt" "$base/leak.txt" "$base/up/secret.txt")
case "$all" in *SECRET*) bad "secret never served" ;; *) ok "secret never served" ;; esac
expect "no directory listing" 404 "$(code "$base/sub/")"
expect "no directory listing without slash" 404 "$(code "$base/sub")"
expect "file in sub folder served" 200 "$(code "$base/sub/note.txt")"
expect "unknown path 404" 404 "$(code "$base/nope.html")"
expect "POST on a file 405" 405 "$(code -X POST "$base/index.html")"

# ---- API ----------------------------------------------------------------------------------
expect "/healthz" ok "$(curl -s "$base/healthz")"
expect "/readyz ready" 200 "$(code "$base/readyz")"
expect "POST /readyz/disable" 503 "$(code -X POST "$base/readyz/disable")"
expect "/readyz after disable" 503 "$(code "$base/readyz")"
expect "POST /readyz/enable" 200 "$(code -X POST "$base/readyz/enable")"
expect "/readyz after enable" 200 "$(code "$base/readyz")"
expect "GET /readyz/enable is 405" 405 "$(code "$base/readyz/enable")"
v=$(curl -s "$base/version")
contains "/version has version" '"version":"9.8.7-test"' "$v"
contains "/version has commit" '"commit":"c0ffee"' "$v"
contains "/version has hostname" "\"hostname\":\"$(hostname)\"" "$v"
expect "/version content type" application/json "$(header Content-Type "$base/version")"
expect "/echo returns the body" 'hello, webhook' "$(curl -s -d 'hello, webhook' "$base/echo")"
expect "/echo keeps the content type" "application/x-test" \
    "$(header Content-Type -H 'Content-Type: application/x-test' -d x "$base/echo")"
expect "GET /echo is 405" 405 "$(code "$base/echo")"
expect "/status/418" 418 "$(code "$base/status/418")"
expect "/status/503" 503 "$(code "$base/status/503")"
expect "/status/600 is 400" 400 "$(code "$base/status/600")"
expect "/status/99 is 400" 400 "$(code "$base/status/99")"
expect "/status/abc is 400" 400 "$(code "$base/status/abc")"
expect "/status/ is 400" 400 "$(code "$base/status/")"
t0=$(date +%s%N)
expect "/delay/0.3" 200 "$(code "$base/delay/0.3")"
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -ge 290 ] && ok "/delay/0.3 waits (${ms}ms)" || bad "/delay/0.3 waits" "${ms}ms"
expect "/delay/11 is 400" 400 "$(code "$base/delay/11")"
expect "/delay/-1 is 400" 400 "$(code "$base/delay/-1")"
expect "/delay/x is 400" 400 "$(code "$base/delay/x")"

# ---- caps and bad input -------------------------------------------------------------------------
head -c $((2 * 1024 * 1024)) /dev/zero >"$tmp/big"
expect "2 MiB body is 413" 413 "$(code --data-binary @"$tmp/big" "$base/echo")"
expect "2 MiB chunked body is 413" 413 \
    "$(code -H 'Transfer-Encoding: chunked' --data-binary @"$tmp/big" "$base/echo")"
head -c $((1024 * 1024)) /dev/zero | tr '\0' a >"$tmp/mib"
expect "1 MiB body is accepted" $((1024 * 1024)) "$(curl -s --data-binary @"$tmp/mib" "$base/echo" | wc -c)"
big=$(head -c 40000 /dev/zero | tr '\0' a)
expect "huge header is 431" 431 "$(code -H "X-Big: $big" "$base/")"
raw_request() { # raw_request TEXT: first line of the answer to a hand-written request
    (exec 3<>"/dev/tcp/127.0.0.1/${base##*:}"; printf "$1" >&3; timeout 5 cat <&3) 2>/dev/null | head -1
}
contains "malformed header line is 400" " 400 " "$(raw_request 'GET / HTTP/1.1\r\nHost: x\r\nno colon\r\n\r\n')"
contains "bad Content-Length is 400" " 400 " \
    "$(raw_request 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n')"
contains "HTTP/1.1 without Host is 400" " 400 " "$(raw_request 'GET / HTTP/1.1\r\n\r\n')"
contains "HTTP/1.0 without Host is fine" " 200 " "$(raw_request 'GET / HTTP/1.0\r\n\r\n')"
raw_request 'GARBAGE\r\n\r\n' >/dev/null
expect "still serving after bad input" 200 "$(code "$base/healthz")"

# ---- keep-alive ------------------------------------------------------------------------------
kv=$(curl -sv -o /dev/null -o /dev/null "$base/" "$base/healthz" 2>&1)
contains "keep-alive reuses the connection" "Re-using existing connection" "$kv"
case "$kv" in *"Connection: close"*) bad "no Connection: close" ;; *) ok "no Connection: close" ;; esac

# ---- metrics ---------------------------------------------------------------------------------
m1=$(curl -s "$base/metrics" | awk '/^http_requests_total\{method="GET",path="\/healthz",status="200"\}/ {print $2}')
curl -s -o /dev/null "$base/healthz"
curl -s -o /dev/null "$base/healthz"
m=$(curl -s "$base/metrics")
m2=$(printf '%s\n' "$m" | awk '/^http_requests_total\{method="GET",path="\/healthz",status="200"\}/ {print $2}')
expect "/metrics counts requests" $((${m1:-0} + 2)) "${m2:-none}"
contains "/metrics counts 418" 'http_requests_total{method="GET",path="/status/{code}",status="418"} 1' "$m"
contains "/metrics collapses unknown paths" 'path="other",status="404"' "$m"
# /delay/{seconds} saw 3 fast 400s and one 0.3 s wait
contains "/metrics histogram below 0.25s" 'http_request_duration_seconds_bucket{path="/delay/{seconds}",le="0.25"} 3' "$m"
contains "/metrics histogram below 0.5s" 'http_request_duration_seconds_bucket{path="/delay/{seconds}",le="0.5"} 4' "$m"
contains "/metrics has RSS" "process_resident_memory_bytes " "$m"
contains "/metrics has CPU" "process_cpu_seconds_total " "$m"
contains "/metrics has start time" "process_start_time_seconds " "$m"
expect "/metrics content type" "text/plain; version=0.0.4; charset=utf-8" "$(header Content-Type "$base/metrics")"

# ---- fault injection ------------------------------------------------------------------------
contains "GET /admin/fault" '{"errorRate":0,"latency":"none"}' "$(curl -s "$base/admin/fault")"
curl -s -o /dev/null -d '{"errorRate":1}' "$base/admin/fault"
codes=$(for _ in 1 2 3 4 5; do code "$base/"; echo; done | sort -u | tr '\n' ' ')
expect "errorRate 1 gives 500s" "500 " "$codes"
expect "probes are spared" 200 "$(code "$base/healthz")"
expect "bad fault JSON is 400" 400 "$(code -d '{"errorRate":2}' "$base/admin/fault")"
curl -s -o /dev/null -d '{"errorRate":0,"latency":"300ms"}' "$base/admin/fault"
t0=$(date +%s%N)
expect "latency fault still answers" 200 "$(code "$base/")"
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -ge 290 ] && ok "latency fault delays (${ms}ms)" || bad "latency fault delays" "${ms}ms"
curl -s -o /dev/null -d '{"latency":"none"}' "$base/admin/fault"
expect "fault cleared" 200 "$(code "$base/")"

# ---- file changes -----------------------------------------------------------------------------
printf 'body { color: blue }\n' >"$site/assets/style.css"
sleep 1.2
contains "changed file served" "blue" "$(curl -s "$base/assets/style.css")"

# ---- access log ---------------------------------------------------------------------------------
contains "access log is JSON lines" '"method":"GET","path":"/healthz","status":200' "$(cat "$tmp/log1")"

# ---- graceful shutdown ------------------------------------------------------------------------
curl -s -o "$tmp/delayed" -w '%{http_code}' "$base/delay/1" >"$tmp/delayed.code" &
cpid=$!
sleep 0.3
kill -TERM "$pid"
wait "$cpid"
expect "in-flight request completes after SIGTERM" 200 "$(cat "$tmp/delayed.code")"
wait "$pid"
expect "SIGTERM exits 0" 0 $?
pid=
contains "shutdown logged" "drained, exiting" "$(cat "$tmp/log1")"

# Drain timeout: a request longer than the timeout is cut short, still exit 0.
start_app "$tmp/log2" --drain-timeout 300ms --error-rate 1
expect "--error-rate 1 gives 500" 500 "$(code "$base/")"
curl -s -o /dev/null "$base/delay/5" &
cpid=$!
sleep 0.2
t0=$(date +%s%N)
kill -TERM "$pid"
wait "$pid"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
pid=
wait "$cpid" 2>/dev/null
expect "exit 0 after drain timeout" 0 "$rc"
[ "$ms" -lt 3000 ] && ok "drain timeout honoured (${ms}ms)" || bad "drain timeout honoured" "${ms}ms"

# SIGTERM while keep-alive clients keep sending delayed requests: the drain
# times out with requests suspended; stopping must not abort (MHD panics when
# stopped with a suspended connection).
weird=$(printf 'v1\t"q"\\')
start_app "$tmp/log3" --latency 50ms --drain-timeout 300ms --version "$weird"
contains "/metrics escapes label values the Prometheus way" \
    "myapp_info{version=\"$(printf 'v1\t\\"q\\"\\\\')\",commit=\"c0ffee\"} 1" "$(curl -s "$base/metrics")"
urls=$(for _ in $(seq 100); do printf '%s/ ' "$base"; done)
cpids=
for _ in 1 2 3 4; do
    curl -s $urls >/dev/null 2>&1 &
    cpids="$cpids $!"
done
sleep 0.5
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
kill $cpids 2>/dev/null
wait $cpids 2>/dev/null
expect "SIGTERM under keep-alive load with latency exits 0" 0 "$rc"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
