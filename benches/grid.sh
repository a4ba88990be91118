#!/usr/bin/env bash
# The scaling grid (issue 32), both sides alternating round by round, each pinned to core 0:
# one SGD step of an MLP [64, H, H, 10] for H in 16, 64, 256, 1024 and B in 1, 32, 256.
#   benches/grid.sh PYTHON [ROUNDS] [RESULTS.jsonl]
# PYTHON is a venv's python with torch, jax and numpy (pip install torch jax numpy). Writes one
# JSON line per side per round to RESULTS (default benches/peer_results/grid_DATE.jsonl), then
# the table and docs/grid.svg (speed_grid --plot). One thread each: the crate calls
# matmul::set_threads(1), PyTorch torch.set_num_threads(1), XLA the flags below.
set -euo pipefail
py=$1; rounds=${2:-3}; out=${3:-benches/peer_results/grid_$(date +%F).jsonl}
cd "$(dirname "$0")/.."
cargo build --release --example speed_grid
bin=target/release/examples/speed_grid
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" --write-data "$work/data" >/dev/null
export XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
: > "$out"
for r in $(seq "$rounds"); do
    echo "round $r of $rounds" >&2
    taskset -c 0 "$bin" --json --out "$work/out" >> "$out"
    taskset -c 0 "$py" benches/peer_grid.py "$work/data" >> "$out"
done
"$bin" --plot "$out" --out "$work/plot"
cp "$work/plot/speed_grid_ratios.svg" docs/grid.svg
echo "results: $out; figure: docs/grid.svg" >&2
