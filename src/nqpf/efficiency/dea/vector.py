"""Radial DEA for small reference sets: one dense simplex run for all units at once.

Each radial envelopment program (CCR/BCC and the NIRS/NDRS variants, Charnes, Cooper &
Rhodes 1978; Banker, Charnes & Cooper 1984; Färe, Grosskopf & Lovell 1994) is written in
standard form ``min c'x, A x = b, x >= 0, b >= 0`` with one artificial column per row, and
all the evaluated units' tableaux are pivoted together as one ``(n_units, rows, cols)``
array (the bounded-artificial two-phase simplex, Dantzig's rule with a switch to Bland's
rule against cycling; Chvátal 1983, ch. 3 and 8). Three objectives are optimised one after
another on the same tableau: the artificials (feasibility), the radial score, then the
largest sum of slacks over the optimal face (the second phase of Cooper, Seiford & Tone
2007, sec. 3.3: only columns whose phase-two reduced cost is zero may enter, so the score
stays at its optimum).

Every answer is certified at the end from the final basis (``B x_B = b`` solved afresh,
primal feasibility and non-negative reduced costs of the score and the slack objectives);
units that fail the check, or whose program is infeasible or unbounded, are returned as not
solved and the caller solves them with HiGHS. The method is meant for a few hundred
reference observations at most (:data:`MAX_REF`); each pivot costs
``O(n_units x rows x cols)``.
"""

from __future__ import annotations

import numpy as np

#: the vectorised path is used up to this many reference observations
MAX_REF = 150
_TOL = 1e-9
#: tableau cells (units x rows x columns) held at once; larger jobs run in chunks
MAX_CELLS = 4_000_000


def usable(n_ref: int, n_eval: int) -> bool:
    """Whether the vectorised path is used (by size: ``bench/bench_dea_small.py``)."""
    return 0 < n_ref <= MAX_REF and n_eval >= 1
_MAX_ITER = 2000


def _simplex(T: np.ndarray, rhs: np.ndarray, basis: np.ndarray, cost: np.ndarray,
             allowed: np.ndarray, art: np.ndarray, live: np.ndarray,
             drive_out: bool = True, iters: np.ndarray | None = None) -> np.ndarray:
    """Pivot ``T`` (``B^-1 A``) and ``rhs`` in place to minimise ``cost`` per unit.

    ``allowed`` (nb, N) marks columns that may enter; ``art`` (N,) the artificial columns
    (with ``drive_out``, after phase one, a basic artificial is at zero and leaves at ratio
    zero on any nonzero entry, so it never turns positive). Returns the units that
    reached an optimum (the others are unbounded or hit the iteration limit).
    """
    nb, R, N = T.shape
    done = ~live.copy()
    ok = live.copy()
    rows = np.arange(nb)
    for it in range(_MAX_ITER):
        cb = np.take_along_axis(cost, basis, axis=1)  # (nb, R)
        d = cost - np.einsum("br,brn->bn", cb, T)
        d = np.where(allowed, d, 0.0)
        neg = d < -_TOL
        can = neg.any(axis=1) & ~done
        done |= ~neg.any(axis=1)
        if not can.any():
            return ok & done
        # Dantzig's rule, then Bland's (lowest index) against cycling
        q = np.argmin(d, axis=1) if it < 200 else np.argmax(neg, axis=1)
        col = T[rows, :, q]  # (nb, R)
        is_art = art[basis] & drive_out
        pos = (col > _TOL) | (is_art & (np.abs(col) > _TOL))
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(pos, np.where(is_art, 0.0, rhs / col), np.inf)
        best = ratio.min(axis=1)
        unb = can & ~np.isfinite(best)
        ok &= ~unb
        done |= unb
        go = can & ~unb
        if not go.any():
            return ok & done
        tie = ratio <= best[:, None] + _TOL * (1.0 + np.abs(best[:, None]))
        p = np.argmin(np.where(tie, basis, np.iinfo(np.int64).max), axis=1)
        # pivot every unit at once; units that do not move get a neutral pivot
        pg = np.where(go, p, 0)
        piv = np.where(go, T[rows, pg, q], 1.0)
        prow = T[rows, pg, :] / piv[:, None]
        prhs = rhs[rows, pg] / piv
        colg = np.where(go[:, None], col, 0.0)
        T -= colg[:, :, None] * prow[:, None, :]
        rhs -= colg * prhs[:, None]
        T[rows[go], pg[go], :] = prow[go]
        rhs[rows[go], pg[go]] = prhs[go]
        np.maximum(rhs, 0.0, out=rhs, where=rhs > -_TOL)
        basis[rows[go], pg[go]] = q[go]
        if iters is not None:
            iters[go] += 1
    return ok & done


