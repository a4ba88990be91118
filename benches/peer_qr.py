"""W4's closed form in NumPy/SciPy, for BENCHMARKS.md: the 600 x 600 Gaussian kernel matrix of
benches/data/w4.txt (as the crate builds it), factored and solved, 1 thread.

    ~/.peer-venv/bin/python benches/peer_qr.py      # one JSON line per measurement

Each figure is the median of 21 runs after a warm-up. The crate's side:
`cargo run --release --example speed` (w4_qr_ms, w4_lstsq_ms).
"""
import json
import os
import statistics
import time

import numpy as np
import scipy
import scipy.linalg
from threadpoolctl import threadpool_info, threadpool_limits

threadpool_limits(1)
here = os.path.dirname(__file__)
arrays = {}
with open(os.path.join(here, "data", "w4.txt")) as f:
    for line in f:
        name, rows, cols, *vals = line.split()
        arrays[name] = np.array(vals, dtype=float).reshape(int(rows), int(cols))
p, w_true = arrays["p"], arrays["w_true"]
d2 = ((p[:, None, :] - p[None, :, :]) ** 2).sum(-1)
X = np.exp(-d2 / (2 * 0.5**2)) + 1e-6 * np.eye(len(p))
y = X @ w_true
blas = [i for i in threadpool_info() if i["user_api"] == "blas"][0]


def median_ms(f, reps=21):
    f()
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts) * 1e3


for name, f in [
    ("numpy.linalg.qr", lambda: np.linalg.qr(X)),
    ("scipy.linalg.qr(pivoting=True)", lambda: scipy.linalg.qr(X, pivoting=True)),
    ("scipy.linalg.qr(mode='r')", lambda: scipy.linalg.qr(X, mode="r")),
    ("numpy.linalg.lstsq", lambda: np.linalg.lstsq(X, y, rcond=None)),
    ("numpy.linalg.solve", lambda: np.linalg.solve(X, y)),
]:
    print(json.dumps({"workload": "w4_closed_form", "impl": name, "ms": round(median_ms(f), 3),
                      "numpy": np.__version__, "scipy": scipy.__version__,
                      "blas": f'{blas["internal_api"]} {blas["version"]} {blas["architecture"]}',
                      "threads": 1}))
w = np.linalg.lstsq(X, y, rcond=None)[0]
print(json.dumps({"workload": "w4_closed_form", "impl": "numpy.linalg.lstsq accuracy",
                  "rel_err_w_true": float(np.linalg.norm(w - w_true) / np.linalg.norm(w_true))}))
