"""Statistical audit of an indicator framework on data.

Follows the checks of the OECD/JRC *Handbook on Constructing Composite
Indicators* (Nardo et al. 2008, steps 4 and 5): descriptive statistics,
correlations within and between dimensions, internal consistency (Cronbach's
alpha) and principal components per dimension.

Conventions
-----------
* Everything is computed on direction-adjusted data: cost indicators are negated
  first, so that a negative correlation inside a dimension means that two
  indicators pull the dimension in opposite directions (flagged).
* Statistics pool all unit-periods; correlations use pairwise-complete
  observations; Cronbach's alpha and PCA use the complete rows of the dimension.
* Variances are sample variances (ddof = 1).
* Flags: a negative correlation within a dimension; |r| > 0.9 between two
  indicators (possible double counting); a dimension with alpha < 0.7
  (Nunnally's usual threshold; reported, not enforced); an indicator with
  |skewness| > 2 and kurtosis > 3.5 (COINr's outlier check, see
  :mod:`nqpf.index.treat`); and, when the index treated outliers, each treated
  indicator with the points winsorised or the transform applied (every treated
  point is listed in the ``treated_points`` table).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..panel.core import Panel

REDUNDANT_R = 0.9
ALPHA_THRESHOLD = 0.7


@dataclass
class AuditResult:
    """Tables of the audit (each a DataFrame)."""

    descriptives: pd.DataFrame
    correlations: pd.DataFrame
    flags: pd.DataFrame
    dimension_correlations: pd.DataFrame
    alpha: pd.DataFrame
    pca: pd.DataFrame
    loadings: pd.DataFrame
    treatment: pd.DataFrame = field(default_factory=pd.DataFrame)
    treated_points: pd.DataFrame = field(default_factory=pd.DataFrame)

    def tables(self) -> dict[str, pd.DataFrame]:
        extra = {}
        if len(self.treatment):
            extra = {"treatment": self.treatment, "treated_points": self.treated_points}
        return {**extra, **{
            "descriptives": self.descriptives,
            "correlations": self.correlations,
            "flags": self.flags,
            "dimension_correlations": self.dimension_correlations,
            "cronbach_alpha": self.alpha,
            "pca": self.pca,
            "pca_loadings": self.loadings,
        }}

    def to_frame(self) -> pd.DataFrame:
        """The flags: one row per finding."""
        return self.flags

    def summary(self) -> pd.DataFrame:
        return self.alpha.merge(
            self.pca[self.pca["component"] == 1][["dimension", "variance_explained"]],
            on="dimension",
            how="left",
        ).rename(columns={"variance_explained": "pc1_share"})


def cronbach_alpha(X: np.ndarray) -> float:
    """Cronbach's (1951) alpha of the columns of ``X`` (complete rows only).

    α = k/(k − 1) · (1 − Σ_j var(x_j) / var(Σ_j x_j)), sample variances.
    NaN when fewer than two columns or two complete rows, or when the total
    has no variance.
    """
    X = np.asarray(X, dtype=float)
    X = X[~np.isnan(X).any(axis=1)]
    k = X.shape[1]
    if k < 2 or len(X) < 2:
        return float("nan")
    tot = X.sum(axis=1).var(ddof=1)
    if tot == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - X.var(axis=0, ddof=1).sum() / tot))


def audit(panel: Panel, framework, result=None) -> AuditResult:
    """Audit the framework's indicators on ``panel``.

    Parameters
    ----------
    panel : Panel
        Raw data (prepared through the framework first if needed).
    framework : Framework or name
    result : IndexResult, optional
        When given, correlations between dimension scores and of each indicator
        with its dimension score and with the index are added.
    """
    from scipy import stats

    from ..framework import load_framework, prepare

    fw = load_framework(framework)
    if panel.meta.get("framework") != fw.id:
        panel = prepare(panel, fw)
    inds = [i.id for i in fw.indicators]
    X = panel.sel(indicators=inds).values.reshape(-1, len(inds))
    dirs = np.array([i.direction for i in fw.indicators], dtype=float)
    dim_of = {i.id: fw.path(i.id)[0] for i in fw.indicators}

    desc = []
    for j, ind in enumerate(inds):
        x = X[:, j][~np.isnan(X[:, j])]
        n = len(x)
        desc.append(
            {
                "indicator": ind,
                "dimension": dim_of[ind],
                "direction": "+" if dirs[j] > 0 else "-",
                "n": n,
                "missing_share": 1 - n / len(X),
                "mean": x.mean() if n else np.nan,
                "sd": x.std(ddof=1) if n > 1 else np.nan,
                "min": x.min() if n else np.nan,
                "median": np.median(x) if n else np.nan,
                "max": x.max() if n else np.nan,
                "skewness": stats.skew(x, bias=False) if n > 2 and x.std() > 0 else np.nan,
                "kurtosis": stats.kurtosis(x, bias=False) if n > 3 and x.std() > 0 else np.nan,
            }
        )
    descriptives = pd.DataFrame(desc)

    A = X * dirs  # direction-adjusted
    R = pd.DataFrame(A, columns=inds).corr(min_periods=3).to_numpy()
    pairs = []
    for a in range(len(inds)):
        for b in range(a + 1, len(inds)):
            pairs.append((inds[a], inds[b], dim_of[inds[a]], dim_of[inds[b]], R[a, b]))
    corr = pd.DataFrame(
        pairs, columns=["indicator_a", "indicator_b", "dimension_a", "dimension_b", "r"]
    )
    corr["within"] = corr["dimension_a"] == corr["dimension_b"]
    flags = []
    for r in corr.itertuples(index=False):
        if np.isnan(r.r):
            continue
        if r.within and r.r < 0:
            flags.append(
                (
                    "negative correlation within a dimension",
                    r.indicator_a,
                    r.indicator_b,
                    r.dimension_a,
                    r.r,
                )
            )
        if abs(r.r) > REDUNDANT_R:
            flags.append(
                (
                    f"|r| > {REDUNDANT_R}: possible double counting",
                    r.indicator_a,
                    r.indicator_b,
                    r.dimension_a if r.within else "",
                    r.r,
                )
            )

    from .treat import TreatSpec

    lim = TreatSpec()
    treated = getattr(result, "treatment", None) if result is not None else None
    if treated is not None:
        lim = treated.spec
    for r in desc:
        if abs(r["skewness"]) > lim.skew_thresh and r["kurtosis"] > lim.kurt_thresh:
            flags.append(
                (
                    f"|skewness| > {lim.skew_thresh:g} and kurtosis > {lim.kurt_thresh:g}: "
                    "outliers (treat them with recipe treat: true)",
                    r["indicator"],
                    "",
                    r["dimension"],
                    r["skewness"],
                )
            )
    if treated is not None:
        for r in treated.table.to_dict("records"):
            if r["transform"]:
                lam = f" (λ = {r['lambda']:.3g})" if r["transform"] == "boxcox" else ""
                what = f"treated by {r['transform']}{lam}"
            elif r["winsorised"]:
                what = f"treated: {r['winsorised']} point(s) winsorised at the {r['side']} end"
            else:
                continue
            per = "" if r["period"] == "all" else f" in {r['period']}"
            flags.append(
                (what + per, r["indicator"], "", dim_of[r["indicator"]], r["skew_after"])
            )

    alpha_rows, pca_rows, load_rows = [], [], []
    for d in fw.dimensions:
        cols = [inds.index(i) for i in fw.leaves_of(d.id)]
        a = cronbach_alpha(A[:, cols])
        alpha_rows.append(
            {
                "dimension": d.id,
                "indicators": len(cols),
                "alpha": a,
                "below_0.7": bool(a < ALPHA_THRESHOLD) if np.isfinite(a) else None,
            }
        )
        if np.isfinite(a) and a < ALPHA_THRESHOLD:
            flags.append((f"Cronbach's alpha below {ALPHA_THRESHOLD}", "", "", d.id, a))
        sub = A[:, cols]
        sub = sub[~np.isnan(sub).any(axis=1)]
        if len(cols) >= 2 and len(sub) > len(cols):
            sd = sub.std(axis=0, ddof=1)
            if (sd > 0).all():
                C = np.corrcoef(sub, rowvar=False)
                lam, vec = np.linalg.eigh(C)
                order = np.argsort(lam)[::-1]
                lam, vec = lam[order], vec[:, order]
                lam = np.clip(lam, 0, None)
                share = lam / lam.sum()
                for m in range(len(lam)):
                    pca_rows.append(
                        {
                            "dimension": d.id,
                            "component": m + 1,
                            "eigenvalue": lam[m],
                            "variance_explained": share[m],
                            "cumulative": share[: m + 1].sum(),
                        }
                    )
                v1 = vec[:, 0] * (1 if vec[:, 0].sum() >= 0 else -1)
                for c, j in enumerate(cols):
                    load_rows.append(
                        {
                            "dimension": d.id,
                            "indicator": inds[j],
                            "pc1_loading": v1[c] * np.sqrt(lam[0]),
                        }
                    )
    dim_corr = pd.DataFrame()
    if result is not None:
        dims = [d.id for d in fw.dimensions]
        wide = result.scores.pivot_table(index=["unit", "period"], columns="node", values="score")
        dim_corr = wide[dims + ["index"]].corr()
        dim_corr.index.name = "dimension"
        dim_corr = dim_corr.reset_index()
    return AuditResult(
        descriptives=descriptives,
        correlations=corr,
        flags=pd.DataFrame(
            flags, columns=["flag", "indicator_a", "indicator_b", "dimension", "value"]
        ),
        dimension_correlations=dim_corr,
        alpha=pd.DataFrame(alpha_rows),
        pca=pd.DataFrame(
            pca_rows,
            columns=["dimension", "component", "eigenvalue", "variance_explained", "cumulative"],
        ),
        loadings=pd.DataFrame(load_rows, columns=["dimension", "indicator", "pc1_loading"]),
        treatment=pd.DataFrame() if treated is None else treated.table,
        treated_points=pd.DataFrame() if treated is None else treated.points,
    )
