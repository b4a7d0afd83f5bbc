#!/usr/bin/env bash
# kubectl.sh -- drive `sim serve` with the REAL kubectl found on PATH.
# Starts $BIN/sim serve on a free port with its own kubeconfig, HOME and
# kubectl cache dir, runs the kubectl commands a user of the demo runs, and
# checks their output.  Each check prints "ok" or "FAIL" with the command; the
# last line is "N passed, N failed, N skipped".  Without kubectl every check
# is SKIPPED (never passed).
NAME=kubectl.sh
. "$(dirname "$0")/lib/sim.sh"

NCHECKS=48
require_kubectl "$NAME" $NCHECKS
require_bins sim
WATCH_PID=
stop_watch() { [ -n "$WATCH_PID" ] && kill "$WATCH_PID" 2>/dev/null; WATCH_PID=; }
CLEANUP_HOOKS+=(stop_watch)

sim_start

# expect DESC PATTERN ARGS...: kubectl ARGS succeeds and prints PATTERN (ERE).
expect() {
    local desc=$1 pat=$2; shift 2
    if k "$@" && grep -Eq -- "$pat" "$OUT"; then ok "kubectl $* ($desc)"
    else bad "kubectl $* ($desc): wanted /$pat/"; show; fi
}
# expect_fail DESC PATTERN ARGS...: kubectl ARGS fails and prints PATTERN.
expect_fail() {
    local desc=$1 pat=$2; shift 2
    if ! k "$@" && grep -Eq -- "$pat" "$OUT"; then ok "kubectl $* ($desc)"
    else bad "kubectl $* ($desc): wanted failure with /$pat/"; show; fi
}

# ---- manifests -----------------------------------------------------------------------------
cat >"$TMP/app.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo
  namespace: myapp
  labels:
    app: podinfo
spec:
  replicas: 2
  selector:
    matchLabels:
      app: podinfo
  template:
    metadata:
      labels:
        app: podinfo
    spec:
      containers:
      - name: podinfod
        image: ghcr.io/stefanprodan/podinfo:6.0.0
        ports:
        - containerPort: 9898
        env:
        - name: A
          value: "1"
---
apiVersion: v1
kind: Service
metadata:
  name: podinfo
  namespace: myapp
spec:
  selector:
    app: podinfo
  ports:
  - name: http
    port: 9898
EOF
cat >"$TMP/canary.yaml" <<'EOF'
apiVersion: flagger.app/v1beta1
kind: Canary
metadata:
  name: podinfo
  namespace: myapp
spec:
  targetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: podinfo
  service:
    port: 9898
  analysis:
    interval: 1m
    threshold: 5
    stepWeight: 10
    maxWeight: 50
EOF

cat >"$TMP/invalid.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: broken
  namespace: myapp
spec:
  replicas: -1
  selector:
    matchLabels:
      app: broken
  template:
    metadata:
      labels:
        app: broken
    spec:
      containers:
      - name: app
        image: nginx
EOF
cat >"$TMP/invalid2.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: broken2
  namespace: myapp
spec:
  selector:
    matchLabels:
      app: one
  template:
    metadata:
      labels:
        app: two
    spec:
      containers:
      - name: app
EOF
cat >"$TMP/ghost.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
  namespace: ghost
data:
  a: b
EOF

# expect_invalid DESC PATTERN ARGS...: kubectl ARGS exits with exactly 1 and prints PATTERN.
expect_invalid() {
    local desc=$1 pat=$2 rc; shift 2
    k "$@"; rc=$?
    if [ $rc -eq 1 ] && grep -Eq -- "$pat" "$OUT"; then ok "kubectl $* ($desc)"
    else bad "kubectl $* ($desc): wanted exit 1 (got $rc) with /$pat/"; show; fi
}

# ---- the checks ------------------------------------------------------------------------------
expect "server version" 'Server Version: v1\.32' version
expect "namespaces" '^default +Active' get ns
expect "CRDs in discovery" 'canaries +flagger\.app/v1beta1 +true +Canary' api-resources
expect "create namespace (protobuf body)" 'namespace/myapp created' create ns myapp
expect_fail "namespace exists" 'AlreadyExists.*namespaces "myapp" already exists' create ns myapp
expect "empty namespace" 'No resources found in myapp namespace' get pods -n myapp
expect "apply creates" 'deployment\.apps/podinfo created' apply -f "$TMP/app.yaml"
expect "second apply" 'deployment\.apps/podinfo unchanged' apply -f "$TMP/app.yaml"
expect "apply canary" 'canary\.flagger\.app/podinfo created' apply -f "$TMP/canary.yaml"
expect "second apply of canary" 'canary\.flagger\.app/podinfo unchanged' apply -f "$TMP/canary.yaml"
sed -i 's/stepWeight: 10/stepWeight: 20/' "$TMP/canary.yaml"
expect "modified canary" 'canary\.flagger\.app/podinfo configured' apply -f "$TMP/canary.yaml"
sed -i 's/value: "1"/value: "2"/' "$TMP/app.yaml"
expect "modified deployment (strategic merge)" 'deployment\.apps/podinfo configured' \
    apply -f "$TMP/app.yaml"
expect "env merged by name" '^\[\{"name":"A","value":"2"\}\]$' get deploy podinfo -n myapp \
    -o 'jsonpath={.spec.template.spec.containers[0].env}'
expect "deploy and svc" 'service/podinfo +ClusterIP +10\.96\.[0-9]+\.[0-9]+ +<none> +9898/TCP' \
    get deploy,svc -n myapp
grep -q 'deployment.apps/podinfo' "$OUT" && ok "get deploy,svc lists deployment.apps/podinfo" \
    || { bad "get deploy,svc lists deployment.apps/podinfo"; show; }
