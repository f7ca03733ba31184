"""Shared test data and an independent scipy.optimize.linprog DEA implementation.

The reference programs are written directly from the papers, one dense LP per unit, with
no scaling, no warm start and no reference-set reduction, so they check the fast engine.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog

# Cooper, Seiford & Tone (2007), Table 1.5: 12 hospitals; inputs doctors, nurses;
# outputs outpatients, inpatients. Published CCR scores: Table 3.? (chapter 3 example).
HOSPITALS = np.array(
    [
        [20, 151, 100, 90],
        [19, 131, 150, 50],
        [25, 160, 160, 55],
        [27, 168, 180, 72],
        [22, 158, 94, 66],
        [55, 255, 230, 90],
        [33, 235, 220, 88],
        [31, 206, 152, 80],
        [30, 244, 190, 100],
        [50, 268, 250, 100],
        [53, 306, 260, 147],
        [38, 284, 250, 120],
    ],
    dtype=float,
)
HOSPITAL_CCR = [1, 1, 0.8827, 1, 0.7635, 0.8348, 0.9020, 0.7963, 0.9604, 0.8706, 0.9551, 0.9582]


def random_data(n: int, m: int = 2, s1: int = 2, s2: int = 1, seed: int = 0):
    """Positive data with a Cobb-Douglas-like frontier and noise."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(1.0, 10.0, (n, m))
    core = X.prod(axis=1) ** (0.8 / m)
    Y = core[:, None] * rng.uniform(0.4, 1.0, (n, s1))
    B = core[:, None] * rng.uniform(0.3, 1.2, (n, s2)) if s2 else None
    return X, Y, B


def _nonneg(n: int) -> list[tuple[float, float | None]]:
    return [(0.0, None)] * n


def ref_sbm(X, Y, B, Xr, Yr, Br, rts="crs", super_=False, exclude=None, orient="non"):
    """Tone (2001/2002/2004) SBM / super-SBM via linprog; returns (value, status) per unit."""
    n, m = X.shape
    s1 = Y.shape[1]
    B = np.zeros((n, 0)) if B is None else B
    Br = np.zeros((Xr.shape[0], 0)) if Br is None else Br
    s2 = B.shape[1]
    nr = Xr.shape[0]
    out = []
    for k in range(n):
        x0, y0, b0 = X[k], Y[k], B[k]
        # variables: t, L (nr), Sx (m), Sy (s1), Sb (s2)
        nv = 1 + nr + m + s1 + s2
        c = np.zeros(nv)
        c[0] = 1.0
        if orient != "output":
            c[1 + nr : 1 + nr + m] = (1.0 if super_ else -1.0) / (m * x0)
        A_eq, b_eq, A_ub, b_ub = [], [], [], []
        norm = np.zeros(nv)
        norm[0] = 1.0
        if orient != "input":
            sg = -1.0 if super_ else 1.0
            norm[1 + nr + m : 1 + nr + m + s1] = sg / ((s1 + s2) * y0)
            norm[1 + nr + m + s1 :] = sg / ((s1 + s2) * b0)
        A_eq.append(norm)
        b_eq.append(1.0)
        for i in range(m):
            row = np.zeros(nv)
            row[1 : 1 + nr] = Xr[:, i]
            row[0] = -x0[i]
            if super_:
                row[1 + nr + i] = -1.0
                A_ub.append(row)
                b_ub.append(0.0)
            else:
                row[1 + nr + i] = 1.0
                A_eq.append(row)
                b_eq.append(0.0)
        for r in range(s1):
            row = np.zeros(nv)
            row[1 : 1 + nr] = Yr[:, r]
            row[0] = -y0[r]
            if super_:
                row[1 + nr + m + r] = 1.0
                A_ub.append(-row)
                b_ub.append(0.0)
                yb = np.zeros(nv)  # y0 - s >= 0  ->  S - t y0 <= 0
                yb[1 + nr + m + r] = 1.0
                yb[0] = -y0[r]
                A_ub.append(yb)
                b_ub.append(0.0)
            else:
                row[1 + nr + m + r] = -1.0
                A_eq.append(row)
                b_eq.append(0.0)
        for q in range(s2):
            row = np.zeros(nv)
            row[1 : 1 + nr] = Br[:, q]
            row[0] = -b0[q]
            if super_:
                row[1 + nr + m + s1 + q] = -1.0
                A_ub.append(row)
                b_ub.append(0.0)
            else:
                row[1 + nr + m + s1 + q] = 1.0
                A_eq.append(row)
                b_eq.append(0.0)
        if rts == "vrs":
            row = np.zeros(nv)
            row[1 : 1 + nr] = 1.0
            row[0] = -1.0
            A_eq.append(row)
            b_eq.append(0.0)
        bounds = _nonneg(nv)
        if super_ and exclude is not None and exclude[k] >= 0:
            bounds[1 + exclude[k]] = (0.0, 0.0)
        if super_ and orient == "input":  # outputs (good and bad) stay at their levels
            for j in range(1 + nr + m, nv):
                bounds[j] = (0.0, 0.0)
        if super_ and orient == "output":  # inputs stay at their levels
            for j in range(1 + nr, 1 + nr + m):
                bounds[j] = (0.0, 0.0)
        res = linprog(
            c,
            A_ub=np.array(A_ub) if A_ub else None,
            b_ub=np.array(b_ub) if b_ub else None,
            A_eq=np.array(A_eq),
            b_eq=np.array(b_eq),
            bounds=bounds,
            method="highs",
        )
        out.append(res.fun if res.status == 0 else np.nan)
    return np.array(out)


