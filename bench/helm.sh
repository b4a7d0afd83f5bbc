#!/usr/bin/env bash
# helm.sh -- render charts/myapp N times (default 1,000) in one process with a
# release build; print the time per render and the peak RSS.
# `gitops template --bench N` runs two loops in one process:
#   load+render  each iteration is the whole `gitops template`: read the chart
#                directory and the values files, resolve the values, parse
#                every template, execute, check every output document's YAML,
#                sort and print.
#   render only  the chart directory and values files are read once, before
#                the loop; each iteration resolves a copy of the loaded chart
#                and does all the rest.  Templates are parsed again on every
#                render: nothing is cached between renders.
# Both with the default values and with the seed's values (canary, Istio
# ingress, load tester).  The machine is shared, so each is run R times
# (default 3): the median and the best wall time are printed, and "cpu", the
# median process CPU time per render, which other processes disturb less.
# Instruction counts (valgrind --tool=callgrind) are the repeatable measure.
# Peak RSS is the process's, over both loops.
# Target: <= 1 ms per render.  Prints figures; never fails on time.  The last
# line is the figure: load+render with the seed values, median wall time.
set -eu
cd "$(dirname "$0")/.."
N=${N:-1000}
R=${R:-3}
O=${O:-build/release}
make --no-print-directory O="$O" BUILD=release "$O/bin/gitops" >/dev/null
G=$O/bin/gitops
SEED=(-n test -f tests/helm/values/myapp-seed.yaml)

# median of the numbers on stdin
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# run NAME ARGS...: R runs; prints one line per loop; sets LR (load+render us)
run() {
    local name=$1 out="" i
    shift
    for ((i = 0; i < R; i++)); do
        out+=$("$G" template myapp charts/myapp "$@" --bench "$N" 2>&1 >/dev/null)$'\n'
    done
    for loop in "load+render" "render only"; do
        local lines wall best cpu rss bytes
        lines=$(printf '%s' "$out" | grep "^$loop:")
        wall=$(printf '%s\n' "$lines" | sed 's/.*per render: \([0-9.]*\) us.*/\1/' | median)
        best=$(printf '%s\n' "$lines" | sed 's/.*per render: \([0-9.]*\) us.*/\1/' | sort -n | head -1)
        cpu=$(printf '%s\n' "$lines" | sed 's/.*(cpu \([0-9.]*\) us).*/\1/' | median)
        rss=$(printf '%s\n' "$lines" | sed 's/.*peak RSS: \([0-9]*\) KiB.*/\1/' | sort -n | tail -1)
        bytes=$(printf '%s\n' "$lines" | sed 's/.*output: \([0-9]*\) bytes.*/\1/' | tail -1)
        printf '%-8s %-12s %8s us/render (best %8s, cpu %8s)  peak RSS %s KiB  output %s bytes\n' \
            "$name" "$loop" "$wall" "$best" "$cpu" "$rss" "$bytes"
        if [ "$loop" = "load+render" ]; then LR="$wall us per render (best $best us)"; fi
    done
}

echo "charts/myapp, $N renders per loop, median of $R runs ($G):"
run default
run seed "${SEED[@]}"
echo "helm bench: $LR, seed values, load+render, median of $R; target 1000 us"
