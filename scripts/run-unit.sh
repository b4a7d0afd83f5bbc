#!/usr/bin/env bash
# run-unit.sh -- run Check unit test binaries and total their results.
# Usage: scripts/run-unit.sh [--valgrind] TEST_BINARY...
# Each binary prints Check's own summary line; this prints the grand total as
# "unit: N passed, N failed" and exits 1 if any test failed or crashed.
set -u
vg=()
if [ "${1:-}" = "--valgrind" ]; then
    shift
    export CK_FORK=no
    vg=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite)
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
pass=0; fail=0; bad=()
for t in "$@"; do
    out=$("${vg[@]}" "$t" 2>&1); rc=$?
    printf '%s\n' "$out" | grep -E '^[0-9]+%: Checks' | sed "s|^|$(basename "$t"): |"
    line=$(printf '%s\n' "$out" | grep -E '^[0-9]+%: Checks' | tail -1)
    n=$(printf '%s' "$line" | sed -n 's/.*Checks: \([0-9]*\).*/\1/p')
    f=$(printf '%s' "$line" | sed -n 's/.*Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2/p')
    nf=0; for x in $f; do nf=$((nf + x)); done
    if [ -z "$n" ]; then n=1; nf=1; fi
    if [ $rc -ne 0 ] || [ $nf -gt 0 ]; then
        bad+=("$(basename "$t")")
        printf '%s\n' "$out" | grep -vE '^[0-9]+%: Checks' | tail -40
        [ $nf -gt 0 ] || nf=1
    fi
    pass=$((pass + n - nf)); fail=$((fail + nf))
done
echo "unit: $pass passed, $fail failed"
[ ${#bad[@]} -eq 0 ] || { echo "failing: ${bad[*]}"; exit 1; }
