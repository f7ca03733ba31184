"""The geographical detector (地理探测器): factor, interaction, risk and ecological detectors.

Spatial stratified heterogeneity of a variable *Y* and the power of a stratification *X*
(a categorical variable, or a continuous one discretised) to explain it.

Sources
-------
- Wang, J.-F., Li, X.-H., Christakos, G., Liao, Y.-L., Zhang, T., Gu, X. and Zheng, X.-Y.
  (2010), "Geographical detectors-based health risk assessment and its application in the
  neural tube defects study of the Heshun region, China", *International Journal of
  Geographical Information Science* 24(1): 107–127 (the four detectors).
- Wang, J.-F., Zhang, T.-L. and Fu, B.-J. (2016), "A measure of spatial stratified
  heterogeneity", *Ecological Indicators* 67: 250–256 (the *q*-statistic and its test).
- Wang Jinfeng and Xu Chengdong (王劲峰、徐成东, 2017), 地理探测器：原理与展望, 地理学报
  72(1): 116–134 (the five types of interaction, in Chinese).
- Song, Y., Wang, J., Ge, Y. and Xu, C. (2020), "An optimal parameters-based geographical
  detector model enhances geographic characteristics of explanatory variables for spatial
  heterogeneity analysis", *GIScience & Remote Sensing* 57(5): 593–610 (OPGD).

Formulas and conventions
------------------------
With *N* observations in *L* strata of sizes :math:`N_h`, means :math:`\\bar Y_h` and
population variances :math:`\\sigma_h^2` (divisor :math:`N_h`), and :math:`\\sigma^2` the
population variance of *Y* (divisor *N*)::

    q = 1 − Σ_h N_h σ_h² / (N σ²)  = 1 − SSW / SST

*q* lies in [0, 1]: 0 when the strata means are equal, 1 when *Y* is constant within every
stratum. **Factor detector** test (Wang, Zhang and Fu 2016)::

    F = (N − L) / (L − 1) · q / (1 − q)  ~  noncentral F(L − 1, N − L; λ)
    λ = [Σ_h Ȳ_h² − (Σ_h √N_h Ȳ_h)² / N] / σ²

and the p-value is the upper tail of that distribution at *F* (SciPy's ``ncf``). With q = 1
the statistic is infinite and p = 0; with one stratum there is no test (p is missing, with a
note).

**Interaction detector.** :math:`q(X_1 ∩ X_2)` is the *q* of the stratification by every
observed combination of the two strata. Types (Wang and Xu 2017), with :math:`q_1, q_2` the
single-factor values and ``tol`` the tolerance of the equality (1e-12)::

    q12 < min(q1, q2)                 nonlinear weaken        非线性减弱
    min(q1, q2) ≤ q12 ≤ max(q1, q2)   uni-variable weaken     单因子非线性减弱
    max(q1, q2) < q12 < q1 + q2       bi-variable enhance     双因子增强
    q12 = q1 + q2                     independent             独立
    q12 > q1 + q2                     nonlinear enhance       非线性增强

**Risk detector.** For every pair of strata of one factor, Welch's t of the difference of
the means, :math:`t = (\\bar Y_a − \\bar Y_b) / \\sqrt{s_a^2/n_a + s_b^2/n_b}` with sample
variances (divisor n − 1) and the Welch–Satterthwaite degrees of freedom; the p-value is
two-sided. A stratum of one observation has no variance: its pairs are reported without a
test (missing t and p) and counted in a note.

**Ecological detector.** Whether two factors differ in their power: with within sums of
squares :math:`SSW_k = Σ_h N_h σ_h^2` of factor *k* on the same *N* observations,
:math:`F = SSW_1 / SSW_2` compared with F(N − 1, N − 1) (Wang et al. 2010's
:math:`N_{x1}(N_{x2} − 1) SSW_{x1} / [N_{x2}(N_{x1} − 1) SSW_{x2}]` with
:math:`N_{x1} = N_{x2} = N`); p is the upper tail, i.e. evidence that factor 1 leaves more
variance unexplained than factor 2.

Discretisation
--------------
A continuous factor is cut into *k* classes by one of :data:`DISCRETISATIONS`:

``equal``
    *k* intervals of equal width between the minimum and maximum.
``quantile``
    breaks at the *j/k* quantiles (NumPy's default linear interpolation); tied breaks are
    merged, so heavily tied data may give fewer classes (reported in ``classes``).
``natural``
    Jenks natural breaks, computed exactly by Fisher's (1958) dynamic programme (minimum total
    within-class sum of squares over all partitions of the sorted values into *k* groups).
``geometric``
    breaks in geometric progression, :math:`b_j = \\min · r^j` with
    :math:`r = (\\max/\\min)^{1/k}`; needs positive values.
``sd``
    classes one standard deviation (ddof 0) wide, centred on the mean:
    breaks at :math:`\\bar x + (j − k/2)\\,s`, *j* = 1 … *k* − 1, the outer classes open.

Every class holds values in ``(b_{j-1}, b_j]`` with the lowest class closed below. Empty
classes are dropped (only observed strata count). **OPGD** tries every method in ``methods``
with every number of classes in ``ks`` and keeps, per factor, the combination with the
largest *q* (ties: the fewer classes, then the order of ``methods``), as Song et al. (2020).

Missing values in *Y* or a factor drop the observation for that factor (counted in ``n``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError

__all__ = [
    "DISCRETISATIONS",
    "INTERACTION_TYPES",
    "GeoDetectorResult",
    "discretise",
    "ecological_detector",
    "factor_detector",
    "geodetector",
    "interaction_detector",
    "optimal_discretisation",
    "q_statistic",
    "risk_detector",
]

DISCRETISATIONS = ("equal", "quantile", "natural", "geometric", "sd")

#: Interaction types: code -> (English, Chinese).
INTERACTION_TYPES: dict[str, tuple[str, str]] = {
    "weaken_nonlinear": ("Weaken, nonlinear", "非线性减弱"),
    "weaken_uni": ("Weaken, uni-variable", "单因子非线性减弱"),
    "enhance_bi": ("Enhance, bi-variable", "双因子增强"),
    "independent": ("Independent", "独立"),
    "enhance_nonlinear": ("Enhance, nonlinear", "非线性增强"),
}


# ---------------------------------------------------------------------- q and its test
def _codes(x: Any) -> np.ndarray:
    """Integer stratum codes 0..L-1 of a categorical array (missing values as -1)."""
    codes, _ = pd.factorize(pd.Series(x), sort=True)
    return codes


def _strata_stats(y: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per stratum: sizes, sums and sums of squares (observed strata only)."""
    n_h = np.bincount(codes)
    keep = n_h > 0
    s_h = np.bincount(codes, weights=y)[keep]
    ss_h = np.bincount(codes, weights=y * y)[keep]
    return n_h[keep].astype(float), s_h, ss_h


