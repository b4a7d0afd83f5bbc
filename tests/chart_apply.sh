#!/usr/bin/env bash
# chart_apply.sh -- the rendered charts/myapp is accepted by the simulated
# cluster.  Starts $BIN/sim serve on a free 127.0.0.1 port with its own
# kubeconfig, HOME and kubectl cache dir; renders charts/myapp with
# `gitops template myapp charts/myapp -n myapp` (default values, the seed's
# values, and the seed's values with a new image tag) and applies each with
# the real kubectl into namespace myapp, checking what kubectl reports
# (created / unchanged / configured), that `kubectl get` lists every object
# and that the Deployment rolls out.  Last line: "N passed, N failed, N
# skipped"; without kubectl every check is SKIPPED (never passed).
set -u
BIN=${BIN:-build/bin}
BIN=$(cd "$BIN" 2>/dev/null && pwd) || { echo "chart_apply.sh: BIN folder not found" >&2; exit 1; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

pass=0; fail=0; skip=0
ok()   { pass=$((pass + 1)); echo "ok    $*"; }
bad()  { fail=$((fail + 1)); echo "FAIL  $*"; }
summary() { echo "$pass passed, $fail failed, $skip skipped"; }

NCHECKS=17
if ! command -v kubectl >/dev/null 2>&1; then
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    echo "!! chart_apply.sh: kubectl is NOT on PATH: every check is SKIPPED.          !!"
    echo "!! Nothing was verified: the chart was not applied to any API server.      !!"
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    skip=$NCHECKS
    summary
    exit 0
fi
for p in sim gitops; do
    if [ ! -x "$BIN/$p" ]; then
        bad "$BIN/$p is missing (build it first)"
        summary
        exit 1
    fi
done

TMP=$(mktemp -d /tmp/chart-apply.XXXXXX)
export HOME=$TMP/home KUBECACHEDIR=$TMP/cache KUBECONFIG=$TMP/kubeconfig
mkdir -p "$HOME" "$KUBECACHEDIR"
SIM_PID=
cleanup() {
    [ -n "$SIM_PID" ] && kill -TERM "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

# ---- start the server --------------------------------------------------------------------
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
"$BIN/sim" serve --port 0 --kubeconfig "$KUBECONFIG" --start-delay 200ms --ready-delay 300ms \
    >"$TMP/sim.out" 2>"$TMP/sim.err" &
SIM_PID=$!
for _ in $(seq 1 100); do
    grep -q 'serving the Kubernetes API' "$TMP/sim.out" 2>/dev/null && [ -s "$KUBECONFIG" ] && break
    sleep 0.1
done
if ! grep -q 'serving the Kubernetes API' "$TMP/sim.out"; then
    bad "sim serve starts"; cat "$TMP/sim.err"; summary; exit 1
fi
ok "sim serve starts ($(head -1 "$TMP/sim.out" | sed 's/.*on //'))"

# ---- helpers -------------------------------------------------------------------------------
OUT=$TMP/out
k() { timeout 30 kubectl --cache-dir "$KUBECACHEDIR" "$@" >"$OUT" 2>&1; }
show() { sed 's/^/      | /' "$OUT" | head -15; }
# expect DESC ARGS... -- PATTERN...: kubectl ARGS succeeds and prints every
# PATTERN (ERE, each on a line of its own).
expect() {
    local desc=$1 args=() pats=() miss=""
    shift
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do args+=("$1"); shift; done
    shift
    pats=("$@")
    if ! k "${args[@]}"; then
        bad "kubectl ${args[*]} ($desc): exit status"; show; return
    fi
    for p in "${pats[@]}"; do
        grep -Eq -- "^$p\$" "$OUT" || miss="$miss /$p/"
    done
    if [ -z "$miss" ]; then ok "kubectl ${args[*]//$TMP\//} ($desc)"
    else bad "kubectl ${args[*]} ($desc): missing$miss"; show; fi
}
# render NAME ARGS...: gitops template into $TMP/NAME.yaml (a check).
render() {
    local name=$1
    shift
    if "$BIN/gitops" template myapp charts/myapp -n myapp "$@" >"$TMP/$name.yaml" \
        2>"$TMP/$name.err" && [ -s "$TMP/$name.yaml" ]; then
        ok "gitops template myapp charts/myapp -n myapp $* ($(grep -c '^kind:' "$TMP/$name.yaml") documents)"
    else
        bad "gitops template myapp charts/myapp -n myapp $*"; sed 's/^/      | /' "$TMP/$name.err"
    fi
}

# ---- render ---------------------------------------------------------------------------------
SEED=tests/helm/values/myapp-seed.yaml
render default
render seed -f "$SEED"
render seed-tag -f "$SEED" --set image.tag=1.0.1-master

# ---- apply ----------------------------------------------------------------------------------
expect "namespace" create namespace myapp -- 'namespace/myapp created'
expect "default values: created" apply -n myapp -f "$TMP/default.yaml" -- \
    'service/myapp created' 'deployment\.apps/myapp created' \
    'horizontalpodautoscaler\.autoscaling/myapp created'
expect "default values again: unchanged" apply -n myapp -f "$TMP/default.yaml" -- \
    'service/myapp unchanged' 'deployment\.apps/myapp unchanged' \
    'horizontalpodautoscaler\.autoscaling/myapp unchanged'
expect "seed values: the canary and the load tester are new" apply -n myapp \
    -f "$TMP/seed.yaml" -- \
    'service/myapp-loadtester created' 'service/myapp unchanged' \
    'deployment\.apps/myapp unchanged' 'deployment\.apps/myapp-loadtester created' \
    'horizontalpodautoscaler\.autoscaling/myapp unchanged' 'canary\.flagger\.app/myapp created'
expect "seed values again: unchanged" apply -n myapp -f "$TMP/seed.yaml" -- \
    'service/myapp-loadtester unchanged' 'service/myapp unchanged' \
    'deployment\.apps/myapp unchanged' 'deployment\.apps/myapp-loadtester unchanged' \
    'horizontalpodautoscaler\.autoscaling/myapp unchanged' 'canary\.flagger\.app/myapp unchanged'
expect "new image tag: only the Deployment changes" apply -n myapp -f "$TMP/seed-tag.yaml" -- \
    'deployment\.apps/myapp configured' 'service/myapp unchanged' \
    'canary\.flagger\.app/myapp unchanged' 'deployment\.apps/myapp-loadtester unchanged'

# ---- what the cluster holds -------------------------------------------------------------------
expect "every object listed" get deploy,svc,hpa,canary -n myapp -o name -- \
    'deployment\.apps/myapp' 'deployment\.apps/myapp-loadtester' 'service/myapp' \
    'service/myapp-loadtester' 'horizontalpodautoscaler\.autoscaling/myapp' \
    'canary\.flagger\.app/myapp'
expect "table output" get deploy,svc,hpa,canary -n myapp -- \
    'deployment\.apps/myapp +[0-9]+/[0-9]+ .*' 'service/myapp +ClusterIP .*' \
    'horizontalpodautoscaler\.autoscaling/myapp +Deployment/myapp .*' 'canary\.flagger\.app/myapp .*'
expect "image from --set" get deploy myapp -n myapp \
    -o 'jsonpath={.spec.template.spec.containers[0].image}' -- 'gcr\.io/PROJECT/myapp:1\.0\.1-master'
expect "canary targets the deployment" get canary myapp -n myapp \
    -o 'jsonpath={.spec.targetRef.kind}/{.spec.targetRef.name}' -- 'Deployment/myapp'
if timeout 70 kubectl --cache-dir "$KUBECACHEDIR" rollout status deploy/myapp -n myapp \
    --timeout=60s >"$OUT" 2>&1 && grep -q 'successfully rolled out' "$OUT"; then
    ok "kubectl rollout status deploy/myapp -n myapp --timeout=60s"
else
    bad "kubectl rollout status deploy/myapp -n myapp --timeout=60s"; show
fi
# After the rollout every pod of the app runs the new tag (and there is one).
if k get pods -n myapp -l app=myapp \
    -o 'jsonpath={range .items[*]}{.spec.containers[0].image}{"\n"}{end}' &&
    grep -q . "$OUT" && ! grep -vq '^gcr\.io/PROJECT/myapp:1\.0\.1-master$' "$OUT"; then
    ok "kubectl get pods -n myapp -l app=myapp (every pod runs the new tag)"
else
    bad "kubectl get pods -n myapp -l app=myapp (every pod runs the new tag)"; show
fi

# ---- clean exit of the server -------------------------------------------------------------------
kill -TERM "$SIM_PID"
wait "$SIM_PID"; rc=$?
SIM_PID=
if [ $rc -eq 0 ] && ! grep -q 'ERROR: \(Address\|Leak\)Sanitizer' "$TMP/sim.err"; then
    ok "sim serve stops cleanly on SIGTERM"
else
    bad "sim serve stops cleanly on SIGTERM (exit $rc)"; tail -30 "$TMP/sim.err"
fi
total=$((pass + fail + skip))
if [ $total -ne $NCHECKS ]; then
    bad "check count: ran $total, expected $NCHECKS"
fi
summary
[ $fail -eq 0 ]
