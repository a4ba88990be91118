"""W1 and W3 in JAX with the whole run compiled by XLA (`lax.scan` over the steps), for
BENCHMARKS.md: the same data and initial weights as the crate's bench (benches/data/), f64,
one thread.

    XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1" \\
        taskset -c 0 ~/.peer-venv/bin/python benches/peer_jax.py

One JSON line per workload: us_per_step (median of 7 timed runs after a compiling warm-up,
divided by the steps) and the final loss, which matches PyTorch's and the crate's.
"""
import json
import os
import statistics
import time

import jax
import jax.numpy as jnp

jax.config.update("jax_enable_x64", True)
here = os.path.dirname(__file__)


def load(name):
    arrays = {}
    with open(os.path.join(here, "data", f"{name}.txt")) as f:
        for line in f:
            key, rows, cols, *vals = line.split()
            arrays[key] = jnp.array([float(v) for v in vals], dtype=jnp.float64).reshape(int(rows), int(cols))
    layers = []
    k = 0
    while f"W{k}" in arrays:
        layers.append((arrays[f"W{k}"], arrays[f"b{k}"]))
        k += 1
    return arrays["x"], arrays["y"], layers


def forward(params, x):
    for w, b in params[:-1]:
        x = jax.nn.relu(x @ w.T + b)
    w, b = params[-1]
    return x @ w.T + b


def bench(name, lr, steps, reduction):
    x, y, params = load(name)

    def loss(p):
        r = forward(p, x) - y
        return jnp.mean(r * r) if reduction == "mean" else jnp.sum(r * r)

    @jax.jit
    def run(p):
        def body(p, _):
            value, g = jax.value_and_grad(loss)(p)
            return jax.tree_util.tree_map(lambda a, b: a - lr * b, p, g), value

        p, _ = jax.lax.scan(body, p, None, length=steps)
        return p, loss(p)

    jax.block_until_ready(run(params))  # compile
    times = []
    for _ in range(7):
        t = time.perf_counter()
        _, final = jax.block_until_ready(run(params))
        times.append(time.perf_counter() - t)
    print(json.dumps({"workload": name, "impl": "jax lax.scan (whole run jitted)", "steps": steps,
                      "us_per_step": round(statistics.median(times) / steps * 1e6, 3),
                      "final_loss": float(final), "jax": jax.__version__,
                      "XLA_FLAGS": os.environ.get("XLA_FLAGS")}))


bench("w1", 0.05, 2000, "mean")
bench("w3", 1e-3, 5000, "sum")