def _q_and_test(y: np.ndarray, codes: np.ndarray) -> dict[str, float]:
    n = len(y)
    n_h, s_h, ss_h = _strata_stats(y, codes)
    n_strata = len(n_h)
    mean = y.mean()
    sst = float(((y - mean) ** 2).sum())
    if sst <= 0:
        raise DataError("the variable to explain is constant: q is undefined")
    ssw = float((ss_h - s_h * s_h / n_h).sum())
    ssw = max(ssw, 0.0)
    q = 1.0 - ssw / sst
    q = min(max(q, 0.0), 1.0)
    res = {"q": q, "strata": n_strata, "n": n, "F": np.nan, "lambda": np.nan, "p_value": np.nan}
    if n_strata < 2 or n_strata >= n:
        return res
    sigma2 = sst / n
    means = s_h / n_h
    lam = float(((means**2).sum() - (np.sqrt(n_h) * means).sum() ** 2 / n) / sigma2)
    from scipy.stats import ncf

    d1, d2 = n_strata - 1, n - n_strata
    if q >= 1.0:
        res.update(F=np.inf, p_value=0.0, **{"lambda": lam})
        return res
    f = d2 / d1 * q / (1.0 - q)
    res.update(F=f, p_value=float(ncf.sf(f, d1, d2, max(lam, 0.0))), **{"lambda": lam})
    return res


