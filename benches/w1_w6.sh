#!/usr/bin/env bash
# W1-W6 against the peers on this machine, in one session, every process pinned to core 0:
# ROUNDS rounds of the crate's W1-W3 (replayed and taped), JAX's whole-run lax.scan and
# PyTorch, alternating; then once each the matmul (W5), W4's QR and L-BFGS and W6.
#   benches/w1_w6.sh PYTHON [ROUNDS] [RESULTS.jsonl]
# PYTHON is a venv's python with torch, jax, numpy, scipy and threadpoolctl. One JSON line per
# figure goes to RESULTS (default benches/peer_results/w1_w6_DATE.jsonl), each with its side
# and round; the criterion output of W4's L-BFGS and W6 goes to RESULTS.criterion.txt.
set -euo pipefail
py=$1; rounds=${2:-3}; out=${3:-benches/peer_results/w1_w6_$(date +%F).jsonl}
cd "$(dirname "$0")/.."
cargo build --release --example speed
cargo bench --bench solvers --no-run
bin=target/release/examples/speed
peers=../shared/peers
export XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')
: > "$out"
tag() { sed "s/^{/{\"round\": $1, \"cpu\": \"$cpu\", /"; }
for r in $(seq "$rounds"); do
    echo "round $r of $rounds" >&2
    for run in w1-replay-only:50000 w2-replay-only:15000 w3-replay-only:3000 \
               w1-only:50000 w2-only:15000 w3-only:3000; do
        flag=${run%%:*}; steps=${run##*:}
        us=$(taskset -c 0 "$bin" "--$flag" "$steps" | grep -o '[0-9.]* us/step' | cut -d' ' -f1)
        echo "{\"impl\": \"tapegrad\", \"run\": \"$flag\", \"steps\": $steps, \"us_per_step\": $us}" | tag "$r" >> "$out"
    done
    taskset -c 0 "$py" benches/peer_jax.py | tag "$r" >> "$out"
    taskset -c 0 "$py" "$peers/torch_workloads.py" --only w1,w2,w3 --repeats 3 | tag "$r" >> "$out"
done
echo "once: W5, W4, W6" >&2
taskset -c 0 "$bin" --reps 5 --json | tag 0 >> "$out"
taskset -c 0 "$py" "$peers/torch_workloads.py" --only w5 | tag 0 >> "$out"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE taskset -c 0 "$py" "$peers/torch_workloads.py" --only numpy_matmul | tag 0 >> "$out"
taskset -c 0 "$py" "$peers/torch_workloads.py" --only w4,w6 | tag 0 >> "$out"
taskset -c 0 "$py" benches/peer_qr.py | tag 0 >> "$out"
taskset -c 0 cargo bench --bench solvers -- 'w4/lbfgs_500_iterations|lbfgs/w6_rosenbrock' \
    > "$out.criterion.txt" 2>&1
echo "results: $out, $out.criterion.txt" >&2
