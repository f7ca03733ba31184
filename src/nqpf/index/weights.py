"""Indicator weights: equal, expert, entropy, CRITIC, CV, SD, PCA, AHP and combinations.

Every data-driven method works on a matrix ``Z`` of shape ``(n_obs, k)`` of
*normalised, direction-adjusted* scores (larger = better), as produced by
:func:`nqpf.index.normalise.normalise`; the engine flattens unit-periods into
rows, so "panel entropy over all unit-years" is the entropy of the pooled ``Z``.
Each function returns a :class:`WeightResult` whose weights are non-negative and
sum to 1, and whose ``details`` hold every intermediate array (the explain mode);
with ``keep_arrays=False`` the one array with a row per observation (the entropy
shares ``p``) is left out, which saves time and memory on large panels when no
explain tables are wanted. The weights are the same either way.

Missing cells
-------------
NaN cells are ignored column by column: each indicator's statistics (shares,
entropy, mean, standard deviation) use its own observed cells, and correlations
use pairwise-complete observations (the rows where both indicators are
observed). One missing cell never turns another indicator's weight into NaN.

Constant indicators
-------------------
An indicator that does not vary carries no information for entropy, CRITIC,
CV, SD and PCA: it gets weight exactly 0 and is listed in
``details["constant"]`` (and flagged in ``details["is_constant"]``); its
undefined correlations are left out. If every indicator is constant the weights
are undefined and :class:`~nqpf.errors.DataError` is raised. A node with a
single indicator always gets weight 1.

References
----------
Shannon, C. E. (1948). A mathematical theory of communication. *Bell System
Technical Journal* 27, 379–423; applied to criteria weights by Zeleny, M.
(1982). *Multiple Criteria Decision Making*, McGraw-Hill, and Hwang & Yoon (1981).

Diakoulaki, D., Mavrotas, G. & Papayannakis, L. (1995). Determining objective
weights in multiple criteria problems: the CRITIC method. *Computers &
Operations Research* 22(7), 763–770.

Nicoletti, G., Scarpetta, S. & Boylaud, O. (2000). Summary indicators of product
market regulation with an extension to employment protection legislation. OECD
Economics Department Working Paper 226; OECD & JRC (2008). *Handbook on
Constructing Composite Indicators*, §6.1 (weights from principal components /
factor analysis).

Kaiser, H. F. (1958). The varimax criterion for analytic rotation in factor
analysis. *Psychometrika* 23, 187–200.

Saaty, T. L. (1977). A scaling method for priorities in hierarchical structures.
*Journal of Mathematical Psychology* 15, 234–281; Saaty, T. L. (1980). *The
Analytic Hierarchy Process*, McGraw-Hill (random index table).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np

from ..errors import DataError
from .normalise import (
    apply_shift,
    column_op,
    column_summary,
    parse_shift,
    row_blocks,
)

#: Saaty's random consistency index RI for n = 1..15 (Saaty 1980, *The Analytic
#: Hierarchy Process*, McGraw-Hill): the average CI of random reciprocal matrices,
#: as tabulated there (note the dip at n = 12). Other tables exist (e.g. Alonso &
#: Lamata 2006); this one is the most widely used.
RANDOM_INDEX: dict[int, float] = {
    1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45,
    10: 1.49, 11: 1.51, 12: 1.48, 13: 1.56, 14: 1.57, 15: 1.59,
}

from .weights_base import (  # noqa: E402  (re-exported: the public names stay here)
    _TINY,
    WeightResult,
    _constant_names,
    _corr_checked,
    _finish,
    _label,
    _matrix,
    _names,
    _stats,
    pairwise_corr,
    varimax,
)

# public names defined in weights_base, importable from here as before
__all__ = [
    "COMBINE_METHODS", "METHODS", "RANDOM_INDEX", "WeightResult", "ahp", "combine", "critic",
    "cv", "entropy", "equal", "expert", "pairwise_corr", "pca", "sd", "varimax", "weights",
]

METHODS: tuple[str, ...] = (
    "equal", "expert", "entropy", "critic", "cv", "sd", "pca", "ahp", "independence", "factor",
    "fahp", "optimal",
)
COMBINE_METHODS: tuple[str, ...] = ("linear", "multiplicative", "game")


def equal(Z: Any, *, names: Sequence[Any] | None = None) -> WeightResult:
    """Equal weights ``1/k``.

    Parameters
    ----------
    Z : array_like (n_obs, k) or int
        The data (only its number of columns is used) or ``k`` itself.
    names : sequence, optional
        Indicator names.
    """
    if isinstance(Z, int | np.integer) and not isinstance(Z, bool):
        k = int(Z)
    else:
        shape = np.shape(Z)
        k = 1 if len(shape) == 1 else (shape[1] if len(shape) == 2 else 0)
    if k < 1:
        raise DataError(f"equal weights need at least one indicator; got {Z!r}")
    return WeightResult(np.full(k, 1.0 / k), "equal", {}, _names(names, k))


def expert(weights: Any, *, names: Sequence[Any] | None = None) -> WeightResult:
    """Expert (given) weights, normalised to sum 1.

    Parameters
    ----------
    weights : array_like, shape (k,)
        Positive weights in any scale (e.g. points out of 100).
    names : sequence, optional
        Indicator names.

    Raises
    ------
    DataError
        If a weight is missing, infinite, zero or negative.
    """
    g = np.array(weights, dtype=float, copy=True).ravel()
    if g.size == 0:
        raise DataError("expert weights: no weights given")
    bad = ~(np.isfinite(g) & (g > 0))
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"expert weights must be positive numbers; {_label(j, names)} has {g[j]:g}. "
            "Drop the indicator from the framework rather than giving it weight 0."
        )
    return WeightResult(g / g.sum(), "expert", {"given": g}, _names(names, g.size))


def entropy(
    Z: Any,
    *,
    shift: Sequence[Any] | None = None,
    names: Sequence[Any] | None = None,
    keep_arrays: bool = True,
) -> WeightResult:
    """Entropy weights (Shannon 1948; Zeleny 1982).

    ``p_ij = z_ij / Σ_i z_ij``, ``e_j = −(1/ln n_j) Σ_i p_ij ln p_ij`` with the
    convention ``0 · ln 0 = 0``, ``d_j = 1 − e_j``, ``w_j = d_j / Σ d``, where
    ``n_j`` is the number of observed cells of indicator ``j``.

    Parameters
    ----------
    Z : array_like, shape (n_obs, k)
        Normalised, direction-adjusted, non-negative scores (min-max output).
    shift : tuple, optional
        A shift applied to ``Z`` first, as in
        :func:`nqpf.index.normalise.parse_shift` (e.g. ``("add", 0.0001)``);
        default None (zeros kept, ``0 · ln 0 = 0``).
    names : sequence, optional
        Indicator names.
    keep_arrays : bool
        Keep the shares ``p`` (n_obs, k) in ``details`` (default). False leaves
        them out; the weights and every other detail are the same.

    Returns
    -------
    WeightResult
        ``details``: ``p`` (n_obs, k; NaN where missing or where the column sums
        to 0; only with ``keep_arrays``), ``e``, ``d``, ``n`` (observed counts),
        ``constant``, ``is_constant``, ``shift`` (as text, e.g.
        ``"add 0.0001"``, or None).

    Raises
    ------
    DataError
        On a negative score (normalise with min-max first: entropy on raw or
        z-scored data gives meaningless, even negative, weights), or when every
        indicator is constant.

    Notes
    -----
    A constant indicator (including a column of zeros, whose shares are
    undefined) has ``e_j = 1`` and weight 0. Entropy weights depend on the
    normalisation and on any shift; they are invariant to rescaling a raw
    indicator by a positive constant before min-max.

    ``p ln p`` is computed as ``p · ln(p + tiny)`` (``tiny`` ≈ 2.2e-308, the
    smallest normal float): exactly 0 at ``p = 0``, and exactly ``p ln p`` for
    every ``p`` above about 1e-291, where adding ``tiny`` does not change ``p``.
    Without missing cells no mask is built (the fast path).
    """
    z, summary = _matrix(Z, names, "entropy")
    spec = parse_shift(shift)
    if spec is not None:
        z = apply_shift(z, spec)
        summary = column_summary(z) if summary is not None else None
    complete = summary is not None
    if summary is not None:
        lo, hi, total = summary
        cnt = np.full(z.shape[1], z.shape[0])
        neg_cols = np.flatnonzero(lo < 0)
        const = hi == lo
    else:
        obs = ~np.isnan(z)
        neg_cols = np.flatnonzero((obs & (z < 0)).any(axis=0))
        cnt, _, _, const = _stats(z)
        total = np.where(obs, z, 0.0).sum(axis=0)
    if neg_cols.size:
        which = ", ".join(_label(int(j), names) for j in neg_cols[:5])
        raise DataError(
            f"entropy needs non-negative, direction-adjusted normalised data; {which} "
            "has negative values. Normalise with minmax first."
        )
    const = const | (total == 0)
    safe_total = np.where(total > 0, total, 1.0)
    # Σ_i p ln p block by block of rows, in block-sized buffers; the full p is made
    # only for the explain mode
    p = np.empty(z.shape) if keep_arrays else None
    blocks = row_blocks(*z.shape)
    size, k = (blocks[0].stop if blocks else 0), z.shape[1]
    p_buf, plogp_buf, ones = np.empty((size, k)), np.empty((size, k)), np.ones(size)
    share = column_op(np.divide, safe_total)  # p = z / column total
    sum_plogp = np.zeros(k)
    for rows in blocks:
        m = rows.stop - rows.start
        pb = share(z[rows], p_buf[:m] if p is None else p[rows])  # NaN where missing
        if not complete:
            pb = np.where(np.isnan(pb), 0.0, pb)  # a missing cell adds 0 ln 0 = 0
        plogp = np.add(pb, _TINY, out=plogp_buf[:m])
        np.log(plogp, out=plogp)
        plogp *= pb
        sum_plogp += ones[:m] @ plogp
    e = -sum_plogp / np.log(cnt)
    e = np.where(const, 1.0, np.clip(e, 0.0, 1.0))
    d = 1.0 - e
    details = {
        "e": e, "d": d, "n": cnt, "constant": _constant_names(const, names),
        "is_constant": const, "shift": None if spec is None else " ".join(map(str, spec)),
    }
    if p is not None:
        p[:, total == 0] = np.nan  # shares of a column of zeros are undefined
        details = {"p": p, **details}
    return _finish(d, "entropy", details, names, "every indicator is constant")


def critic(Z: Any, *, names: Sequence[Any] | None = None) -> WeightResult:
    """CRITIC weights (Diakoulaki, Mavrotas & Papayannakis 1995).

    ``C_j = σ_j Σ_k (1 − r_jk)``, ``w_j = C_j / Σ C``, with ``σ_j`` the sample
    standard deviation (ddof = 1) and ``r`` Pearson correlations
    (pairwise-complete) of the direction-adjusted normalised scores.

    Parameters
    ----------
    Z : array_like, shape (n_obs, k)
        Normalised, direction-adjusted scores. Direction matters: on raw data a
        cost indicator's correlations have the wrong sign.
    names : sequence, optional
        Indicator names.

    Returns
    -------
    WeightResult
        ``details``: ``sigma``, ``r`` (k, k; NaN rows for constant indicators),
        ``conflict`` (Σ_k (1 − r_jk) over non-constant k), ``C`` (information),
        ``constant``, ``is_constant``.

    Notes
    -----
    The original paper's σ is not explicit about ddof; the choice does not
    change the weights (it scales every σ_j by the same factor when no cell is
    missing). A constant indicator (σ = 0, correlations undefined) is dropped
    before the correlations are taken and gets weight 0.
    """
    z, _ = _matrix(Z, names, "critic")
    k = z.shape[1]
    _, _, sd, const = _stats(z)
    keep = np.flatnonzero(~const)
    r = np.full((k, k), np.nan)
    conflict = np.zeros(k)
    sub_names = [names[j] for j in keep] if names is not None else None
    if keep.size:
        rk = _corr_checked(z[:, keep], sub_names, "critic")
        r[np.ix_(keep, keep)] = rk
        conflict[keep] = (1.0 - rk).sum(axis=1)
    info = np.where(const, 0.0, sd * conflict)
    details = {
        "sigma": sd, "r": r, "conflict": conflict, "C": info,
        "constant": _constant_names(const, names), "is_constant": const, "ddof": 1,
    }
    if const.all():
        why = "every indicator is constant"
    elif keep.size == 1:
        only = names[keep[0]] if names is not None else f"column {keep[0]}"
        why = (
            f"only {only!r} varies and {_constant_names(const, names)} are constant; CRITIC "
            "weighs an indicator by its contrast with the others, so it needs at least two "
            "that vary. Drop the constant ones or use other weights (equal, expert, entropy)"
        )
    else:
        why = "the non-constant indicators are perfectly correlated (no conflict)"
    return _finish(info, "critic", details, names, why)


def cv(Z: Any, *, names: Sequence[Any] | None = None) -> WeightResult:
    """Coefficient-of-variation weights: ``w_j ∝ σ_j / mean_j`` (σ with ddof = 1).

    Parameters
    ----------
    Z : array_like, shape (n_obs, k)
        Normalised scores (the engine passes min-max output). On raw data the
        CV is invariant to rescaling an indicator (units) but not to shifting
        it, so a change of origin (°C vs K, a growth rate vs an index) changes
        the weights.
    names : sequence, optional

    Returns
    -------
    WeightResult
        ``details``: ``mean``, ``sigma``, ``cv``, ``constant``, ``is_constant``.

    Raises
    ------
    DataError
        If an indicator's mean is ≤ 0 (the CV is then meaningless; shift the
        scores, e.g. ``("add", 0.01)``), or every indicator is constant.
    """
    z, _ = _matrix(Z, names, "cv")
    _, mean, sd, const = _stats(z)
    bad = np.flatnonzero(mean <= 0)
    if bad.size:
        which = ", ".join(f"{_label(int(j), names)} (mean {mean[j]:.4g})" for j in bad[:5])
        raise DataError(
            f"coefficient-of-variation weights need positive means; {which}. "
            "Normalise with minmax and shift the scores, e.g. shift=('add', 0.01)."
        )
    c = sd / mean
    details = {
        "mean": mean, "sigma": sd, "cv": c, "constant": _constant_names(const, names),
        "is_constant": const, "ddof": 1,
    }
    return _finish(c, "cv", details, names, "every indicator is constant")


def sd(Z: Any, *, names: Sequence[Any] | None = None) -> WeightResult:
    """Standard-deviation weights: ``w_j = σ_j / Σ σ`` (ddof = 1).

    Compute them on normalised scores: on raw data they follow the units of
    measurement (rescaling one indicator by 1000 moves its weight towards 1).

    Returns
    -------
    WeightResult
        ``details``: ``sigma``, ``constant``, ``is_constant``.
    """
    z, _ = _matrix(Z, names, "sd")
    _, _, s, const = _stats(z)
    details = {
        "sigma": s, "constant": _constant_names(const, names), "is_constant": const, "ddof": 1,
    }
    return _finish(s, "sd", details, names, "every indicator is constant")


def pca(
    Z: Any,
    *,
    retain: Literal["kaiser", "variance"] | int | None = None,
    var_threshold: float | None = None,
    variant: Literal["squared_loadings", "abs_loadings"] = "squared_loadings",
    rotation: Literal["varimax"] | None = "varimax",
    names: Sequence[Any] | None = None,
) -> WeightResult:
    """Weights from principal components of the correlation matrix.

    Loadings are ``L = V diag(√λ)`` for the retained components of the
    (pairwise-complete) correlation matrix, optionally rotated.

    Parameters
    ----------
    Z : array_like, shape (n_obs, k)
        Normalised, direction-adjusted scores.
    retain : {"kaiser", "variance"} or int, optional
        ``"kaiser"``: components with eigenvalue > 1 (at least one);
        ``"variance"``: the fewest components whose cumulative share of
        variance reaches ``var_threshold``; an int: that many. Default:
        ``"variance"`` when ``var_threshold`` is given, else ``"kaiser"``.
    var_threshold : float, optional
        Cumulative share for ``retain="variance"``; default 0.85.
    variant : {"squared_loadings", "abs_loadings"}
        ``"squared_loadings"`` (default) follows Nicoletti, Scarpetta & Boylaud
        (2000) as set out in the OECD & JRC (2008) Handbook, §6.1: each factor's
        squared loadings are scaled to sum 1 (``q_jm = L_jm² / EV_m``), each
        indicator is assigned to the factor on which it loads most, and
        ``w_j ∝ (EV_m / Σ EV) q_jm`` for that factor (``EV_m`` = variance
        explained by the factor). ``"abs_loadings"``: the variant common in
        applied studies, ``w_j ∝ Σ_m (EV_m / Σ EV) |L_jm|`` over all retained
        components.
    rotation : {"varimax", None}
        The Handbook rotates the retained factors with varimax (default);
        None keeps the principal axes. No effect with one component.
    names : sequence, optional

    Returns
    -------
    WeightResult
        ``details``: ``n_retained``, ``loadings`` (k, m; rotated if asked; NaN
        rows for constant indicators), ``assigned`` (factor of each indicator,
        squared variant; −1 for constant ones), ``scaled_squared_loadings``,
        ``corr``, ``constant``, ``is_constant``, and ``components``, a dict of
        component-indexed arrays over the non-constant indicators:
        ``eigenvalues`` (descending), ``explained`` (share of each),
        ``eigenvectors`` (columns) and ``factor_variance`` (EV_m of the
        retained factors).

    Notes
    -----
    Constant indicators are left out of the correlation matrix and get weight
    0. With missing cells the pairwise correlation matrix may have small
    negative eigenvalues; they are treated as 0 for the loadings. The
    Handbook's further retention rules (each factor > 10 % and cumulatively
    > 60 % of the variance) are not applied automatically: pass ``retain``.
    """
    z, _ = _matrix(Z, names, "pca")
    k = z.shape[1]
    _, _, _, const = _stats(z)
    keep = np.flatnonzero(~const)
    sub = [names[j] for j in keep] if names is not None else None
    if variant not in ("squared_loadings", "abs_loadings"):
        raise DataError(f"pca variant {variant!r}; use 'squared_loadings' or 'abs_loadings'")
    if rotation not in ("varimax", None):
        raise DataError(f"pca rotation {rotation!r}; use 'varimax' or None")
    if retain is None:
        retain = "variance" if var_threshold is not None else "kaiser"
    thr = 0.85 if var_threshold is None else float(var_threshold)
    if not 0 < thr <= 1:
        raise DataError(f"var_threshold must be in (0, 1]; got {var_threshold!r}")
    details: dict[str, Any] = {
        "constant": _constant_names(const, names), "is_constant": const, "variant": variant,
        "rotation": rotation,
    }
    raw = np.zeros(k)
    if keep.size == 1:
        raw[keep] = 1.0
    elif keep.size > 1:
        r = _corr_checked(z[:, keep], sub, "pca")
        lam, vec = np.linalg.eigh(r)
        order = np.argsort(lam)[::-1]
        lam, vec = lam[order], vec[:, order]
        big = np.argmax(np.abs(vec), axis=0)
        vec = vec * np.sign(vec[big, np.arange(vec.shape[1])])
        share = np.clip(lam, 0.0, None) / np.clip(lam, 0.0, None).sum()
        if retain == "kaiser":
            m = max(1, int(np.sum(lam > 1.0)))
        elif retain == "variance":
            m = int(np.searchsorted(np.cumsum(share), thr - 1e-12) + 1)
        elif isinstance(retain, int | np.integer) and not isinstance(retain, bool):
            m = int(retain)
            if not 1 <= m <= keep.size:
                raise DataError(f"retain={m} components, but only {keep.size} can be formed")
        else:
            raise DataError(f"retain={retain!r}; use 'kaiser', 'variance' or a number")
        m = min(m, keep.size)
        load = vec[:, :m] * np.sqrt(np.clip(lam[:m], 0.0, None))
        if rotation == "varimax" and m > 1:
            load, _ = varimax(load)
        ev = (load * load).sum(axis=0)
        if variant == "squared_loadings":
            q = load * load / np.where(ev > 0, ev, 1.0)
            assigned = np.argmax(np.abs(load), axis=1)
            sub_w = (ev / ev.sum())[assigned] * q[np.arange(keep.size), assigned]
            details["scaled_squared_loadings"] = _expand(q, keep, k)
            full = np.full(k, -1)
            full[keep] = assigned
            details["assigned"] = full
        else:
            sub_w = (np.abs(load) * (ev / ev.sum())).sum(axis=1)
        raw[keep] = sub_w
        details.update(
            n_retained=m, loadings=_expand(load, keep, k), corr=_expand_sq(r, keep, k),
            components={
                "eigenvalues": lam, "explained": share, "eigenvectors": vec,
                "factor_variance": ev,
            },
        )
    return _finish(raw, "pca", details, names, "every indicator is constant")


def _expand(a: np.ndarray, keep: np.ndarray, k: int) -> np.ndarray:
    out = np.full((k, a.shape[1]), np.nan)
    out[keep] = a
    return out


def _expand_sq(a: np.ndarray, keep: np.ndarray, k: int) -> np.ndarray:
    out = np.full((k, k), np.nan)
    out[np.ix_(keep, keep)] = a
    return out


def ahp(
    matrix: Any,
    *,
    method: Literal["eigenvector", "geometric"] = "eigenvector",
    allow_inconsistent: bool = False,
    rtol: float = 1e-6,
    names: Sequence[Any] | None = None,
) -> WeightResult:
    """Weights from an AHP pairwise comparison matrix (Saaty 1977, 1980).

    Parameters
    ----------
    matrix : array_like, shape (n, n)
        Positive reciprocal matrix: ``a_ij`` says how many times more important
        item i is than item j; ``a_ii = 1`` and ``a_ji = 1/a_ij``.
    method : {"eigenvector", "geometric"}
        ``"eigenvector"``: the principal right eigenvector (Saaty), with
        ``λmax`` its eigenvalue. ``"geometric"``: normalised row geometric
        means, with ``λmax = mean_i (A w)_i / w_i``.
    allow_inconsistent : bool
        Return weights even when CR > 0.1 (``details["consistent"]`` is then
        False).
    rtol : float
        Relative tolerance of the diagonal and reciprocity checks
        (``|a_ij a_ji − 1| ≤ rtol``). Enter 1/3 as ``1/3``, not 0.333, or raise
        ``rtol``.
    names : sequence, optional

    Returns
    -------
    WeightResult
        ``details``: ``lambda_max``, ``CI = (λmax − n)/(n − 1)``, ``RI``
        (:data:`RANDOM_INDEX`), ``CR = CI/RI`` (0 for n ≤ 2), ``consistent``,
        ``method``, ``matrix``, ``most_inconsistent`` (``{"row": i,
        "column": j}``, the judgment furthest from ``w_i/w_j``).

    Raises
    ------
    DataError
        If the matrix is not square, positive and reciprocal (naming the
        cell), has more than 15 rows (no random index), or is inconsistent
        (CR > 0.1) without ``allow_inconsistent``.
    """
    a = np.array(matrix, dtype=float, copy=True)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        raise DataError(f"AHP needs a square pairwise comparison matrix; got shape {a.shape}")
    n = a.shape[0]
    _names(names, n)

    def cell(i: int, j: int) -> str:
        if names is not None:
            return f"row {names[i]!r}, column {names[j]!r}"
        return f"cell ({i}, {j})"

    bad = ~(np.isfinite(a) & (a > 0))
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise DataError(f"AHP matrix {cell(i, j)} is {a[i, j]!r}; judgments must be positive")
    diag = np.abs(np.diag(a) - 1.0) > rtol
    if diag.any():
        i = int(np.flatnonzero(diag)[0])
        raise DataError(f"AHP matrix {cell(i, i)} is {a[i, i]!r}; the diagonal must be 1")
    recip = np.abs(a * a.T - 1.0) > rtol
    if recip.any():
        i, j = np.argwhere(np.triu(recip, 1))[0]
        raise DataError(
            f"AHP matrix is not reciprocal at {cell(i, j)} = {a[i, j]!r} and {cell(j, i)} = "
            f"{a[j, i]!r}; expected {cell(j, i)} = 1/{a[i, j]:g} = {1 / a[i, j]:.6g}"
        )
    if n > 15:
        raise DataError(
            f"AHP with {n} items: Saaty's random index is tabulated up to n = 15; "
            "group the items into a hierarchy of smaller comparisons"
        )
    if method == "eigenvector":
        vals, vecs = np.linalg.eig(a)
        i = int(np.argmax(vals.real))
        w = np.abs(vecs[:, i].real)
        w = w / w.sum()
        lam = float(vals[i].real)
    elif method == "geometric":
        w = np.exp(np.log(a).mean(axis=1))
        w = w / w.sum()
        lam = float(np.mean((a @ w) / w))
    else:
        raise DataError(f"AHP method {method!r}; use 'eigenvector' or 'geometric'")
    if n > 2:
        ci = max((lam - n) / (n - 1), 0.0)
        ri = RANDOM_INDEX[n]
        cr = ci / ri
    else:
        ci, ri, cr = 0.0, RANDOM_INDEX[n], 0.0
    dev = a * w[None, :] / w[:, None]
    dev = np.maximum(dev, 1.0 / dev)
    worst = tuple(int(v) for v in np.unravel_index(np.argmax(dev), dev.shape))
    details = {
        "lambda_max": lam, "CI": ci, "RI": ri, "CR": cr, "consistent": bool(cr <= 0.1),
        "method": method, "matrix": a,
        "most_inconsistent": {"row": worst[0], "column": worst[1]},
    }
    if cr > 0.1 and not allow_inconsistent:
        i, j = worst
        raise DataError(
            f"AHP matrix is inconsistent: CR = {cr:.4f} > 0.1 (λmax = {lam:.4f}, CI = {ci:.4f}, "
            f"RI = {ri}). The judgment furthest from the derived priorities is {cell(i, j)} = "
            f"{a[i, j]:g} (priorities imply {w[i] / w[j]:.3g}); revise the judgments, or pass "
            "allow_inconsistent=True."
        )
    return WeightResult(w, "ahp", details, _names(names, n))


def _vector(w: Any, what: str) -> np.ndarray:
    v = np.array(getattr(w, "weights", w), dtype=float, copy=True).ravel()
    if v.size == 0 or not np.all(np.isfinite(v)) or (v < 0).any() or not v.sum() > 0:
        raise DataError(f"combine: the {what} weights must be finite, non-negative, not all 0")
    return v / v.sum()


def combine(
    subjective: Any,
    objective: Any,
    method: Literal["linear", "multiplicative", "game"] = "linear",
    alpha: float = 0.5,
    *,
    names: Sequence[Any] | None = None,
) -> WeightResult:
    """Combine two weight vectors (each normalised to sum 1 first).

    Parameters
    ----------
    subjective, objective : array_like (k,) or WeightResult
        The two weight vectors (by convention subjective first, e.g. AHP or
        expert, then objective, e.g. entropy; any two work).
    method : {"linear", "multiplicative", "game"}
        ``"linear"``: ``α s + (1 − α) o``. ``"multiplicative"``:
        ``w ∝ s_j o_j``. ``"game"``: the game-theoretic (cooperative,
        deviation-minimising) combination widely used in Chinese applied
        studies (博弈论组合赋权): find ``a`` minimising the deviations of
        ``a1 s + a2 o`` from each of ``s`` and ``o``, whose first-order
        conditions are ``[[s·s, s·o], [o·s, o·o]] a = [s·s, o·o]``; then
        ``a* = |a| / Σ|a|`` (absolute values, since ``a`` can be negative when
        one vector is close to the other's projection) and
        ``w = a1* s + a2* o``, renormalised. When ``s`` and ``o`` coincide the
        system is singular and ``w = s``.
    alpha : float
        Share of the first vector in ``"linear"``; in [0, 1]. Default 0.5.
    names : sequence, optional

    Returns
    -------
    WeightResult
        ``details``: ``subjective``, ``objective``, and ``alpha`` (linear) or
        ``coefficients`` (raw ``a``) and ``coefficients_normalised`` (game).

    Raises
    ------
    DataError
        On vectors of different lengths, negative or non-finite entries,
        ``alpha`` outside [0, 1], or multiplicative weights that are all 0
        (the two vectors have no positive entry in common).
    """
    s = _vector(subjective, "subjective")
    o = _vector(objective, "objective")
    if s.size != o.size:
        raise DataError(f"combine: the weight vectors have {s.size} and {o.size} entries")
    details: dict[str, Any] = {"subjective": s, "objective": o, "combine": method}
    if method == "linear":
        a = float(alpha)
        if not 0.0 <= a <= 1.0:
            raise DataError(f"combine: alpha must be in [0, 1]; got {alpha!r}")
        w = a * s + (1.0 - a) * o
        details["alpha"] = a
    elif method == "multiplicative":
        w = s * o
        if not w.sum() > 0:
            raise DataError(
                "combine: multiplicative weights are all 0 (no indicator has positive weight in "
                "both vectors); use linear combination"
            )
    elif method == "game":
        g = np.array([[s @ s, s @ o], [o @ s, o @ o]])
        rhs = np.array([s @ s, o @ o])
        det = g[0, 0] * g[1, 1] - g[0, 1] * g[1, 0]
        if abs(det) <= 1e-12 * g[0, 0] * g[1, 1]:
            coef = np.array([0.5, 0.5])
            w = s.copy()
        else:
            coef = np.linalg.solve(g, rhs)
            cn = np.abs(coef) / np.abs(coef).sum()
            w = cn[0] * s + cn[1] * o
        details["coefficients"] = coef
        details["coefficients_normalised"] = np.abs(coef) / np.abs(coef).sum()
    else:
        raise DataError(f"combine method {method!r}; use one of {', '.join(COMBINE_METHODS)}")
    w = w / w.sum()
    return WeightResult(w, f"combine:{method}", details, _names(names, s.size))


_FUNCS: dict[str, Callable[..., WeightResult]] = {
    "equal": equal, "expert": expert, "entropy": entropy, "critic": critic, "cv": cv, "sd": sd,
    "pca": pca, "ahp": ahp,
}
# independence, factor-analysis and fuzzy AHP weights live in their own module
from . import weights_extra as _extra  # noqa: E402

_FUNCS.update(
    independence=_extra.independence, factor=_extra.factor, fahp=_extra.fahp,
    optimal=_extra.optimal,
)
_combine = combine


def _call(
    name: str, Z: Any, kw: dict[str, Any], names: Sequence[Any] | None, keep_arrays: bool
) -> WeightResult:
    fn = _FUNCS[name]
    accepted = set(inspect.signature(fn).parameters)
    args = {key: v for key, v in kw.items() if key in accepted}
    if "names" in accepted:
        args["names"] = names
    if "keep_arrays" in accepted:
        args["keep_arrays"] = keep_arrays
    if name == "expert":
        if "weights" not in kw:
            raise DataError("expert weights need weights=[...], one per indicator")
        res = fn(**args)
    elif name in ("ahp", "fahp"):
        if "matrix" not in kw:
            raise DataError(f"{name} weights need matrix=..., the pairwise comparison matrix")
        res = fn(**args)
    else:
        if Z is None:
            raise DataError(f"{name} weights need the data matrix Z")
        res = fn(Z, **args)
    if Z is not None and name in ("expert", "ahp", "fahp"):
        k = np.shape(Z)[1] if np.ndim(Z) == 2 else 1
        if len(res.weights) != k:
            raise DataError(f"{name} weights: {len(res.weights)} weights given for {k} indicators")
    return res


def weights(
    Z: Any,
    method: str,
    *,
    combine: Literal["linear", "multiplicative", "game"] = "linear",
    alpha: float = 0.5,
    names: Sequence[Any] | None = None,
    keep_arrays: bool = True,
    **kw: Any,
) -> WeightResult:
    """Compute weights by method name.

    Parameters
    ----------
    Z : array_like (n_obs, k) or None
        Normalised, direction-adjusted data; may be None for ``expert`` and
        ``ahp`` (when given, its number of columns is checked).
    method : str
        One of ``equal``, ``expert``, ``entropy``, ``critic``, ``cv``, ``sd``,
        ``pca``, ``ahp``, or two of them joined by ``+`` (e.g.
        ``"entropy+critic"``, ``"ahp+entropy"``), combined by ``combine`` with
        the first as the "subjective" vector (``alpha`` is its share in the
        linear combination; default: the mean of the two).
    combine : {"linear", "multiplicative", "game"}
        How to combine two methods (see :func:`combine`).
    alpha : float
        Share of the first method in the linear combination.
    names : sequence, optional
        Indicator names for messages and ``to_frame``.
    keep_arrays : bool
        Keep the details with a row per observation (the entropy shares ``p``);
        default True. False leaves them out (the engine passes False unless
        explain tables are asked for); the weights are the same.
    **kw
        Passed to the method(s) that accept them: ``weights`` (expert),
        ``matrix``, ``allow_inconsistent``, ``rtol`` (ahp), ``shift`` (entropy),
        ``retain``, ``var_threshold``, ``variant``, ``rotation`` (pca). A
        keyword no selected method accepts raises DataError.

    Returns
    -------
    WeightResult
        For a combination, ``details`` holds the combination details plus
        ``"parts"``: the two WeightResults.
    """
    spec = str(method).strip().lower()
    parts = [p.strip() for p in spec.split("+")]
    if len(parts) > 2 or any(p not in _FUNCS for p in parts):
        raise DataError(
            f"unknown weighting method {method!r}; use one of {', '.join(METHODS)}, or two "
            "joined by '+', e.g. 'entropy+critic'"
        )
    if len(parts) == 2 and parts[0] == parts[1]:
        raise DataError(f"weighting method {method!r} combines a method with itself")
    accepted: set[str] = set()
    for p in parts:
        accepted |= set(inspect.signature(_FUNCS[p]).parameters) - {"Z", "names", "keep_arrays"}
    unknown = sorted(set(kw) - accepted)
    if unknown:
        raise DataError(
            f"weights {method!r}: unexpected option(s) {unknown}; accepted: {sorted(accepted)}"
        )
    results = [_call(p, Z, kw, names, keep_arrays) for p in parts]
    if len(results) == 1:
        return results[0]
    res = _combine(results[0], results[1], method=combine, alpha=alpha, names=names)
    details = dict(res.details)
    details["parts"] = tuple(results)
    return WeightResult(res.weights, "+".join(parts), details, res.names)