def radial(xe: np.ndarray, ye: np.ndarray, xr: np.ndarray, yr: np.ndarray,
           orientation: str, rts: str, slack_weights: np.ndarray,
           exclude: np.ndarray | None = None, slacks: bool = True,
           nondiscretionary: tuple[int, ...] = ()) -> dict[str, np.ndarray]:
    """Two-phase radial DEA for every evaluated unit against one small reference set.

    Parameters
    ----------
    xe, ye : ndarray (n, m), (n, s)
        Evaluated inputs and outputs (scaled).
    xr, yr : ndarray (nr, m), (nr, s), or (n, nr, m), (n, nr, s)
        Reference inputs and outputs (same scaling); 3-D arrays give every evaluated unit
        its own reference set (bootstrap replicates solved together).
    orientation : "input" or "output"
    rts : "crs", "vrs", "nirs" (``sum lam <= 1``) or "ndrs" (``sum lam >= 1``)
    slack_weights : ndarray (m + s,)
        Weights of the slacks in the second phase (the data scale, so the sum of slacks is
        maximised in the caller's units as the HiGHS path does).
    exclude : ndarray of int (n,), optional
        A reference row each unit may not use (super-efficiency), or -1.
    nondiscretionary : tuple of int
        Input positions not scaled by theta under input orientation (Banker & Morey 1986;
        give them slack weight 0).
    slacks : bool
        Run the max-slack phase (``False``: scores only, slacks of some optimal basis).

    Returns
    -------
    dict with ``ok`` (n,) certified units, ``score`` (theta or phi), ``sx``, ``sy`` (scaled
    slacks), ``lam`` (n, nr) and ``iterations`` (pivots per unit, all three phases).
    """
    n, m = xe.shape
    s = ye.shape[1]
    nr = xr.shape[-2]
    cells = (m + s + 1) * (1 + nr + 2 * (m + s + 1))  # one unit's tableau, at most
    step = max(1, MAX_CELLS // cells)
    if n > step:  # bounded memory: solve the units in chunks
        parts = []
        for a in range(0, n, step):
            sl = slice(a, min(n, a + step))
            parts.append(radial(
                xe[sl], ye[sl], xr[sl] if xr.ndim == 3 else xr,
                yr[sl] if yr.ndim == 3 else yr, orientation, rts, slack_weights,
                None if exclude is None else exclude[sl], slacks, nondiscretionary))
        return {k: np.concatenate([p_[k] for p_ in parts]) for k in parts[0]}
    conv = rts != "crs"
    e_col = rts in ("nirs", "ndrs")
    R = m + s + (1 if conv else 0)
    # columns: score, lambdas, s-, s+, [convexity slack], artificials
    c_lam = 1
    c_sx = 1 + nr
    c_sy = c_sx + m
    c_e = c_sy + s
    c_art = c_e + (1 if e_col else 0)
    N = c_art + R
    A = np.zeros((n, R, N))
    b = np.zeros((n, R))
    A[:, :m, c_lam:c_sx] = np.swapaxes(xr, -1, -2)
    A[:, m : m + s, c_lam:c_sx] = np.swapaxes(yr, -1, -2)
    A[:, np.arange(m), c_sx + np.arange(m)] = 1.0
    A[:, m + np.arange(s), c_sy + np.arange(s)] = -1.0
    if orientation == "input":
        A[:, np.arange(m), 0] = -xe
        nd = list(nondiscretionary)
        A[:, nd, 0] = 0.0
        b[:, nd] = xe[:, nd]
        b[:, m : m + s] = ye
    else:
        A[:, m + np.arange(s), 0] = -ye
        b[:, :m] = xe
    if conv:
        A[:, R - 1, c_lam:c_sx] = 1.0
        b[:, R - 1] = 1.0
        if e_col:
            A[:, R - 1, c_e] = 1.0 if rts == "nirs" else -1.0
    A[:, np.arange(R), c_art + np.arange(R)] = 1.0
    art = np.zeros(N, dtype=bool)
    art[c_art:] = True
    T = A.copy()
    rhs = b.copy()
    basis = np.broadcast_to(c_art + np.arange(R), (n, R)).copy()
    live = np.ones(n, dtype=bool)
    # phase 1: feasibility
    c1 = np.broadcast_to(art.astype(float), (n, N)).copy()
    allowed = np.broadcast_to(~art, (n, N)).copy()
    if exclude is not None:
        ex = np.flatnonzero(exclude >= 0)
        allowed[ex, c_lam + exclude[ex]] = False
    it = np.zeros(n, dtype=np.int64)
    ok = _simplex(T, rhs, basis, c1, allowed, art, live, drive_out=False, iters=it)
    feas = ok & (np.einsum("br,br->b", np.take_along_axis(c1, basis, 1), rhs) <= 1e-9)
    # phase 2: the radial score
    c2 = np.zeros((n, N))
    c2[:, 0] = 1.0 if orientation == "input" else -1.0
    ok = _simplex(T, rhs, basis, c2, allowed, art, feas, iters=it)
    # phase 3: largest weighted slack sum on the optimal face of phase 2
    cb2 = np.take_along_axis(c2, basis, axis=1)
    d2 = c2 - np.einsum("br,brn->bn", cb2, T)
    face = allowed & (d2 <= _TOL)
    c3 = np.zeros((n, N))
    if slacks:
        c3[:, c_sx:c_e] = -slack_weights
        ok = _simplex(T, rhs, basis, c3, face, art, ok, iters=it)
    # certificate from the final basis
    Bm = np.take_along_axis(A, basis[:, None, :], axis=2)  # (n, R, R)
    good = ok.copy()
    det_ok = np.abs(np.linalg.det(Bm)) > 1e-300
    good &= det_ok
    Bs = np.where(good[:, None, None], Bm, np.eye(R))
    xb = np.linalg.solve(Bs, b[..., None])[..., 0]
    x = np.zeros((n, N))
    np.put_along_axis(x, basis, xb, axis=1)
    good &= (xb >= -1e-9).all(axis=1) & (x[:, art] <= 1e-9).all(axis=1)
    for c, allow in ((c2, allowed), (c3, face)):
        y = np.linalg.solve(np.transpose(Bs, (0, 2, 1)),
                            np.take_along_axis(c, basis, 1)[..., None])[..., 0]
        red = c - np.einsum("br,brn->bn", y, A)
        good &= (np.where(allow, red, 0.0) >= -1e-8).all(axis=1)
    x = np.maximum(x, 0.0)
    return {
        "ok": good,
        "score": x[:, 0],
        "lam": x[:, c_lam:c_sx],
        "sx": x[:, c_sx:c_sy],
        "sy": x[:, c_sy:c_e],
        "iterations": it,
    }