expect "printer columns" '^NAME +STATUS +WEIGHT +LASTTRANSITIONTIME' get canary -n myapp
expect "status subresource" 'canary\.flagger\.app/podinfo patched' patch canary podinfo -n myapp \
    --subresource=status --type=merge \
    -p '{"status":{"phase":"Succeeded","canaryWeight":0,"lastTransitionTime":"2024-05-01T10:00:00Z"}}'
expect "columns show status" '^podinfo +Succeeded +0 +2024-05-01T10:00:00Z' get canary -n myapp
expect "-o yaml" 'last-applied-configuration' get deploy podinfo -n myapp -o yaml
grep -q 'revisionHistoryLimit: 10' "$OUT" && ok "-o yaml shows server defaults" \
    || { bad "-o yaml shows server defaults"; show; }
expect "-o jsonpath" '^2$' get deploy podinfo -n myapp -o 'jsonpath={.spec.replicas}'
expect "scale" 'deployment\.apps/podinfo scaled' scale deploy podinfo -n myapp --replicas=3
expect "scaled" '^3$' get deploy podinfo -n myapp -o 'jsonpath={.spec.replicas}'
# kubectl 1.32 sends these two creates as protobuf (sim/kproto.c)
expect "create deployment (protobuf body)" 'deployment\.apps/web created' \
    create deployment web --image=nginx --replicas=2 -n myapp
expect "created deployment's fields" '^2 nginx nginx web web$' get deploy web -n myapp -o \
    'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].name} {.spec.template.spec.containers[0].image} {.spec.selector.matchLabels.app} {.spec.template.metadata.labels.app}'
expect "autoscale (protobuf HPA)" 'horizontalpodautoscaler\.autoscaling/web autoscaled' \
    autoscale deployment web --min=2 --max=5 -n myapp
expect "HPA's fields" '^2 5 Deployment web apps/v1$' get hpa web -n myapp -o \
    'jsonpath={.spec.minReplicas} {.spec.maxReplicas} {.spec.scaleTargetRef.kind} {.spec.scaleTargetRef.name} {.spec.scaleTargetRef.apiVersion}'
expect "HPA served as autoscaling/v2" '^80 Utilization$' get horizontalpodautoscalers.v2.autoscaling \
    web -n myapp -o 'jsonpath={.spec.metrics[0].resource.target.averageUtilization} {.spec.metrics[0].resource.target.type}'
expect "HPA served as autoscaling/v1" '^autoscaling/v1 80$' get horizontalpodautoscalers.v1.autoscaling \
    web -n myapp -o 'jsonpath={.apiVersion} {.spec.targetCPUUtilizationPercentage}'
expect "get hpa shows TARGETS" '^web +Deployment/web +cpu: ([0-9]+%|<unknown>)/80% +2 +5 ' get hpa -n myapp
expect_invalid "invalid deployment refused" \
    '^The Deployment "broken" is invalid: spec\.replicas: Invalid value: -1: must be greater than or equal to 0$' \
    apply -f "$TMP/invalid.yaml"
expect_invalid "each cause on its own line" \
    '^\* spec\.template\.spec\.containers\[0\]\.image: Required value$' apply -f "$TMP/invalid2.yaml"
expect_fail "nothing stored" 'NotFound' get deploy broken -n myapp
expect_fail "missing namespace" 'namespaces "ghost" not found' apply -f "$TMP/ghost.yaml"
if K_TIMEOUT=60 k rollout status deploy/podinfo -n myapp --timeout=50s &&
    grep -q 'successfully rolled out' "$OUT"; then
    ok "kubectl rollout status deploy/podinfo -n myapp"
else bad "kubectl rollout status deploy/podinfo -n myapp"; show; fi
# get -w must receive an update made while it runs.
timeout 15 kubectl --cache-dir "$KUBECACHEDIR" get deploy podinfo -n myapp -w \
    -o 'custom-columns=NAME:.metadata.name,WATCHED:.metadata.labels.watched' >"$TMP/watch" 2>&1 &
WATCH_PID=$!
sleep 2
k label deploy podinfo -n myapp watched=yes
got=0
for _ in $(seq 1 50); do grep -Eq '^podinfo +yes' "$TMP/watch" && { got=1; break; }; sleep 0.2; done
kill "$WATCH_PID" 2>/dev/null; wait "$WATCH_PID" 2>/dev/null; WATCH_PID=
if [ $got -eq 1 ]; then ok "kubectl get deploy podinfo -w (received the label update)"
else bad "kubectl get deploy podinfo -w (received the label update)"; sed 's/^/      | /' "$TMP/watch"; fi
expect "logs of a deployment's pod" '.' logs deploy/podinfo -n myapp
expect "describe" 'Name: +podinfo' describe deploy podinfo -n myapp
grep -q 'Events:' "$OUT" && ok "describe shows Events" || { bad "describe shows Events"; show; }
expect_fail "not found" 'NotFound.*deployments\.apps "nope" not found' get deploy nope -n myapp
expect "server-side apply" 'canary\.flagger\.app/podinfo serverside-applied' \
    apply --server-side -f "$TMP/canary.yaml"
expect "delete canary" 'canary\.flagger\.app "podinfo" deleted' delete -f "$TMP/canary.yaml"
expect "canary gone" 'No resources found in myapp namespace' get canary -n myapp
expect "delete deployment" 'deployment\.apps "podinfo" deleted' delete deploy podinfo -n myapp
expect "delete namespace" 'namespace "myapp" deleted' delete ns myapp
expect_fail "namespace gone" 'NotFound' get ns myapp

# ---- clean exit of the server ----------------------------------------------------------------
sim_stop
finish $NCHECKS
