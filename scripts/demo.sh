#!/usr/bin/env bash
# demo.sh -- what `make demo` starts, with the programs in $BIN.
#   1. myapp serving docker/static on http://127.0.0.1:$DEMO_PORT (default 9898);
#   2. when the simulator is built: `sim serve` (a fake Kubernetes API server on
#      127.0.0.1:$SIM_PORT, default 6443) with a kubeconfig in build/demo/, and
#      the app's chart rendered by `gitops template` and applied to it, so
#      `kubectl get deploy,pods,canary -n myapp` shows the app rolling out.
# Runs until Ctrl-C (or for $DEMO_SECONDS seconds), then stops everything.
set -euo pipefail
: "${BIN:?BIN must name the folder of the programs}"
port=${DEMO_PORT:-9898}
sim_port=${SIM_PORT:-6443}
dir=build/demo
mkdir -p "$dir"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

version=${DEMO_VERSION:-1.0.0-master}
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
"$BIN/myapp" --bind 127.0.0.1 --port "$port" --static docker/static --version "$version" \
    --commit "$commit" &
pids+=($!)

say() { printf '\033[1m%s\033[0m\n' "$*"; }
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
say "myapp $version is serving docker/static:  open http://127.0.0.1:$port/"
say "  edit docker/static/index.html and reload to see the change"

if [ -x "$BIN/sim" ] && "$BIN/sim" serve --help >/dev/null 2>&1; then
    kc=$PWD/$dir/kubeconfig
    "$BIN/sim" serve --port "$sim_port" --kubeconfig "$kc" >"$dir/sim.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 50); do [ -s "$kc" ] && curl -fs "http://127.0.0.1:$sim_port/version" >/dev/null 2>&1 && break; sleep 0.1; done
    say "simulated cluster (sim serve) on 127.0.0.1:$sim_port; log in $dir/sim.log"
    if command -v kubectl >/dev/null && [ -x "$BIN/gitops" ] && "$BIN/gitops" template --help >/dev/null 2>&1; then
        export KUBECONFIG=$kc
        kubectl apply -f flux/myapp/namespace.yaml
        "$BIN/gitops" template myapp charts/myapp -n myapp \
            --set image.tag="$version" --set canary.enabled=true > "$dir/myapp.yaml"
        kubectl apply -n myapp -f "$dir/myapp.yaml"
        sleep 3
        kubectl get deploy,pods,canary -n myapp || true
    fi
    say "try:  KUBECONFIG=$kc kubectl get deploy,pods -n myapp"
fi

say "Ctrl-C stops the demo."
if [ -n "${DEMO_SECONDS:-}" ]; then sleep "$DEMO_SECONDS"; else wait -n "${pids[@]}"; fi
