#!/usr/bin/env bash
# run-fuzz.sh -- run each libFuzzer binary in DIR for SECONDS, seeded from
# tests/fuzz/<target>/ when that folder exists.  Exits 1 on any crash.
set -u
dir=$1; secs=${2:-20}; rc=0
for f in "$dir"/*_fuzz; do
    [ -x "$f" ] || continue
    name=$(basename "$f")
    corpus=build/fuzz/corpus/$name; mkdir -p "$corpus"
    seeds=(); [ -d "tests/fuzz/$name" ] && seeds=("tests/fuzz/$name")
    echo "== $name ($secs s)"
    "$f" -max_total_time="$secs" -max_len=65536 -timeout=5 -rss_limit_mb=2048 \
        -artifact_prefix=build/fuzz/ "$corpus" "${seeds[@]}" 2>&1 | tail -3 || rc=1
    [ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
done
exit $rc
