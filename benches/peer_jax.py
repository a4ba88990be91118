"""W1, W2 and W3 in JAX with the whole run compiled by XLA (`lax.scan` over the steps), for
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


def report(name, run, params, steps):
    """Compiles `run`, times 7 runs from `params`, prints the JSON line."""
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

    report(name, run, params, steps)


def bench_w2(lr=1e-3, batch=32, epochs=100, b1=0.9, b2=0.999, eps=1e-8):
    """W2: Adam (PyTorch's update: m by lerp, bias corrections, eps outside the square root)
    over consecutive batches of 32, the last of each epoch 8 rows: an outer scan over epochs,
    an inner scan over the 31 full batches, then the short one."""
    x, y, params = load("w2")
    n_full = x.shape[0] // batch
    xs = x[: n_full * batch].reshape(n_full, batch, -1)
    ys = y[: n_full * batch].reshape(n_full, batch, -1)
    x_last, y_last = x[n_full * batch:], y[n_full * batch:]

    def loss(p, xb, yb):
        r = forward(p, xb) - yb
        return jnp.mean(r * r)

    def adam_step(state, xb, yb):
        p, m, v, k = state
        g = jax.grad(loss)(p, xb, yb)
        k = k + 1
        m = jax.tree_util.tree_map(lambda m, g: m + (1 - b1) * (g - m), m, g)
        v = jax.tree_util.tree_map(lambda v, g: v * b2 + (1 - b2) * g * g, v, g)
        step_size = lr / (1 - b1**k)
        bc2_sqrt = jnp.sqrt(1 - b2**k)
        p = jax.tree_util.tree_map(
            lambda p, m, v: p - step_size * (m / (jnp.sqrt(v) / bc2_sqrt + eps)), p, m, v)
        return (p, m, v, k)

    @jax.jit
    def run(p):
        zeros = jax.tree_util.tree_map(jnp.zeros_like, p)
        state = (p, zeros, zeros, jnp.float64(0.0))

        def epoch(state, _):
            state, _ = jax.lax.scan(lambda s, b: (adam_step(s, *b), None), state, (xs, ys))
            return adam_step(state, x_last, y_last), None

        state, _ = jax.lax.scan(epoch, state, None, length=epochs)
        return state[0], loss(state[0], x, y)

    report("w2", run, params, epochs * (n_full + 1))


bench("w1", 0.05, 2000, "mean")
bench_w2()
bench("w3", 1e-3, 5000, "sum")
