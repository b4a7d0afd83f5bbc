#!/usr/bin/env bash
# helm.sh -- render charts/myapp (seed values: canary, Istio ingress, load
# tester) 1,000 times in one process with a release build and print the time
# per render and the peak RSS.  Each render is the whole `gitops template`:
# load the chart directory, read the values file, resolve dependencies and
# values, parse every template, execute, split, sort and print.
# Target: <= 1 ms per render.  Prints figures; never fails on time.
set -eu
cd "$(dirname "$0")/.."
N=${N:-1000}
make --no-print-directory BUILD=release all >/dev/null
G=build/release/bin/gitops
echo "gitops template myapp charts/myapp -f tests/helm/values/myapp-seed.yaml, $N renders:"
"$G" template myapp charts/myapp -n test -f tests/helm/values/myapp-seed.yaml --bench "$N"
echo "default values, $N renders:"
"$G" template charts/myapp --bench "$N"
