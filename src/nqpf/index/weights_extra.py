"""Independence, factor-analysis, fuzzy AHP and optimised weights.

Four weighting methods of Chinese evaluation practice (SPSSAU's 权重计算 list
and the literature), registered in :func:`nqpf.index.weights.weights` as
``independence``, ``factor`` and ``fahp``:

``independence`` (独立性权重, the multiple-correlation method)
    R_j, the multiple correlation of indicator j with all the others (the
    square root of the R² of regressing x_j on them), measures how much of j is
    repeated elsewhere; w_j ∝ 1/R_j. R²_j = 1 − 1/(C⁻¹)_jj with C the
    correlation matrix (the identity behind the regression).

``factor`` (因子分析权重)
    Principal-axis factors of the correlation matrix (eigenvalue > 1 by
    default), varimax-rotated; with rotated loadings L and the variance each
    factor explains EV_k = Σ_j L_jk², the score coefficients are
    c_jk = L_jk/√EV_k, an indicator's composite coefficient is
    s_j = Σ_k c_jk EV_k / Σ_k EV_k, and w_j = s_j / Σ s (SPSSAU's
    "线性组合系数 → 综合得分系数 → 权重" steps). A negative composite
    coefficient (an indicator against the common factors) raises an error.

``fahp`` (fuzzy AHP)
    Pairwise comparisons as triangular fuzzy numbers (l, m, u), reciprocal
    (a_ji = (1/u, 1/m, 1/l)). ``fuzzy_method="buckley"`` (default; Buckley 1985):
    fuzzy geometric means of the rows r_i, fuzzy weights r_i ⊗ (Σ r)⁻¹ =
    (l_i/Σu, m_i/Σm, u_i/Σl), defuzzified by the centroid (l + m + u)/3 and
    normalised. ``fuzzy_method="chang"`` (Chang 1996, extent analysis): synthetic
    extents S_i = Σ_j M_ij ⊗ (Σ_ij M_ij)⁻¹, degrees of possibility
    V(S_i ≥ S_k), d_i = min_k V(S_i ≥ S_k), w = d/Σd. Chang's weights can be 0
    for a criterion that is clearly dominated (Wang, Luo and Hua 2008, EJOR
    186, show they need not reflect the judgements); Buckley's do not, which is
    why it is the default. With crisp judgements (l = m = u) Buckley's weights
    are the geometric-mean AHP weights.

``optimal`` (COINr's ``get_opt_weights``)
    Weights that make the children's influence on their aggregate as even as
    possible: with r_j the Pearson correlation of child j with the weighted sum
    Σ_l w_l z_l, minimise Σ_j (r_j/Σ_l r_l − t_j)² over the simplex (SLSQP from
    equal weights), t the target shares (equal by default). Nominal weights are
    not influence (Paruolo, Saisana and Saltelli 2013, JRSS A 176: 609–634);
    these weights equalise the correlations instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import DataError


def independence(Z: Any, *, names: Sequence[Any] | None = None):
    """Independence weights: w_j ∝ 1 / R_j, R_j the multiple correlation of j with the rest.

    Returns
    -------
    WeightResult
        ``details``: ``R`` (multiple correlation), ``R2``, ``inverse`` (1/R).
    """
    from .weights_base import WeightResult, _constant_names, _corr_checked, _matrix, _names, _stats

    z, _ = _matrix(Z, names, "independence")
    k = z.shape[1]
    if k < 2:
        raise DataError("independence weights need at least 2 indicators")
    _, _, _, const = _stats(z)
    if const.any():
        raise DataError(
            f"independence weights: constant indicator(s) {_constant_names(const, names)} have "
            "no correlation; drop them"
        )
    C = _corr_checked(z, names, "independence")
    try:
        inv = np.linalg.inv(C)
    except np.linalg.LinAlgError:
        raise DataError(
            "independence weights: the correlation matrix is singular (an indicator is an exact "
            "linear combination of others); drop the redundant indicator"
        ) from None
    r2 = np.clip(1.0 - 1.0 / np.diag(inv), 0.0, 1.0)
    R = np.sqrt(r2)
    if (R < 1e-12).any():
        raise DataError(
            "independence weights: an indicator is uncorrelated with all the others (R = 0), "
            "so 1/R is infinite"
        )
    raw = 1.0 / R
    w = raw / raw.sum()
    tup = _names(names, k)
    return WeightResult(w, "independence", {"R": R, "R2": r2, "inverse": raw}, tup)


def factor(
    Z: Any,
    *,
    retain: str | int | None = None,
    rotation: str | None = "varimax",
    names: Sequence[Any] | None = None,
):
    """Factor-analysis weights from rotated loadings (composite score coefficients).

    Parameters
    ----------
    retain : {"kaiser"} or int, optional
        Factors kept: eigenvalue > 1 (default) or that many.
    rotation : {"varimax", None}

    Returns
    -------
    WeightResult
        ``details``: ``loadings``, ``score_coefficients``, ``composite``,
        ``factor_variance``, ``n_factors``.
    """
    from .weights_base import (
        WeightResult,
        _constant_names,
        _corr_checked,
        _matrix,
        _names,
        _stats,
        varimax,
    )

    z, _ = _matrix(Z, names, "factor")
    k = z.shape[1]
    if k < 2:
        raise DataError("factor weights need at least 2 indicators")
    _, _, _, const = _stats(z)
    if const.any():
        raise DataError(
            f"factor weights: constant indicator(s) {_constant_names(const, names)}; drop them"
        )
    C = _corr_checked(z, names, "factor")
    lam, vec = np.linalg.eigh(C)
    order = np.argsort(lam)[::-1]
    lam, vec = lam[order], vec[:, order]
    vec = vec * np.sign(vec.sum(axis=0) + (vec.sum(axis=0) == 0))
    if retain in (None, "kaiser"):
        m = max(1, int((lam > 1.0).sum()))
    elif isinstance(retain, int | np.integer) and not isinstance(retain, bool) and 1 <= retain <= k:
        m = int(retain)
    else:
        raise DataError(f"retain={retain!r}: use 'kaiser' or a number of factors in 1..{k}")
    L = vec[:, :m] * np.sqrt(np.clip(lam[:m], 0.0, None))
    if rotation == "varimax" and m > 1:
        L, _ = varimax(L)
        L = L * np.sign(L.sum(axis=0) + (L.sum(axis=0) == 0))
    elif rotation not in ("varimax", None):
        raise DataError(f"rotation {rotation!r}: use 'varimax' or None")
    ev = (L * L).sum(axis=0)
    coef = L / np.sqrt(ev)
    comp = coef @ ev / ev.sum()
    if (comp <= 0).any():
        bad = [names[j] if names is not None else j for j in np.flatnonzero(comp <= 0)]
        raise DataError(
            f"factor weights: indicator(s) {bad} have a non-positive composite coefficient "
            "(they run against the common factors); check their direction"
        )
    w = comp / comp.sum()
    tup = _names(names, k)
    return WeightResult(
        w, "factor",
        {"loadings": L, "score_coefficients": coef, "composite": comp, "factor_variance": ev,
         "n_factors": m},
        tup,
    )


def fuzzy_matrix(matrix: Any) -> np.ndarray:
    """A (k, k, 3) array of triangular fuzzy judgements, checked for reciprocity.

    Entries may be triples (l, m, u) or crisp numbers (l = m = u).
    """
    rows = list(matrix)
    k = len(rows)
    out = np.empty((k, k, 3))
    for i, row in enumerate(rows):
        if len(row) != k:
            raise DataError(f"fuzzy AHP matrix row {i} has {len(row)} entries, expected {k}")
        for j, v in enumerate(row):
            t = np.atleast_1d(np.asarray(v, dtype=float))
            if t.size == 1:
                t = np.repeat(t, 3)
            if t.size != 3 or not (0 < t[0] <= t[1] <= t[2]):
                raise DataError(
                    f"fuzzy AHP entry ({i}, {j}) must be a number or a triple 0 < l ≤ m ≤ u, "
                    f"got {v!r}"
                )
            out[i, j] = t
    for i in range(k):
        if not np.allclose(out[i, i], 1.0):
            raise DataError(f"fuzzy AHP diagonal entry ({i}, {i}) must be 1")
        for j in range(i + 1, k):
            if not np.allclose(out[j, i], 1.0 / out[i, j][::-1], rtol=1e-3):
                raise DataError(
                    f"fuzzy AHP entries ({i}, {j}) and ({j}, {i}) are not reciprocal: "
                    f"{out[i, j].tolist()} vs {out[j, i].tolist()} (expected (1/u, 1/m, 1/l))"
                )
    return out


def fahp(matrix: Any, *, fuzzy_method: str = "buckley", names: Sequence[Any] | None = None):
    """Fuzzy AHP weights from a matrix of triangular fuzzy pairwise judgements.

    Returns
    -------
    WeightResult
        ``details``: ``fuzzy_weights`` (k, 3) for Buckley, ``extents`` (k, 3)
        and ``possibility`` (k, k) for Chang.
    """
    from .weights_base import WeightResult, _names

    M = fuzzy_matrix(matrix)
    k = M.shape[0]
    tup = _names(names, k)
    if fuzzy_method == "buckley":
        r = np.exp(np.log(M).mean(axis=1))  # (k, 3) fuzzy geometric means
        tot = r.sum(axis=0)
        fw = np.column_stack([r[:, 0] / tot[2], r[:, 1] / tot[1], r[:, 2] / tot[0]])
        crisp = fw.mean(axis=1)
        return WeightResult(crisp / crisp.sum(), "fahp", {"fuzzy_weights": fw}, tup)
    if fuzzy_method == "chang":
        row = M.sum(axis=1)
        tot = row.sum(axis=0)
        S = np.column_stack([row[:, 0] / tot[2], row[:, 1] / tot[1], row[:, 2] / tot[0]])
        V = np.ones((k, k))
        for i in range(k):
            for j in range(k):
                if i == j or S[i, 1] >= S[j, 1]:
                    continue
                if S[j, 0] >= S[i, 2]:
                    V[i, j] = 0.0
                else:
                    V[i, j] = (S[j, 0] - S[i, 2]) / ((S[i, 1] - S[i, 2]) - (S[j, 1] - S[j, 0]))
        d = V.min(axis=1)
        if not d.sum() > 0:
            raise DataError("Chang's extent analysis gives every criterion weight 0")
        return WeightResult(d / d.sum(), "fahp", {"extents": S, "possibility": V}, tup)
    raise DataError(f"fuzzy AHP method {fuzzy_method!r}: use 'buckley' or 'chang'")


def optimal(Z: Any, *, target: Any = None, names: Sequence[Any] | None = None):
    """Weights whose children correlate with the weighted sum in the target shares.

    Returns
    -------
    WeightResult
        ``details``: ``correlations`` (with the optimised sum), ``start_correlations``
        (with equal weights), ``objective``, ``converged``.
    """
    from scipy.optimize import minimize

    from .weights_base import WeightResult, _constant_names, _matrix, _names, _stats

    z, _ = _matrix(Z, names, "optimal")
    k = z.shape[1]
    if k < 2:
        raise DataError("optimised weights need at least 2 indicators")
    _, _, _, const = _stats(z)
    if const.any():
        raise DataError(
            f"optimised weights: constant indicator(s) {_constant_names(const, names)}; drop them"
        )
    if np.isnan(z).any():
        raise DataError("optimised weights need complete data; impute first")
    t = np.full(k, 1.0 / k) if target is None else np.asarray(target, dtype=float)
    if t.shape != (k,) or not t.sum() > 0 or (t < 0).any():
        raise DataError(f"target must be {k} non-negative shares")
    t = t / t.sum()
    zc = (z - z.mean(axis=0)) / z.std(axis=0)

    def corr(w: np.ndarray) -> np.ndarray:
        y = zc @ (w * z.std(axis=0))  # the weighted sum Σ w_j z_j, centred
        y = (y - y.mean()) / (y.std() if y.std() > 0 else 1.0)
        return (zc * y[:, None]).mean(axis=0)

    def loss(w: np.ndarray) -> float:
        r = corr(w)
        return float(((r / r.sum() - t) ** 2).sum())

    w0 = np.full(k, 1.0 / k)
    res = minimize(
        loss, w0, method="SLSQP", bounds=[(0.0, 1.0)] * k,
        constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1.0}],
        options={"ftol": 1e-14, "maxiter": 500},
    )
    w = np.clip(res.x, 0.0, None)
    w = w / w.sum()
    return WeightResult(
        w, "optimal",
        {"correlations": corr(w), "start_correlations": corr(w0), "objective": loss(w),
         "converged": bool(res.success)},
        _names(names, k),
    )
