#!/usr/bin/env bash
# bench/kube.sh -- figures for the engine's kube client and the simulator's API.
# Builds the release tree, starts `sim serve` with PODS preloaded pods, and
# measures over loopback: listing every pod (time, peak RSS of client and sim),
# GETs of one object from one connection, watch events per second while another
# client patches a pod, then the in-process round trip (bench/kube_inproc.c,
# compiled here against the release libraries).  Prints "name value" lines;
# never fails on a figure (targets: >= 5000 GET/s, in-process <= 100 us).
# Env: PODS (10000), GETS (20000), WATCH_SECS (5), INPROC_GETS (20000),
#      O (build folder, default build/release).
set -euo pipefail
cd "$(dirname "$0")/.."
PODS=${PODS:-10000}
GETS=${GETS:-20000}
WATCH_SECS=${WATCH_SECS:-5}
INPROC_GETS=${INPROC_GETS:-20000}

O=${O:-build/release}
make --no-print-directory BUILD=release O="$O" all >/dev/null
BIN=$O/bin
LIB=$O/lib

tmp=$(mktemp -d)
simpid=""
churnpid=""
cleanup() {
    [ -n "$churnpid" ] && kill "$churnpid" 2>/dev/null || true
    [ -n "$simpid" ] && kill "$simpid" 2>/dev/null && wait "$simpid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

"$BIN/sim" serve --port 0 --kubeconfig "$tmp/kubeconfig" --preload-pods "$PODS" \
    --log-level warn >"$tmp/sim.out" 2>&1 &
simpid=$!
for _ in $(seq 1 600); do
    grep -q "serving" "$tmp/sim.out" 2>/dev/null && break
    kill -0 "$simpid" 2>/dev/null || { cat "$tmp/sim.out" >&2; exit 1; }
    sleep 0.1
done
grep -q "serving" "$tmp/sim.out" || { echo "sim did not start" >&2; exit 1; }

K=("$BIN/gitops" kube --kubeconfig "$tmp/kubeconfig")
val() { sed -n "s/.*$1=\([^ ]*\).*/\1/p"; }

out=$("${K[@]}" bench list -n bench --limit 500)
echo "list_pods $(echo "$out" | val list_items)"
echo "list_pages $(echo "$out" | val pages)"
echo "list_seconds $(echo "$out" | val seconds)"
echo "list_client_peak_rss_kb $(echo "$out" | val client_peak_rss_kb)"
echo "sim_peak_rss_kb $(awk '/VmHWM/ {print $2}' "/proc/$simpid/status")"

out=$("${K[@]}" bench get pods bench-000000 -n bench --count "$GETS")
echo "get_one_connection_per_second $(echo "$out" | val per_second)"

"${K[@]}" bench watch -n bench --seconds "$WATCH_SECS" >"$tmp/watch.out" &
watchpid=$!
sleep 0.5
"${K[@]}" bench churn bench-000001 -n bench --count 100000000 >"$tmp/churn.out" 2>&1 &
churnpid=$!
wait "$watchpid"
kill "$churnpid" 2>/dev/null || true
wait "$churnpid" 2>/dev/null || true
churnpid=""
echo "watch_events_per_second $(val per_second <"$tmp/watch.out")"
echo "watch_events $(val watch_events <"$tmp/watch.out")"

cc -std=c11 -D_GNU_SOURCE -O2 -g -DNDEBUG -Iengine -Isim \
    $(pkg-config --cflags libcjson libcurl libmicrohttpd yaml-0.1) \
    -o "$tmp/kube_inproc" bench/kube_inproc.c "$LIB/libsim.a" "$LIB/libkube.a" "$LIB/libcore.a" \
    $(pkg-config --libs libcjson libcurl libmicrohttpd yaml-0.1) -lm -lpthread
out=$("$tmp/kube_inproc" "$INPROC_GETS" "$PODS")
echo "inproc_get_round_trip_us $(echo "$out" | val inproc_get_us)"
echo "inproc_list_seconds $(echo "$out" | val inproc_list_seconds)"
