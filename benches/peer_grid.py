"""The scaling grid's peers: one SGD step of an MLP [64, H, H, 10] (ReLU, MSE mean, lr 1e-3,
full batch B) in PyTorch (eager), JAX (the step jitted) and JAX (`lax.scan` over the steps,
the whole run compiled), f64, one thread, on the data and initial weights the crate wrote:

    cargo run --release --example speed_grid -- --write-data /tmp/grid
    XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1" \\
        taskset -c 0 V/bin/python benches/peer_grid.py /tmp/grid [--reps 25] [--only torch,jit,scan]

Prints one JSON line (one round): for each cell and implementation, the best and the median
of `--reps` timed runs, each of enough steps to last `--target-ms` (measured on an untimed
run first, after compiling), in microseconds per step, and the last loss. The same form as
`speed_grid --json`, so `benches/grid.sh` collects both into one file for `speed_grid --plot`.
"""
import argparse
import json
import math
import os
import platform
import time

import numpy as np

LR = 1e-3


def cpu():
    """This CPU as /proc/cpuinfo names it, as the crate's side writes it."""
    try:
        info = open("/proc/cpuinfo").read()
    except OSError:
        return "unknown"
    def field(name):
        for line in info.splitlines():
            key, _, value = line.partition(":")
            if key.strip() == name:
                return value.strip()
        return "?"
    avx512 = ", AVX-512F" if "avx512f" in field("flags").split() else ""
    return f"{field('model name')} (family {field('cpu family')}, model {field('model')}){avx512}"


def load(d):
    x, y = np.load(os.path.join(d, "x.npy")), np.load(os.path.join(d, "y.npy"))
    params, i = [], 0
    while os.path.exists(os.path.join(d, f"p{i}.npy")):
        params.append(np.load(os.path.join(d, f"p{i}.npy")))
        i += 1
    layers = [(params[k], params[k + 1].reshape(-1)) for k in range(0, len(params), 2)]
    return x, y, layers


def timed(run, reps, target):
    """run(steps) -> last loss. First 10 steps from the initial weights (their last loss is
    `loss_at_10`, the same on every side: a check that all compute one thing; for JAX, the
    compilation), then the best and median us/step of `reps` runs lasting `target` s each."""
    check = run(10)
    steps = 3
    while True:  # untimed runs long enough to size the timed ones
        run(steps)  # once to compile a new scan length, once to time
        t = time.perf_counter()
        run(steps)
        elapsed = time.perf_counter() - t
        if elapsed >= target / 4 or steps >= 100_000:
            break
        steps *= 4
    steps = max(3, min(100_000, math.ceil(steps * target / max(elapsed, 1e-9))))
    run(steps)
    us, loss = [], float("nan")
    for _ in range(reps):
        t = time.perf_counter()
        loss = run(steps)
        us.append((time.perf_counter() - t) / steps * 1e6)
    us.sort()
    return {"best_us": us[0], "median_us": us[len(us) // 2], "steps": steps, "runs": reps,
            "last_loss": float(loss), "loss_at_10": float(check)}


def torch_runner(x, y, layers):
    import torch
    torch.set_num_threads(1)
    mods = []
    for k, (w, b) in enumerate(layers):
        lin = torch.nn.Linear(w.shape[1], w.shape[0], dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w))
            lin.bias.copy_(torch.from_numpy(b))
        mods.append(lin)
        if k + 1 < len(layers):
            mods.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*mods)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = torch.nn.MSELoss()

    def run(steps):
        loss = None
        for _ in range(steps):
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xt), yt)
            loss.backward()
            opt.step()
        return loss.item()
    return run, f"torch {torch.__version__}"


def jax_runners(x, y, layers):
    import jax
    import jax.numpy as jnp
    jax.config.update("jax_enable_x64", True)
    params = [(jnp.asarray(w), jnp.asarray(b)) for w, b in layers]
    xj, yj = jnp.asarray(x), jnp.asarray(y)

    def loss(p):
        h = xj
        for w, b in p[:-1]:
            h = jax.nn.relu(h @ w.T + b)
        w, b = p[-1]
        r = h @ w.T + b - yj
        return jnp.mean(r * r)

    def update(p):
        value, g = jax.value_and_grad(loss)(p)
        return jax.tree_util.tree_map(lambda a, d: a - LR * d, p, g), value

    step = jax.jit(update, donate_argnums=0)
    state = {"jit": jax.tree_util.tree_map(jnp.copy, params), "scan": jax.tree_util.tree_map(jnp.copy, params)}

    def run_jit(steps):
        p, value = state["jit"], None
        for _ in range(steps):
            p, value = step(p)
        jax.block_until_ready(p)
        state["jit"] = p
        return float(value)

    scans = {}

    def run_scan(steps):
        if steps not in scans:  # one compilation per length, outside any timed run
            scans[steps] = jax.jit(lambda p: jax.lax.scan(lambda p, _: update(p), p, None, length=steps))
            jax.block_until_ready(scans[steps](state["scan"]))
        p, values = scans[steps](state["scan"])
        jax.block_until_ready(p)
        state["scan"] = p
        return float(values[-1])

    version = f"jax {jax.__version__}"
    return (run_jit, version), (run_scan, version)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", help="the directory speed_grid --write-data wrote")
    ap.add_argument("--reps", type=int, default=25)
    ap.add_argument("--target-ms", type=float, default=20.0)
    ap.add_argument("--only", default="torch,jit,scan")
    args = ap.parse_args()
    only = set(args.only.split(","))
    cells = []
    for name in os.listdir(args.data):
        h, b = name.split("_")
        cells.append((int(h[1:]), int(b[1:]), os.path.join(args.data, name)))
    results, versions = [], {}
    for h, b, d in sorted(cells):
        x, y, layers = load(d)
        runners = []
        if "torch" in only:
            run, v = torch_runner(x, y, layers)
            runners.append(("PyTorch", run, v))
        if only & {"jit", "scan"}:
            (jit, v), (scan, _) = jax_runners(x, y, layers)
            if "jit" in only:
                runners.append(("JAX jit step", jit, v))
            if "scan" in only:
                runners.append(("JAX scan", scan, v))
        for impl, run, v in runners:
            versions[impl] = v
            r = timed(run, args.reps, args.target_ms / 1e3)
            r.update({"impl": impl, "H": h, "B": b})
            results.append(r)
    print(json.dumps({"side": "peers", "cpu": cpu(), "versions": versions,
                      "python": platform.python_version(), "numpy": np.__version__,
                      "XLA_FLAGS": os.environ.get("XLA_FLAGS"), "lr": LR, "results": results}))


if __name__ == "__main__":
    main()
