#!/usr/bin/env bash
# helm.sh -- `gitops template` against golden outputs (what `helm template`
# 3.21 prints for the same chart and flags), plus bad input: each must fail
# with exit 1, a located message on stderr and nothing on stdout.
# Needs $BIN (folder holding gitops).  Runs from the repository root.
set -u
cd "$(dirname "$0")/.."
G=${BIN:?BIN must point at the programs}/gitops
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# golden NAME ARGS...: output must equal tests/helm/golden/NAME.yaml byte for byte
golden() {
    local name=$1
    shift
    if ! "$G" template "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"; then
        bad "$name: exit $? ($(head -c 300 "$tmp/$name.err"))"
        return
    fi
    if cmp -s "$tmp/$name.out" "tests/helm/golden/$name.yaml"; then
        ok
    else
        bad "$name: output differs from tests/helm/golden/$name.yaml"
        diff -u "tests/helm/golden/$name.yaml" "$tmp/$name.out" | head -30
    fi
}

# fails NAME WANT ARGS...: exit 1, stderr contains WANT, stdout empty
fails() {
    local name=$1 want=$2
    shift 2
    "$G" template "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
    local rc=$?
    if [ $rc -ne 1 ]; then
        bad "$name: exit $rc, want 1"
    elif [ -s "$tmp/$name.out" ]; then
        bad "$name: wrote to stdout on failure"
    elif ! grep -qF -- "$want" "$tmp/$name.err"; then
        bad "$name: stderr lacks '$want': $(head -c 300 "$tmp/$name.err")"
    else
        ok
    fi
}

golden myapp-default charts/myapp
golden myapp-seed myapp charts/myapp -n test -f tests/helm/values/myapp-seed.yaml
golden parent-crds rel tests/helm/charts/parent --include-crds
golden parent-set rel tests/helm/charts/parent --set sub2.greeting=set-greeting,tags.extras=true,global.env=stage --set extra.enabled=null
golden hello-default tests/helm/charts/hello
golden hello-ingress hi tests/helm/charts/hello -n web \
    --set 'ingress.enabled=true,ingress.className=nginx,ingress.tls[0].secretName=tls,ingress.tls[0].hosts[0]=a.example.com,autoscaling.enabled=true' \
    --set-string podLabels.tier=1

# --show-only keeps only the named documents, in output order
"$G" template myapp charts/myapp -n test -f tests/helm/values/myapp-seed.yaml \
    -s templates/canary.yaml -s 'templates/s*.yaml' >"$tmp/show.out" 2>&1
if [ "$(grep -c '^# Source:' "$tmp/show.out")" = 2 ] &&
    grep -q '^# Source: myapp/templates/canary.yaml' "$tmp/show.out" &&
    grep -q '^# Source: myapp/templates/service.yaml' "$tmp/show.out"; then ok; else bad "show-only"; fi

# the autoscaling API follows .Capabilities.APIVersions; kube version is an input
"$G" template charts/myapp --kube-version v1.28.3 -a autoscaling/v2,example.com/v1 \
    -s templates/hpa.yaml >"$tmp/hpa.out" 2>&1
if grep -q '^apiVersion: autoscaling/v2$' "$tmp/hpa.out"; then ok; else bad "hpa v2"; fi

fails bad-func 'parse error at (bad-func/templates/cm.yaml:6): function "nosuchfunc" not defined' \
    tests/helm/charts/bad-func
fails bad-unclosed 'parse error at (bad-unclosed/templates/cm.yaml:7)' tests/helm/charts/bad-unclosed
fails bad-values 'bad-values/values.yaml:2:2:' tests/helm/charts/bad-values
fails bad-values-file 'nope.yaml' charts/myapp -f tests/helm/values/nope.yaml
fails bad-required 'execution error at (bad-required/templates/cm.yaml:13:10): image.tag is required' \
    tests/helm/charts/bad-required
fails bad-recursion 'bad-recursion/templates/cm.yaml:6:8' tests/helm/charts/bad-recursion
fails bad-yaml 'YAML parse error on bad-yaml/templates/cm.yaml' tests/helm/charts/bad-yaml
fails bad-set "failed parsing --set data 'a[x]=1'" charts/myapp --set 'a[x]=1'
fails bad-nil 'nil pointer evaluating interface {}.Values' rel tests/helm/charts/parent --set sub.enabled=false
fails bad-show 'could not find template templates/nope.yaml in chart' charts/myapp -s templates/nope.yaml
fails bad-chart "path 'tests/helm/charts/nope' not found" tests/helm/charts/nope

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