def ref_radial(X, Y, Xr, Yr, rts="crs", orient="input"):
    """CCR/BCC envelopment phase 1 via linprog: theta (input) or phi (output)."""
    n = X.shape[0]
    nr = Xr.shape[0]
    out = []
    for k in range(n):
        c = np.zeros(1 + nr)
        A_ub, b_ub = [], []
        if orient == "input":
            c[0] = 1.0
            for i in range(X.shape[1]):
                A_ub.append(np.concatenate([[-X[k, i]], Xr[:, i]]))
                b_ub.append(0.0)
            for r in range(Y.shape[1]):
                A_ub.append(np.concatenate([[0.0], -Yr[:, r]]))
                b_ub.append(-Y[k, r])
        else:
            c[0] = -1.0
            for i in range(X.shape[1]):
                A_ub.append(np.concatenate([[0.0], Xr[:, i]]))
                b_ub.append(X[k, i])
            for r in range(Y.shape[1]):
                A_ub.append(np.concatenate([[Y[k, r]], -Yr[:, r]]))
                b_ub.append(0.0)
        A_eq = b_eq = None
        if rts == "vrs":
            A_eq = np.concatenate([[0.0], np.ones(nr)])[None, :]
            b_eq = [1.0]
        res = linprog(c, A_ub=np.array(A_ub), b_ub=b_ub, A_eq=A_eq, b_eq=b_eq,
                      bounds=[(None, None)] + _nonneg(nr), method="highs")
        out.append(abs(res.fun) if res.status == 0 else np.nan)
    return np.array(out)


def ref_ddf(X, Y, B, Xr, Yr, Br, G, rts="crs", weights=None):
    """DDF (weights None: one free beta) or NDDF (per-dimension beta >= 0) via linprog."""
    n, m = X.shape
    s1, s2 = Y.shape[1], B.shape[1]
    D = m + s1 + s2
    nr = Xr.shape[0]
    out = []
    for k in range(n):
        nb = 1 if weights is None else D
        nv = nb + nr
        c = np.zeros(nv)
        c[:nb] = -1.0 if weights is None else -np.asarray(weights)
        A_ub, b_ub, A_eq, b_eq = [], [], [], []
        g = G[k]
        for d in range(D):
            row = np.zeros(nv)
            col = 0 if weights is None else d
            row[col] = -g[d]
            if d < m:
                row[nb:] = Xr[:, d]
                A_ub.append(row)
                b_ub.append(X[k, d])
            elif d < m + s1:
                row[nb:] = Yr[:, d - m]
                A_ub.append(-row)
                b_ub.append(-Y[k, d - m])
            else:
                row[nb:] = Br[:, d - m - s1]
                A_eq.append(row)
                b_eq.append(B[k, d - m - s1])
        if rts == "vrs":
            row = np.zeros(nv)
            row[nb:] = 1.0
            A_eq.append(row)
            b_eq.append(1.0)
        bounds = ([(None, None)] if weights is None else _nonneg(D)) + _nonneg(nr)
        res = linprog(c, A_ub=np.array(A_ub), b_ub=b_ub,
                      A_eq=np.array(A_eq) if A_eq else None, b_eq=b_eq or None,
                      bounds=bounds, method="highs")
        out.append(-res.fun if res.status == 0 else np.nan)
    return np.array(out)
