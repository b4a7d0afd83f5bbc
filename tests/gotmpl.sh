#!/usr/bin/env bash
# gotmpl.sh -- run the template conformance table (tests/tmpl/cases.txt)
# through the `gitops gotmpl` binary: expected output on stdout with exit 0,
# or exit 1 with the expected error text on stderr and nothing on stdout.
# Also checks --help and usage errors.  Needs $BIN (folder of the programs).
set -u
: "${BIN:?BIN must name the folder of the programs}"
cd "$(dirname "$0")/.."
G="$BIN/gitops"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0

# Split the case file into one folder per case: t, d.json, mk and want or err.
awk -v root="$tmp" '
function put(file, text) { printf "%s", text > (dir "/" file); close(dir "/" file) }
/^=== / { n++; dir = sprintf("%s/%04d", root, n); system("mkdir -p " dir);
          put("name", substr($0, 5)); put("d.json", "{}"); put("mk", "default"); next }
n == 0 || /^#/ { next }
/^[TDOEM]:\|$/ { key = substr($0, 1, 1); block = ""; first = 1; inblock = 1; next }
inblock && $0 == "~~~" { inblock = 0; store(key, block); next }
inblock { block = block (first ? "" : "\n") $0; first = 0; next }
/^[TDOEM]:/ { v = substr($0, 3); if (substr(v, 1, 1) == " ") v = substr(v, 2); store(substr($0, 1, 1), v) }
function store(k, v) {
    if (k == "T") put("t", v)
    else if (k == "D") put("d.json", v)
    else if (k == "O") put("want", v)
    else if (k == "E") put("err", v)
    else if (k == "M") put("mk", v)
}' tests/tmpl/cases.txt

for d in "$tmp"/[0-9]*; do
    [ -f "$d/t" ] || : > "$d/t"
    [ -f "$d/want" ] || [ -f "$d/err" ] || : > "$d/want"
    name=$(cat "$d/name")
    (cd "$d" && "$G" gotmpl --missingkey="$(cat mk)" t d.json >stdout 2>stderr); rc=$?
    if [ -f "$d/want" ]; then
        if [ "$rc" = 0 ] && cmp -s "$d/stdout" "$d/want"; then
            pass=$((pass + 1))
        else
            fail=$((fail + 1)); echo "FAIL $name: rc=$rc got [$(cat "$d/stdout")] want [$(cat "$d/want")] $(cat "$d/stderr")"
        fi
    else
        if [ "$rc" = 1 ] && [ ! -s "$d/stdout" ] && grep -qF -- "$(cat "$d/err")" "$d/stderr"; then
            pass=$((pass + 1))
        else
            fail=$((fail + 1)); echo "FAIL $name: rc=$rc stdout [$(cat "$d/stdout")] stderr [$(cat "$d/stderr")] want error [$(cat "$d/err")]"
        fi
    fi
done

check() { # name, command...
    local name=$1; shift
    if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $name"; fi
}
check "help exits 0" sh -c "'$G' gotmpl --help | grep -q 'usage: gitops gotmpl'"
check "missing arguments exit 2" sh -c "'$G' gotmpl >/dev/null 2>&1; test \$? -eq 2"
check "missing file exits 1" sh -c "'$G' gotmpl /nonexistent/t '$tmp/0001/d.json' 2>&1 | grep -q 'cannot open'"
printf '{"a": [1,' > "$tmp/bad.json"; printf '{{.a}}' > "$tmp/ok.tmpl"
check "bad JSON exits 1 with location" sh -c "'$G' gotmpl '$tmp/ok.tmpl' '$tmp/bad.json' 2>&1 >/dev/null | grep -q 'bad.json: 1:'"
check "data from stdin" sh -c "echo '{\"a\":5}' | '$G' gotmpl '$tmp/ok.tmpl' - | grep -qx 5"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