def q_statistic(y: Any, x: Any) -> float:
    """The *q*-statistic of stratification ``x`` for ``y`` (module docstring)."""
    yv, xv = _pair(y, x, "x")
    return _q_and_test(yv, _codes(xv))["q"]


def _pair(y: Any, x: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    ys = pd.to_numeric(pd.Series(np.asarray(y)), errors="coerce")
    xs = pd.Series(np.asarray(x, dtype=object))
    if len(ys) != len(xs):
        raise DataError(f"factor {name!r} has {len(xs)} values for {len(ys)} of the variable")
    ok = ys.notna().to_numpy() & xs.notna().to_numpy()
    if ok.sum() < 2:
        raise DataError(f"factor {name!r}: fewer than two observations with both values")
    return ys.to_numpy(float)[ok], xs.to_numpy()[ok]


# ---------------------------------------------------------------------- discretisation
def _jenks_table(x: np.ndarray, kmax: int) -> tuple[np.ndarray, np.ndarray]:
    """Fisher's dynamic programme on the distinct sorted values, for every k <= kmax.

    Returns the distinct values and ``arg[c, b]``: the start of the last class of the best
    partition of the first ``b`` distinct values into ``c`` classes. Ties are never split.
    """
    u, counts = np.unique(x, return_counts=True)
    m = len(u)
    kmax = min(kmax, m)
    cw = np.concatenate([[0.0], np.cumsum(counts, dtype=float)])
    cs = np.concatenate([[0.0], np.cumsum(u * counts)])
    css = np.concatenate([[0.0], np.cumsum(u * u * counts)])

    def ssd(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Within sum of squares of distinct values a..b-1 (broadcast; empty classes inf)."""
        w = cw[b] - cw[a]
        s = cs[b] - cs[a]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(w > 0, (css[b] - css[a]) - s * s / w, np.inf)

    cost = np.full((kmax + 1, m + 1), np.inf)
    arg = np.zeros((kmax + 1, m + 1), dtype=int)
    ends = np.arange(1, m + 1)
    cost[1, 1:] = ssd(np.zeros(m, dtype=int), ends)
    # The best start of the last class is non-decreasing in the end b (the monotonicity
    # behind Ckmeans.1d.dp; Wang and Song 2011, The R Journal 3(2): 29-33), so each row is
    # filled by divide and conquer in O(m log m) instead of O(m^2).
    for c in range(2, kmax + 1):
        prev = cost[c - 1]
        stack = [(c, m, c - 1, m - 1)]
        while stack:
            lo, hi, slo, shi = stack.pop()
            if lo > hi:
                continue
            mid = (lo + hi) // 2
            s = np.arange(slo, min(shi, mid - 1) + 1)
            tot = prev[s] + ssd(s, mid)
            j = int(np.argmin(tot))
            cost[c, mid] = tot[j]
            arg[c, mid] = s[j]
            stack.append((lo, mid - 1, slo, s[j]))
            stack.append((mid + 1, hi, s[j], shi))
    return u, arg


def _jenks_breaks(u: np.ndarray, arg: np.ndarray, k: int) -> np.ndarray:
    """Inner breaks (upper bounds of all classes but the last) for k classes."""
    k = min(k, arg.shape[0] - 1)
    bounds = []
    b = len(u)
    for c in range(k, 0, -1):
        bounds.append(u[b - 1])
        b = arg[c, b]
    return np.array(bounds[::-1])[:-1]


def _breaks(x: np.ndarray, method: str, k: int, jenks: tuple | None = None) -> np.ndarray:
    """Inner breaks (k - 1 of them, or fewer when ties merge classes)."""
    lo, hi = float(x.min()), float(x.max())
    if method == "equal":
        b = lo + (hi - lo) * np.arange(1, k) / k
    elif method == "quantile":
        b = np.quantile(x, np.arange(1, k) / k)
    elif method == "natural":
        b = _jenks_breaks(*(jenks or _jenks_table(x, k)), k)
    elif method == "geometric":
        if lo <= 0:
            raise DataError(
                "geometric intervals need positive values; the minimum is "
                f"{lo:g} (choose equal, quantile, natural or sd)"
            )
        r = (hi / lo) ** (1.0 / k)
        b = lo * r ** np.arange(1, k)
    elif method == "sd":
        s = float(x.std())
        b = x.mean() + (np.arange(1, k) - k / 2) * s
    else:
        raise DataError(
            f"unknown discretisation {method!r}; use one of {', '.join(DISCRETISATIONS)}"
        )
    return np.unique(b)


def discretise(
    x: Any, method: str = "quantile", k: int = 5, *, _jenks: tuple | None = None
) -> np.ndarray:
    """Class codes 0, 1, … of a continuous variable (module docstring); missing stays -1.

    Codes are renumbered over the non-empty classes in increasing order of value.
    """
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 2:
        raise DataError(f"the number of classes must be an integer of at least 2, got {k!r}")
    xs = pd.to_numeric(pd.Series(np.asarray(x)), errors="coerce").to_numpy(float)
    ok = np.isfinite(xs)
    if ok.sum() < 2:
        raise DataError("fewer than two finite values to discretise")
    b = _breaks(xs[ok], method, int(k), _jenks)
    raw = np.searchsorted(b, xs[ok], side="left")
    _, dense = np.unique(raw, return_inverse=True)
    out = np.full(len(xs), -1, dtype=int)
    out[ok] = dense
    return out


def optimal_discretisation(
    y: Any,
    x: Any,
    *,
    methods: Sequence[str] = DISCRETISATIONS,
    ks: Sequence[int] = range(3, 9),
) -> tuple[np.ndarray, pd.DataFrame]:
    """OPGD for one continuous factor: codes of the best (method, k) and the table of all q.

    The table has ``method, k, classes, q`` for every combination tried (a method that
    cannot apply, e.g. geometric on non-positive values, is left out with ``q`` missing).
    """
    yv = pd.to_numeric(pd.Series(np.asarray(y)), errors="coerce").to_numpy(float)
    xv = pd.to_numeric(pd.Series(np.asarray(x)), errors="coerce").to_numpy(float)
    ok = np.isfinite(yv) & np.isfinite(xv)
    rows, best, best_codes = [], None, None
    jenks = _jenks_table(xv[ok], max(ks)) if "natural" in methods and len(ks) else None
    for k in ks:
        for order, m in enumerate(methods):
            try:
                codes = discretise(xv[ok], m, int(k), _jenks=jenks if m == "natural" else None)
            except DataError:
                rows.append((m, int(k), 0, np.nan))
                continue
            q = _q_and_test(yv[ok], codes)["q"]
            rows.append((m, int(k), int(codes.max()) + 1, q))
            key = (q, -int(k), -order)
            if best is None or key > best:
                best, best_codes = key, codes
    table = pd.DataFrame(rows, columns=["method", "k", "classes", "q"])
    if best_codes is None:
        raise DataError("no discretisation applies to this factor")
    full = np.full(len(xv), -1, dtype=int)
    full[ok] = best_codes
    return full, table


# ---------------------------------------------------------------------- detectors
def _factor_frame(data: pd.DataFrame | Mapping[str, Any], factors: Sequence[str] | None):
    df = pd.DataFrame(data) if not isinstance(data, pd.DataFrame) else data
    names = list(factors) if factors is not None else list(df.columns)
    missing = [f for f in names if f not in df.columns]
    if missing:
        raise DataError(f"unknown factor(s) {missing}; the data have {list(df.columns)}")
    return df, names


def factor_detector(
    y: Any, x: pd.DataFrame | Mapping[str, Any], factors: Sequence[str] | None = None
) -> pd.DataFrame:
    """q, F, λ and p of each stratified factor (columns of ``x``), sorted by q descending."""
    df, names = _factor_frame(x, factors)
    rows = []
    for f in names:
        yv, xv = _pair(y, df[f], f)
        rows.append({"factor": f, **_q_and_test(yv, _codes(xv))})
    out = pd.DataFrame(rows, columns=["factor", "q", "F", "lambda", "p_value", "strata", "n"])
    return out.sort_values(["q", "factor"], ascending=[False, True], ignore_index=True)


def _interaction_type(q1: float, q2: float, q12: float, tol: float) -> str:
    lo, hi = min(q1, q2), max(q1, q2)
    if abs(q12 - (q1 + q2)) <= tol:
        return "independent"
    if q12 < lo - tol:
        return "weaken_nonlinear"
    if q12 <= hi + tol:
        return "weaken_uni"
    if q12 < q1 + q2:
        return "enhance_bi"
    return "enhance_nonlinear"


def interaction_detector(
    y: Any,
    x: pd.DataFrame | Mapping[str, Any],
    factors: Sequence[str] | None = None,
    *,
    tol: float = 1e-12,
) -> pd.DataFrame:
    """q of every pair of factors overlaid, with the interaction type (module docstring)."""
    df, names = _factor_frame(x, factors)
    if len(names) < 2:
        raise DataError("the interaction detector needs at least two factors")
    rows = []
    for a, b in combinations(names, 2):
        ys = pd.to_numeric(pd.Series(np.asarray(y)), errors="coerce")
        ok = (ys.notna() & df[a].notna().to_numpy() & df[b].notna().to_numpy()).to_numpy()
        yv = ys.to_numpy(float)[ok]
        ca, cb = _codes(df[a].to_numpy()[ok]), _codes(df[b].to_numpy()[ok])
        q1 = _q_and_test(yv, ca)["q"]
        q2 = _q_and_test(yv, cb)["q"]
        both = _q_and_test(yv, _codes(ca.astype(np.int64) * (cb.max() + 1) + cb))
        kind = _interaction_type(q1, q2, both["q"], tol)
        en, zh = INTERACTION_TYPES[kind]
        rows.append(
            {
                "factor_1": a,
                "factor_2": b,
                "q_1": q1,
                "q_2": q2,
                "q_interaction": both["q"],
                "type": kind,
                "type_en": en,
                "type_zh": zh,
                "n": len(yv),
            }
        )
    return pd.DataFrame(rows)


def risk_detector(
    y: Any,
    x: pd.DataFrame | Mapping[str, Any],
    factors: Sequence[str] | None = None,
    *,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Welch t-tests between the means of every two strata of each factor."""
    from scipy.stats import t as t_dist

    df, names = _factor_frame(x, factors)
    rows = []
    for f in names:
        yv, xv = _pair(y, df[f], f)
        s = pd.Series(yv).groupby(pd.Series(xv).to_numpy(), sort=True)
        stats = pd.DataFrame({"n": s.size(), "mean": s.mean(), "var": s.var(ddof=1)})
        for a, b in combinations(stats.index, 2):
            na, nb = stats.at[a, "n"], stats.at[b, "n"]
            ma, mb = stats.at[a, "mean"], stats.at[b, "mean"]
            va, vb = stats.at[a, "var"], stats.at[b, "var"]
            row = {
                "factor": f,
                "stratum_1": a,
                "stratum_2": b,
                "mean_1": ma,
                "mean_2": mb,
                "n_1": int(na),
                "n_2": int(nb),
                "t": np.nan,
                "df": np.nan,
                "p_value": np.nan,
            }
            if na >= 2 and nb >= 2:
                se2 = va / na + vb / nb
                if se2 > 0:
                    t = (ma - mb) / np.sqrt(se2)
                    dfw = se2**2 / ((va / na) ** 2 / (na - 1) + (vb / nb) ** 2 / (nb - 1))
                    row.update(t=t, df=dfw, p_value=float(2 * t_dist.sf(abs(t), dfw)))
                elif ma != mb:
                    row.update(t=np.inf * np.sign(ma - mb), p_value=0.0)
            rows.append(row)
    out = pd.DataFrame(rows)
    out["significant"] = out["p_value"] <= alpha
    return out


def ecological_detector(
    y: Any,
    x: pd.DataFrame | Mapping[str, Any],
    factors: Sequence[str] | None = None,
    *,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """F-tests of the within sums of squares of every ordered pair of factors."""
    from scipy.stats import f as f_dist

    df, names = _factor_frame(x, factors)
    if len(names) < 2:
        raise DataError("the ecological detector needs at least two factors")
    ys = pd.to_numeric(pd.Series(np.asarray(y)), errors="coerce")
    ok = ys.notna().to_numpy().copy()
    for f in names:
        ok &= df[f].notna().to_numpy()
    yv = ys.to_numpy(float)[ok]
    n = len(yv)
    ssw = {}
    for f in names:
        n_h, s_h, ss_h = _strata_stats(yv, _codes(df[f].to_numpy()[ok]))
        ssw[f] = max(float((ss_h - s_h * s_h / n_h).sum()), 0.0)
    rows = []
    for a, b in combinations(names, 2):
        for f1, f2 in ((a, b), (b, a)):
            fstat = ssw[f1] / ssw[f2] if ssw[f2] > 0 else np.inf
            p = float(f_dist.sf(fstat, n - 1, n - 1)) if np.isfinite(fstat) else 0.0
            rows.append({"factor_1": f1, "factor_2": f2, "F": fstat, "p_value": p, "n": n})
    out = pd.DataFrame(rows)
    out["significant"] = out["p_value"] <= alpha
    return out


# ---------------------------------------------------------------------- the whole detector
@dataclass
class GeoDetectorResult:
    """The four detectors on one variable; ``discretisation`` says how each factor was cut."""

    factor: pd.DataFrame
    interaction: pd.DataFrame
    risk: pd.DataFrame
    ecological: pd.DataFrame
    discretisation: pd.DataFrame
    opgd: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: language of the figure's labels: "en" or "zh"
    lang: str = "en"

    def tables(self) -> dict[str, pd.DataFrame]:
        out = {
            "geodetector_factor": self.factor,
            "geodetector_interaction": self.interaction,
            "geodetector_risk": self.risk,
            "geodetector_ecological": self.ecological,
            "geodetector_discretisation": self.discretisation,
        }
        if len(self.opgd):
            out["geodetector_opgd"] = self.opgd
        return out

    def to_frame(self) -> pd.DataFrame:
        return self.factor

    def summary(self) -> pd.DataFrame:
        return self.factor[["factor", "q", "p_value", "strata"]]

    def interaction_matrix(self) -> pd.DataFrame:
        """Square table of q: single factors on the diagonal, interactions off it."""
        names = list(self.factor["factor"])
        m = pd.DataFrame(np.nan, index=names, columns=names)
        for r in self.factor.itertuples():
            m.loc[r.factor, r.factor] = r.q
        for r in self.interaction.itertuples():
            m.loc[r.factor_1, r.factor_2] = m.loc[r.factor_2, r.factor_1] = r.q_interaction
        return m

    def plot(self, lang: str | None = None, ax: Any = None) -> Any:
        """Heat map of the interaction q (lower triangle), single q on the diagonal.

        Returns the matplotlib figure.
        """
        import matplotlib.pyplot as plt

        lang = lang or self.lang
        m = self.interaction_matrix()
        n = len(m)
        if ax is None:
            _, ax = plt.subplots(figsize=(1.2 + 0.9 * n, 1.0 + 0.8 * n))
        vals = m.to_numpy(float).copy()
        vals[np.triu_indices(n, 1)] = np.nan
        ax.grid(False)
        im = ax.imshow(vals, cmap="YlOrRd", vmin=0, vmax=max(1e-9, np.nanmax(vals)))
        for i in range(n):
            for j in range(i + 1):
                v = vals[i, j]
                if np.isfinite(v):
                    color = "white" if v > 0.6 * np.nanmax(vals) else "black"
                    ax.text(j, i, f"{v:.3f}", ha="center", va="center", fontsize=8, color=color)
        ax.set_xticks(range(n), m.columns, rotation=45, ha="right")
        ax.set_yticks(range(n), m.index)
        ax.set_title("交互探测 q 值" if lang == "zh" else "Interaction detector: q")
        ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
        ax.figure.tight_layout()
        return ax.figure


def _numeric_factor(s: pd.Series, name: str) -> pd.Series:
    """A column as numbers; text that is not a number is an error naming its rows."""
    num = pd.to_numeric(s, errors="coerce")
    bad = s.notna() & num.isna() & (s.astype(str).str.strip() != "")
    if bad.any():
        rows = [f"row {i + 2}: {s.iloc[i]!r}" for i in np.flatnonzero(bad.to_numpy())[:5]]
        raise DataError(
            f"column {name!r} holds {int(bad.sum())} value(s) that are not numbers "
            f"({'; '.join(rows)}); a factor whose values are zones or types must be declared "
            "categorical"
        )
    return num


def geodetector(
    data: pd.DataFrame,
    y: str,
    factors: Sequence[str],
    *,
    categorical: Sequence[str] = (),
    discretisation: str | Mapping[str, tuple[str, int]] = "opgd",
    k: int = 5,
    methods: Sequence[str] = DISCRETISATIONS,
    ks: Sequence[int] = range(3, 9),
    alpha: float = 0.05,
) -> GeoDetectorResult:
    """Run the four detectors of ``y`` on ``factors`` of a table.

    Factors named in ``categorical`` are used as they are (each value a stratum); the others
    are discretised: ``discretisation="opgd"`` picks the best method and number of classes per
    factor (Song et al. 2020); a method name with ``k`` cuts every factor the same way; a
    mapping ``{factor: (method, k)}`` sets each factor's own.
    """
    if y not in data.columns:
        raise DataError(f"unknown variable {y!r}; the data have {list(data.columns)}")
    missing = [f for f in factors if f not in data.columns]
    if missing:
        raise DataError(f"unknown factor(s) {missing}; the data have {list(data.columns)}")
    if y in factors:
        raise DataError(f"{y!r} is both the variable to explain and a factor")
    if len(set(factors)) != len(factors):
        raise DataError(f"factors repeated: {list(factors)}")
    strata: dict[str, np.ndarray] = {}
    disc_rows, opgd_tables = [], []
    yv = _numeric_factor(data[y], y)
    for f in factors:
        if f in categorical:
            strata[f] = data[f].to_numpy(dtype=object)
            disc_rows.append((f, "categorical", np.nan, int(data[f].nunique())))
            continue
        xf = _numeric_factor(data[f], f)
        if discretisation == "opgd":
            codes, table = optimal_discretisation(yv, xf, methods=methods, ks=ks)
            best = table.sort_values(["q", "k"], ascending=[False, True]).iloc[0]
            disc_rows.append((f, best["method"], int(best["k"]), int(codes.max()) + 1))
            opgd_tables.append(table.assign(factor=f))
        else:
            m, kk = (
                discretisation[f] if isinstance(discretisation, Mapping) else (discretisation, k)
            )
            codes = discretise(xf, m, int(kk))
            disc_rows.append((f, m, int(kk), int(codes.max()) + 1))
        strata[f] = np.where(codes < 0, None, codes).astype(object)
    x = pd.DataFrame(strata, index=data.index)
    notes = []
    risk = risk_detector(yv, x, factors, alpha=alpha)
    n_untested = int(risk["p_value"].isna().sum())
    if n_untested:
        notes.append(
            f"{n_untested} pair(s) of strata in the risk detector have a stratum of one "
            "observation and are not tested"
        )
    opgd = (
        pd.concat(opgd_tables, ignore_index=True)[["factor", "method", "k", "classes", "q"]]
        if opgd_tables
        else pd.DataFrame(columns=["factor", "method", "k", "classes", "q"])
    )
    return GeoDetectorResult(
        factor=factor_detector(yv, x, factors),
        interaction=interaction_detector(yv, x, factors) if len(factors) > 1 else pd.DataFrame(),
        risk=risk,
        ecological=ecological_detector(yv, x, factors, alpha=alpha)
        if len(factors) > 1
        else pd.DataFrame(),
        discretisation=pd.DataFrame(disc_rows, columns=["factor", "method", "k", "classes"]),
        opgd=opgd,
        params={
            "y": y,
            "factors": list(factors),
            "discretisation": str(discretisation),
            "alpha": alpha,
        },
        notes=notes,
    )
