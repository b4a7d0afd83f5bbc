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
NAME=chart_apply.sh
. "$(dirname "$0")/lib/sim.sh"

NCHECKS=17
require_kubectl "$NAME" $NCHECKS
require_bins sim gitops
sim_start --start-delay 200ms --ready-delay 300ms

# ---- helpers -------------------------------------------------------------------------------
K_TIMEOUT=30
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
sim_stop
finish $NCHECKS
