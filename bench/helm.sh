#!/usr/bin/env bash
# helm.sh -- render charts/myapp N times (default 1,000) in one process with a
# release build; print the time per render, the instructions per render and
# the peak RSS.
# `gitops template --bench N` runs three loops of N in one process:
#   cold      each iteration is the whole `gitops template`: read the values
#             files, load the chart directory, parse every template, resolve
#             the values, execute, check every output document's YAML, sort
#             and print.
#   parse     parsing alone: every template of the loaded chart (and of every
#             subchart instance) into the parsed set kept with the chart.
#   prepared  the engine's steady state: the chart loaded and parsed and the
#             values read once, before the loop; each iteration resolves a
#             copy of the chart against the values, executes the parsed
#             templates (nothing is lexed or parsed), checks, sorts, prints.
# Both with the default values and with the seed's values (canary, Istio
# ingress, load tester).  The machine is shared, so each is run R times
# (default 3): the median and the best wall time are printed, and "cpu", the
# median process CPU time per render, which other processes disturb less.
# Instruction counts (valgrind --tool=callgrind, CGN iterations, default 20;
# CG=0 skips them) are the repeatable measure: "Ir" per iteration of each loop.
# Peak RSS is the process's, over all loops.
# Target: <= 1 ms per render.  Prints figures; never fails on time.  The last
# line is the figure: a render of a prepared chart with the seed values.
set -eu
cd "$(dirname "$0")/.."
N=${N:-1000}
R=${R:-3}
CG=${CG:-1}
CGN=${CGN:-20}
O=${O:-build/release}
make --no-print-directory O="$O" BUILD=release "$O/bin/gitops" >/dev/null
G=$O/bin/gitops
SEED=(-n test -f tests/helm/values/myapp-seed.yaml)
command -v valgrind >/dev/null || CG=0

# median of the numbers on stdin
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# instrs ARGS...: "loop Ir-per-iteration" lines from one callgrind run
instrs() {
    local f
    f=$(mktemp)
    valgrind --tool=callgrind --callgrind-out-file="$f" "$G" template myapp charts/myapp "$@" \
        --bench "$CGN" >/dev/null 2>&1
    callgrind_annotate --inclusive=yes "$f" 2>/dev/null |
        sed -n 's/^ *\([0-9,]*\) .*template\.c:bench_\(cold\|parse\|prepared\) .*/\2 \1/p' |
        tr -d , | awk -v n="$CGN" '!seen[$1]++ {printf "%s %.0f\n", $1, $2 / n}'
    rm -f "$f"
}

# run NAME ARGS...: R runs; prints one line per loop; sets PREP (prepared figure)
run() {
    local name=$1 out="" i ir=""
    shift
    for ((i = 0; i < R; i++)); do
        out+=$("$G" template myapp charts/myapp "$@" --bench "$N" 2>&1 >/dev/null)$'\n'
    done
    if [ "$CG" = 1 ]; then ir=$(instrs "$@"); fi
    for loop in cold parse prepared; do
        local lines wall best cpu rss extra k
        lines=$(printf '%s' "$out" | grep "^$loop:")
        wall=$(printf '%s\n' "$lines" | sed 's/.*per [a-z]*: \([0-9.]*\) us.*/\1/' | median)
        best=$(printf '%s\n' "$lines" | sed 's/.*per [a-z]*: \([0-9.]*\) us.*/\1/' | sort -n | head -1)
        cpu=$(printf '%s\n' "$lines" | sed 's/.*(cpu \([0-9.]*\) us).*/\1/' | median)
        rss=$(printf '%s\n' "$lines" | sed 's/.*peak RSS: \([0-9]*\) KiB.*/\1/' | sort -n | tail -1)
        extra=$(printf '%s\n' "$lines" | sed 's/.*\(output: [0-9]* bytes\|parsed: .*\)$/\1/' | tail -1)
        k=$(printf '%s\n' "$ir" | awk -v l="$loop" '$1 == l {printf "%.2fM", $2 / 1e6}')
        printf '%-8s %-9s %8s us (best %8s, cpu %8s)  Ir %8s  peak RSS %s KiB  %s\n' \
            "$name" "$loop" "$wall" "$best" "$cpu" "${k:--}" "$rss" "$extra"
        if [ "$loop" = prepared ]; then
            PREP="$wall us per render (best $best us, cpu $cpu us, ${k:-no} instructions)"
        fi
    done
}

echo "charts/myapp, $N iterations per loop, median of $R runs ($G):"
run default
run seed "${SEED[@]}"
echo "helm bench: $PREP, seed values, render of a prepared (loaded+parsed) chart," \
    "median of $R; target 1000 us"
