"""Writes benches/data/w4.txt: the points and true weights of peer workload W4.

W4 (../shared/peers/common.py, w4_data): 600 points p uniform in [0, 1]^3, the Gaussian
kernel matrix X_ij = exp(-||p_i - p_j||^2 / (2 * 0.5^2)) + 1e-6 * I, w_true standard normal,
y = X w_true. The file holds p (600 x 3) and w_true (600 x 1) in the peers' text format; the
crate builds X and y from them. This script draws them exactly as common.py does and checks
that X built from them equals common.py's X bit for bit.

Regenerate (from the crate root):
    ~/.peer-venv/bin/python benches/data/make_w4.py
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "peers"))
import common  # noqa: E402

n, ell = 600, 0.5
rng = np.random.default_rng(common.SEED + 4)
p = rng.uniform(0.0, 1.0, size=(n, 3))
d2 = ((p[:, None, :] - p[None, :, :]) ** 2).sum(-1)
X = np.exp(-d2 / (2 * ell**2)) + 1e-6 * np.eye(n)
w_true = rng.standard_normal((n, 1))
X_ref, y_ref, w_ref = common.w4_data()
assert np.array_equal(X, X_ref) and np.array_equal(w_true, w_ref)

out = os.path.join(os.path.dirname(__file__), "w4.txt")
with open(out, "w") as f:
    for name, a in [("p", p), ("w_true", w_true)]:
        f.write(f"{name} {a.shape[0]} {a.shape[1]} " + " ".join(repr(float(v)) for v in a.ravel()) + "\n")
print(f"wrote {out}", file=sys.stderr)
