#!/usr/bin/env bash
# Instructions per training step of a `speed` workload, counted by valgrind's callgrind
# (deterministic, where this VM's wall clock is not): (count at N steps - count at 1 step) / (N - 1).
#   cargo build --release --example speed
#   benches/instructions_per_step.sh target/release/examples/speed --w1-replay-only 2000
# Flags: --w1-only --w2-only --w3-only (the tape), --w1-replay-only --w2-replay-only
# --w3-replay-only (the replay). valgrind runs the AVX2 path (it has no AVX-512).
set -euo pipefail
bin=$1; flag=$2; n=${3:-2000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
count() {
    valgrind --tool=callgrind --callgrind-out-file="$work/out" "$bin" "$flag" "$1" \
        >/dev/null 2>"$work/err"
    grep -o 'Collected : [0-9]*' "$work/err" | awk '{print $3}'
}
many=$(count "$n"); one=$(count 1)
echo "$flag: $(( (many - one) / (n - 1) )) instructions/step"
