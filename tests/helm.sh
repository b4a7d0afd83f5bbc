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

# ---- packaged charts: .tgz archives made here with GNU tar (nothing binary is committed)
# same LABEL ARGS...: `template ARGS` must print exactly what $tmp/LABEL.want holds
same() {
    local label=$1
    shift
    if ! "$G" template "$@" >"$tmp/$label.got" 2>"$tmp/$label.err"; then
        bad "$label: exit $? ($(head -c 300 "$tmp/$label.err"))"
    elif cmp -s "$tmp/$label.got" "$tmp/$label.want"; then
        ok
    else
        bad "$label: packaged output differs from the directory's"
        diff -u "$tmp/$label.want" "$tmp/$label.got" | head -20
    fi
}
pk=$tmp/pkg
mkdir -p "$pk"
tar -C charts -czf "$pk/myapp-0.1.0.tgz" myapp
tar -C tests/helm/charts -czf "$pk/parent-0.1.0.tgz" parent
tar -C tests/helm/charts -czf "$pk/hello.tgz" hello
# parent with its subcharts packaged in charts/, as `helm dependency update` leaves them
cp -r tests/helm/charts/parent "$pk/pdeps"
for d in sub extra exp; do
    tar -C "$pk/pdeps/charts" -czf "$pk/pdeps/charts/$d-0.1.0.tgz" "$d" && rm -rf "$pk/pdeps/charts/$d"
done
tar -C "$pk" -czf "$pk/pdeps.tgz" pdeps

cp tests/helm/golden/myapp-seed.yaml "$tmp/myapp-tgz.want"
same myapp-tgz myapp "$pk/myapp-0.1.0.tgz" -n test -f tests/helm/values/myapp-seed.yaml
cp tests/helm/golden/parent-crds.yaml "$tmp/parent-tgz.want"
same parent-tgz rel "$pk/parent-0.1.0.tgz" --include-crds
cp tests/helm/golden/parent-crds.yaml "$tmp/parent-deps-dir.want"
same parent-deps-dir rel "$pk/pdeps" --include-crds
cp tests/helm/golden/parent-crds.yaml "$tmp/parent-deps-tgz.want"
same parent-deps-tgz rel "$pk/pdeps.tgz" --include-crds
cp tests/helm/golden/parent-set.yaml "$tmp/parent-deps-set.want"
same parent-deps-set rel "$pk/pdeps" --set sub2.greeting=set-greeting,tags.extras=true,global.env=stage --set extra.enabled=null
cp tests/helm/golden/hello-ingress.yaml "$tmp/hello-tgz.want"
same hello-tgz hi "$pk/hello.tgz" -n web \
    --set 'ingress.enabled=true,ingress.className=nginx,ingress.tls[0].secretName=tls,ingress.tls[0].hosts[0]=a.example.com,autoscaling.enabled=true' \
    --set-string podLabels.tier=1

# bad archives: located errors, exit 1, nothing on stdout
head -c 1500 "$pk/parent-0.1.0.tgz" >"$pk/trunc.tgz"
fails tgz-truncated "$pk/trunc.tgz: truncated: the gzip data ends at byte 1500" "$pk/trunc.tgz"
cp "$pk/parent-0.1.0.tgz" "$pk/corrupt.tgz"
printf '\377\377\377\377\377\377\377\377\377\377\377\377' |
    dd of="$pk/corrupt.tgz" bs=1 seek=300 conv=notrunc 2>/dev/null
fails tgz-corrupt "$pk/corrupt.tgz: corrupt gzip data near byte" "$pk/corrupt.tgz"
echo 'not gzip' >"$pk/plain.tgz"
fails tgz-not-gzip "file '$pk/plain.tgz' does not appear to be a gzipped archive" "$pk/plain.tgz"
mkdir -p "$pk/t" && cp -r tests/helm/charts/hello "$pk/t/"
tar -C "$pk/t" -czf "$pk/trav.tgz" -P --transform 's,^hello/values.yaml,hello/../../evil.yaml,' hello 2>/dev/null
fails tgz-traversal "$pk/trav.tgz: entry 'hello/../../evil.yaml' at byte" "$pk/trav.tgz"
tar -C "$pk/t" -czf "$pk/abs.tgz" -P --transform 's,^hello/values.yaml,/etc/evil.yaml,' hello 2>/dev/null
fails tgz-absolute "$pk/abs.tgz: entry '/etc/evil.yaml' at byte" "$pk/abs.tgz"
truncate -s 65M "$pk/t/hello/big.bin"
tar -C "$pk/t" -czf "$pk/big.tgz" hello && rm -f "$pk/t/hello/big.bin"
fails tgz-oversized "$pk/big.tgz: entry 'hello/big.bin' at byte 16896 is 68157440 bytes: over the limit of 67108864" "$pk/big.tgz"
# a broken packaged subchart is named by its path in the parent
cp -r tests/helm/charts/parent "$pk/pbad"
rm -rf "$pk/pbad/charts/sub" && head -c 100 "$pk/pdeps/charts/sub-0.1.0.tgz" >"$pk/pbad/charts/sub-0.1.0.tgz"
fails tgz-sub-truncated "pbad/charts/sub-0.1.0.tgz: truncated: the gzip data ends at byte 100" "$pk/pbad"
ln -s /etc/passwd "$pk/t/hello/link"
tar -C "$pk/t" -czf "$pk/link.tgz" hello && rm -f "$pk/t/hello/link"
fails tgz-symlink "$pk/link.tgz: entry 'hello/link' at byte" "$pk/link.tgz"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
