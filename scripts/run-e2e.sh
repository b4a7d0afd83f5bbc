#!/usr/bin/env bash
# run-e2e.sh -- run every tests/*.sh end-to-end script with BIN set.
# Each script prints "N passed, N failed[, N skipped]" as its last line and
# exits non-zero on failure.  This prints the total the same way.
set -u
: "${BIN:?BIN must name the folder of the programs under test}"
export BIN
pass=0; fail=0; skip=0; bad=()
for t in tests/*.sh; do
    [ -e "$t" ] || continue
    echo "== $t"
    out=$(bash "$t" 2>&1); rc=$?
    printf '%s\n' "$out"
    last=$(printf '%s\n' "$out" | grep -E '[0-9]+ passed, [0-9]+ failed' | tail -1)
    p=$(printf '%s' "$last" | sed -n 's/.*\b\([0-9]\+\) passed.*/\1/p')
    f=$(printf '%s' "$last" | sed -n 's/.*\b\([0-9]\+\) failed.*/\1/p')
    s=$(printf '%s' "$last" | sed -n 's/.*\b\([0-9]\+\) skipped.*/\1/p')
    pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0})); skip=$((skip + ${s:-0}))
    if [ $rc -ne 0 ] || [ -z "$last" ]; then bad+=("$t"); [ "${f:-0}" -gt 0 ] || fail=$((fail + 1)); fi
done
echo "e2e: $pass passed, $fail failed, $skip skipped"
[ ${#bad[@]} -eq 0 ] || { echo "failing: ${bad[*]}"; exit 1; }
