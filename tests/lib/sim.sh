# tests/lib/sim.sh -- shared harness of the end-to-end scripts that drive
# `sim serve` with the real kubectl (sourced, not run).  Gives:
#   ok/bad/skp/summary       counters and the closing "N passed, N failed, N skipped"
#   require_kubectl NAME N   without kubectl: a loud banner, N skipped, exit 0
#   sim_start ARGS...        $BIN/sim serve on a free 127.0.0.1 port with its own
#                            kubeconfig, HOME and kubectl cache in $TMP (one check)
#   sim_stop                 SIGTERM; checks a clean exit with no sanitizer report
#   k ARGS...                kubectl with the cache dir and a timeout, output in $OUT
#   show                     the last output, indented
#   finish N                 checks the count of checks ran, prints the summary
# The caller sets NAME (for messages) and may set K_TIMEOUT (default 20 s) and
# add its own clean-up to CLEANUP_HOOKS.
set -u
BIN=${BIN:-build/bin}
BIN=$(cd "$BIN" 2>/dev/null && pwd) || { echo "$NAME: BIN folder not found" >&2; exit 1; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

pass=0; fail=0; skip=0
ok()   { pass=$((pass + 1)); echo "ok    $*"; }
bad()  { fail=$((fail + 1)); echo "FAIL  $*"; }
skp()  { skip=$((skip + 1)); echo "skip  $*"; }
summary() { echo "$pass passed, $fail failed, $skip skipped"; }

require_kubectl() {
    command -v kubectl >/dev/null 2>&1 && return 0
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    echo "!! $1: kubectl is NOT on PATH: every check is SKIPPED."
    echo "!! Nothing was verified against the real kubectl."
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    skip=$2
    summary
    exit 0
}

require_bins() {
    for p in "$@"; do
        [ -x "$BIN/$p" ] && continue
        bad "$BIN/$p is missing (build it first)"
        summary
        exit 1
    done
}

TMP=$(mktemp -d "/tmp/${NAME%.sh}.XXXXXX")
export HOME=$TMP/home KUBECACHEDIR=$TMP/cache KUBECONFIG=$TMP/kubeconfig
mkdir -p "$HOME" "$KUBECACHEDIR"
OUT=$TMP/out
SIM_PID=
CLEANUP_HOOKS=()
sim_cleanup() {
    for h in "${CLEANUP_HOOKS[@]}"; do "$h"; done
    [ -n "$SIM_PID" ] && kill -TERM "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap sim_cleanup EXIT

sim_start() {
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
    "$BIN/sim" serve --port 0 --kubeconfig "$KUBECONFIG" "$@" >"$TMP/sim.out" 2>"$TMP/sim.err" &
    SIM_PID=$!
    for _ in $(seq 1 100); do
        grep -q 'serving the Kubernetes API' "$TMP/sim.out" 2>/dev/null && [ -s "$KUBECONFIG" ] && break
        sleep 0.1
    done
    if ! grep -q 'serving the Kubernetes API' "$TMP/sim.out"; then
        bad "sim serve starts"; cat "$TMP/sim.err"; summary; exit 1
    fi
    ok "sim serve starts ($(head -1 "$TMP/sim.out" | sed 's/.*on //'))"
}

sim_stop() {
    local rc
    kill -TERM "$SIM_PID"
    wait "$SIM_PID"; rc=$?
    SIM_PID=
    if [ $rc -eq 0 ] && ! grep -q 'ERROR: \(Address\|Leak\)Sanitizer' "$TMP/sim.err"; then
        ok "sim serve stops cleanly on SIGTERM"
    else
        bad "sim serve stops cleanly on SIGTERM (exit $rc)"; tail -30 "$TMP/sim.err"
    fi
}

k() { timeout "${K_TIMEOUT:-20}" kubectl --cache-dir "$KUBECACHEDIR" "$@" >"$OUT" 2>&1; }
show() { sed 's/^/      | /' "$OUT" | head -15; }

finish() {
    local total=$((pass + fail + skip))
    [ $total -eq "$1" ] || bad "check count: ran $total, expected $1"
    summary
    [ $fail -eq 0 ]
}
