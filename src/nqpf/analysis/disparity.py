"""Regional disparity: the Gini coefficient, Dagum's Gini decomposition, Theil T and L.

Gini and Dagum (1997)
---------------------
All Gini coefficients are in the population (n²) form, with no n/(n − 1)
correction. For values ``y`` of ``n`` units with mean ``μ``::

    G = Σ_i Σ_r |y_i − y_r| / (2 n² μ)          (= mean absolute difference / (2 μ))

Dagum, C. (1997), "A new approach to the decomposition of the Gini income
inequality ratio", *Empirical Economics* 22: 515-531. With ``k`` groups of
``n_j`` units and means ``μ_j``, ``p_j = n_j / n`` (population share) and
``s_j = p_j μ_j / μ`` (value share)::

    G_jj = Σ_i Σ_r |y_ji − y_jr| / (2 n_j² μ_j)             within group j
    G_jh = Σ_i Σ_r |y_ji − y_hr| / (n_j n_h (μ_j + μ_h))    between groups j and h
    d_jh = E[(y_j − y_h)⁺],  p_jh = E[(y_h − y_j)⁺]        (both magnitudes ≥ 0)
    D_jh = (d_jh − p_jh) / (d_jh + p_jh)                   relative economic affluence
    G_w  = Σ_j G_jj p_j s_j
    G_nb = Σ_{j>h} G_jh (p_j s_h + p_h s_j) D_jh
    G_t  = Σ_{j>h} G_jh (p_j s_h + p_h s_j) (1 − D_jh)
    G    = G_w + G_nb + G_t

where ``j > h`` means that group ``j`` has the higher mean. Conventions:

* the groups are ordered by their mean **afresh in every period** (ties of
  means broken by the group label; a tie gives ``D_jh = 0`` in either order);
* ``d_jh + p_jh = E|y_j − y_h|`` and ``d_jh − p_jh = μ_j − μ_h``, hence the
  exact identity ``G_jh · D_jh = (μ_j − μ_h) / (μ_j + μ_h)``;
* consequently ``G_nb = Σ_{j>h} p_j p_h (μ_j − μ_h) / μ``, which is exactly the
  Gini coefficient of the data with every value replaced by its group mean. That
  identity holds for the **net** between-group term alone, not for the gross
  between-group term ``G_nb + G_t`` (``G_t > 0`` whenever two groups overlap);
  with a wrong group order ``D_jh`` turns negative and the identity fails, while
  ``G_w + G_nb + G_t = G`` still holds, so only the former detects the fault;
* two groups that are identical constants have ``d_jh = p_jh = 0``: ``D_jh = 0``
  and ``G_jh = 0``; a group of zeros has ``G_jj = 0``;
* values must be ≥ 0 and not all equal within a period (otherwise ``G = 0`` and
  the shares are undefined): :class:`~nqpf.errors.DataError` names the period.

Computation: per period the values are sorted once; for every group ``h`` a
running count and running sum of the group's values below each position give,
for every unit ``i``, ``Σ_{r∈h, y_r ≤ y_i} (y_i − y_r)``, summed by group with
``np.bincount``. This yields all ``k²`` sums of positive parts (hence ``d_jh``,
``p_jh``, ``G_jh`` and ``G_jj``) in ``O(n log n + n k)`` time and ``O(n)``
memory, with no ``n × n`` matrix. The overall ``G`` is computed separately from
the sorted values as ``Σ_i (2i − n − 1) y_(i) / (n² μ)``.

Theil (1967), Shorrocks (1980)
------------------------------
Theil, H. (1967), *Economics and Information Theory*; Shorrocks, A. F. (1980),
"The class of additively decomposable inequality measures", *Econometrica* 48:
613-625. With population weights ``w_i`` (1 when unweighted), ``π_i = w_i / W``
and ``μ = Σ π_i y_i``::

    T = GE(1) = Σ_i π_i (y_i / μ) ln(y_i / μ)          (0 · ln 0 = 0; y ≥ 0)
    L = GE(0) = Σ_i π_i ln(μ / y_i)                    (mean log deviation; y > 0)

For groups ``g`` with population shares ``π_g`` and value shares
``s_g = π_g μ_g / μ``::

    T = Σ_g s_g T_g + Σ_g s_g ln(μ_g / μ)              within + between
    L = Σ_g π_g L_g + Σ_g π_g ln(μ / μ_g)

A group's ``contribution`` is its within term (``s_g T_g`` or ``π_g L_g``) and
its ``share`` that contribution over the total; the group shares and the
between share sum to 1. The total is computed directly from the units, not as
within + between, so the identity is a check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ._input import groups_for, values_frame

__all__ = ["DagumResult", "TheilResult", "dagum", "gini", "theil"]

DAGUM_COLUMNS = [
    "period",
    "gini",
    "within",
    "net_between",
    "transvariation",
    "within_share",
    "net_between_share",
    "transvariation_share",
]
THEIL_COLUMNS = ["period", "total", "within", "between", "within_share", "between_share"]


# ----------------------------------------------------------------------------- Gini


def gini(values: Any) -> float:
    """Gini coefficient, population form: mean absolute difference / (2 · mean).

    ``G = Σ_i Σ_r |y_i − y_r| / (2 n² μ)``, computed from the sorted values as
    ``Σ_i (2i − n − 1) y_(i) / (n² μ)`` (no ``n / (n − 1)`` correction; the
    form of PySAL's ``inequality.gini`` and of Dagum 1997).

    Parameters
    ----------
    values : array-like
        Values ≥ 0, not all 0, with no NaN or infinity.

    Raises
    ------
    DataError
        Empty input, a missing or infinite value, a negative value, or a zero mean.
    """
    y = np.asarray(values, dtype=float).ravel()
    if y.size == 0:
        raise DataError("gini: no values")
    bad = ~np.isfinite(y)
    if bad.any():
        raise DataError(f"gini: value at position {int(np.flatnonzero(bad)[0])} is {y[bad][0]}")
    if (y < 0).any():
        i = int(np.flatnonzero(y < 0)[0])
        raise DataError(f"gini: negative value {y[i]} at position {i}; the Gini needs values ≥ 0")
    mu = y.mean()
    if mu <= 0:
        raise DataError("gini: all values are 0; the Gini coefficient is undefined")
    n = y.size
    ys = np.sort(y)
    # the rank weights sum to 0, so subtracting the minimum changes nothing in exact
    # arithmetic and makes equal values give exactly 0 (not ±1e-17) in floating point
    rank_weight = 2.0 * np.arange(1, n + 1) - n - 1
    return float(max(np.dot(rank_weight, ys - ys[0]) / (n * n * mu), 0.0))


# ----------------------------------------------------------------------------- helpers


def _describe_groups(groups: Any) -> str:
    if isinstance(groups, str | Path):
        return str(groups)
    if isinstance(groups, pd.DataFrame):
        return "table"
    return "mapping"


def _prepare(
    data: Any, groups: Any, value: str, node: str | None
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, list[Any], list[str]]:
    """Values table, period codes, group codes, period labels, group labels."""
    vf = values_frame(data, value=value, node=node)
    if groups is None:
        glab = np.full(len(vf), "all", dtype=object)
    else:
        ucode, ulabels = pd.factorize(vf["unit"])
        mapping = groups_for(list(ulabels), groups)
        glab = np.array([mapping[str(u)] for u in ulabels], dtype=object)[ucode]
    pcode, plabels = pd.factorize(vf["period"], sort=True)
    gcode, glabels = pd.factorize(pd.Series(glab, dtype=object), sort=True)
    return vf, pcode, gcode, list(plabels), [str(g) for g in glabels]


def _first_row(vf: pd.DataFrame, mask: np.ndarray) -> tuple[str, Any, float]:
    i = int(np.flatnonzero(mask)[0])
    period = vf["period"].iloc[i]
    if isinstance(period, np.generic):
        period = period.item()
    return str(vf["unit"].iloc[i]), period, float(vf["value"].iloc[i])


def _check_degenerate(vf: pd.DataFrame, pcode: np.ndarray, plabels: list[Any], what: str) -> None:
    """Raise when a period has all values equal (inequality 0, shares undefined)."""
    y = vf["value"].to_numpy(dtype=float)
    mn = np.full(len(plabels), np.inf)
    mx = np.full(len(plabels), -np.inf)
    np.minimum.at(mn, pcode, y)
    np.maximum.at(mx, pcode, y)
    flat = np.flatnonzero(mn == mx)
    if flat.size:
        p = plabels[int(flat[0])]
        n = int((pcode == flat[0]).sum())
        raise DataError(
            f"{what}: all {n} value(s) in period {p!r} are equal ({mn[flat[0]]:g}); inequality is "
            "0 there and its decomposition into shares is undefined; drop that period"
            + (" (a period needs at least two units)" if n == 1 else "")
        )


# ----------------------------------------------------------------------------- Dagum


@dataclass(frozen=True, eq=False)
class DagumResult:
    """Dagum (1997) Gini decomposition by period.

    Attributes
    ----------
    overall : DataFrame
        ``dagum``: period, gini, within, net_between, transvariation, the three
        shares (of ``gini``), then gross_between (= net_between + transvariation),
        n, mean, groups (number of groups present).
    within : DataFrame
        ``dagum_within``: period, group, gini (G_jj), n (n_j), mean (μ_j), then
        mean_rank (1 = highest mean in that period), p (n_j / n), s (p_j μ_j / μ),
        contribution (G_jj p_j s_j), share (contribution / G).
    between : DataFrame
        ``dagum_between``: one row per pair with ``group_a`` the group with the
        higher mean in that period: period, group_a, group_b, gini (G_ab), D
        (D_ab), then d (d_ab), p (p_ab), mean_a, mean_b, weight
        (p_a s_b + p_b s_a), net_contribution (G_ab · weight · D_ab),
        transvariation_contribution (G_ab · weight · (1 − D_ab)).
    params : dict
        The choices made (form, ordering, value column, grouping).
    """

    overall: pd.DataFrame
    within: pd.DataFrame
    between: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """File stem → table: ``dagum``, ``dagum_within``, ``dagum_between``."""
        return {"dagum": self.overall, "dagum_within": self.within, "dagum_between": self.between}

    def to_frame(self) -> pd.DataFrame:
        """The main table, ``dagum``."""
        return self.overall

    def summary(self) -> pd.DataFrame:
        """Period, overall Gini and the three contribution shares."""
        return self.overall[
            ["period", "gini", "within_share", "net_between_share", "transvariation_share"]
        ]

    def matrix(self, period: Any, stat: str = "gini") -> pd.DataFrame:
        """Groups × groups table of one period, rows and columns by descending mean.

        ``stat="gini"``: ``G_jj`` on the diagonal and ``G_jh`` off it (symmetric).
        ``stat="D"``: ``D_jh`` for each pair, in both cells of the pair; the
        diagonal is NaN because ``D`` is defined between two groups only.
        """
        if stat not in ("gini", "D"):
            raise DataError(f"stat must be 'gini' or 'D', not {stat!r}")
        w = self.within[self.within["period"] == period]
        if w.empty:
            raise DataError(f"period {period!r} not in the result; periods: {self.periods}")
        order = w.sort_values("mean_rank")["group"].tolist()
        m = pd.DataFrame(np.nan, index=order, columns=order)
        if stat == "gini":
            for g, v in zip(w["group"], w["gini"], strict=True):
                m.loc[g, g] = v
        b = self.between[self.between["period"] == period]
        for a, c, v in zip(b["group_a"], b["group_b"], b[stat], strict=True):
            m.loc[a, c] = v
            m.loc[c, a] = v
        m.index.name = "group"
        return m

    @property
    def periods(self) -> list[Any]:
        return self.overall["period"].tolist()

    def plot(self, **kw: Any) -> Any:
        """Figure: overall and within-group Gini by period (left), shares (right).

        Keyword arguments go to :class:`matplotlib.figure.Figure` (e.g. ``figsize``).
        """
        from matplotlib.figure import Figure

        kw.setdefault("figsize", (10, 4))
        fig = Figure(**kw)
        ax1, ax2 = fig.subplots(1, 2)
        x = np.arange(len(self.overall))
        labels = [str(p) for p in self.overall["period"]]
        ax1.plot(x, self.overall["gini"], color="black", lw=2, marker="o", label="overall")
        for g, sub in self.within.groupby("group", sort=True):
            pos = [labels.index(str(p)) for p in sub["period"]]
            ax1.plot(pos, sub["gini"], marker=".", label=f"within {g}")
        ax1.set_title("Gini coefficient")
        ax1.set_xticks(x, labels, rotation=45)
        ax1.legend(fontsize="small")
        bottom = np.zeros(len(x))
        for col, lab in (
            ("within_share", "within"),
            ("net_between_share", "net between"),
            ("transvariation_share", "transvariation"),
        ):
            v = self.overall[col].to_numpy(dtype=float)
            ax2.bar(x, v, bottom=bottom, label=lab)
            bottom += v
        ax2.set_title("Contribution shares (Dagum 1997)")
        ax2.set_xticks(x, labels, rotation=45)
        ax2.set_ylim(0, 1)
        ax2.legend(fontsize="small")
        fig.tight_layout()
        return fig


def _positive_part_sums(ys: np.ndarray, gs: np.ndarray, m: int) -> np.ndarray:
    """``B[j, h] = Σ_{i∈j} Σ_{r∈h, y_r ≤ y_i} (y_i − y_r)`` for sorted ``ys``.

    ``gs`` holds the group codes (0..m-1) of the sorted values. Ties contribute 0
    whichever side they fall on, so ``B[j, h] + B[h, j] = Σ_{i∈j} Σ_{r∈h} |y_i − y_r|``
    and ``B[j, h] = n_j n_h E[(y_j − y_h)⁺]``. Memory O(n) per group.
    """
    n = ys.size
    below = np.empty((m, m))
    count = np.empty(n)
    total = np.empty(n)
    for h in range(m):
        mask = gs == h
        yh = np.where(mask, ys, 0.0)
        count[0] = 0.0
        total[0] = 0.0
        np.cumsum(mask[:-1], out=count[1:])
        np.cumsum(yh[:-1], out=total[1:])
        below[:, h] = np.bincount(gs, weights=ys * count - total, minlength=m)
    return np.maximum(below, 0.0)  # rounding can leave −1e-16 where the exact sum is 0


def _dagum_period(y: np.ndarray, g: np.ndarray, m: int) -> dict[str, Any]:
    """Dagum decomposition of one period; ``g`` are codes 0..m-1, every code present."""
    order = np.argsort(y, kind="stable")
    ys = y[order]
    gs = g[order]
    n = ys.size
    mu = float(ys.mean())
    G = float(np.dot(2.0 * np.arange(1, n + 1) - n - 1, ys) / (n * n * mu))
    nj = np.bincount(gs, minlength=m).astype(float)
    muj = np.bincount(gs, weights=ys, minlength=m) / nj
    pj = nj / n
    sj = pj * muj / mu
    B = _positive_part_sums(ys, gs, m)
    diag = np.diag(B)
    with np.errstate(invalid="ignore", divide="ignore"):
        Gjj = np.where(muj > 0, diag / (nj * nj * muj), 0.0)
    return {"G": G, "mu": mu, "n": n, "nj": nj, "muj": muj, "pj": pj, "sj": sj, "Gjj": Gjj, "B": B}


def dagum(data: Any, groups: Any, value: str = "value", node: str | None = None) -> DagumResult:
    """Dagum (1997) decomposition of the Gini coefficient by group, for every period.

    See the module docstring for the formulas and conventions (population form,
    groups ordered by mean afresh in every period, ``j`` = higher-mean group).

    Parameters
    ----------
    data : IndexResult, Panel or DataFrame
        Anything :func:`nqpf.analysis._input.values_frame` accepts (a tidy table
        ``unit, period, <value>``; ``scores.csv`` is filtered to ``node``).
    groups : str, path, mapping or DataFrame
        Grouping of the units (``cn-four-regions``, ``cn-three-belts``, a CSV or
        table with ``unit, group``, or a mapping unit → group). Every unit needs a
        group; a group may be absent in some periods (unbalanced panels).
    value : str
        Value column of a table.
    node : str, optional
        Node of a ``scores.csv``-like table (default ``index``).

    Returns
    -------
    DagumResult
        Tables ``dagum``, ``dagum_within`` and ``dagum_between``.

    Raises
    ------
    DataError
        A negative value (unit and period named), a period whose values are all
        equal or that has one unit, a unit without a group.
    """
    if groups is None:
        raise DataError("dagum needs a grouping of the units (groups=...)")
    vf, pcode, gcode, plabels, glabels = _prepare(data, groups, value, node)
    y_all = vf["value"].to_numpy(dtype=float)
    neg = y_all < 0
    if neg.any():
        u, p, v = _first_row(vf, neg)
        raise DataError(
            f"dagum: negative value {v:g} for unit {u!r}, period {p!r}; the Gini decomposition "
            "needs values ≥ 0 (shift or rescale the scores first)"
        )
    _check_degenerate(vf, pcode, plabels, "dagum")

    rows: list[dict[str, Any]] = []
    wrows: list[dict[str, Any]] = []
    brows: list[dict[str, Any]] = []
    bounds = np.flatnonzero(np.diff(pcode)) + 1  # vf is sorted by period
    for idx in np.split(np.arange(len(vf)), bounds):
        t = int(pcode[idx[0]])
        period = plabels[t]
        present, g_local = np.unique(gcode[idx], return_inverse=True)
        m = present.size
        r = _dagum_period(y_all[idx], g_local, m)
        names = [glabels[c] for c in present]
        # ascending by mean, ties by label (labels are sorted, so the code breaks ties)
        asc = np.lexsort((np.arange(m), r["muj"]))
        rank = np.empty(m, dtype=int)
        rank[asc[::-1]] = np.arange(1, m + 1)
        nj, muj, pj, sj, B, mu = r["nj"], r["muj"], r["pj"], r["sj"], r["B"], r["mu"]
        Gw = float(np.sum(r["Gjj"] * pj * sj))
        Gnb = 0.0
        Gt = 0.0
        for a in range(m - 1, 0, -1):
            j = int(asc[a])
            for b in range(a - 1, -1, -1):
                h = int(asc[b])
                nn = nj[j] * nj[h]
                d = B[j, h] / nn
                p = B[h, j] / nn
                msum = muj[j] + muj[h]
                Gjh = (d + p) / msum if msum > 0 else 0.0
                D = (d - p) / (d + p) if d + p > 0 else 0.0
                weight = pj[j] * sj[h] + pj[h] * sj[j]
                net = Gjh * weight * D
                trans = Gjh * weight * (1.0 - D)
                Gnb += net
                Gt += trans
                brows.append(
                    {
                        "period": period,
                        "group_a": names[j],
                        "group_b": names[h],
                        "gini": Gjh,
                        "D": D,
                        "d": d,
                        "p": p,
                        "mean_a": muj[j],
                        "mean_b": muj[h],
                        "weight": weight,
                        "net_contribution": net,
                        "transvariation_contribution": trans,
                    }
                )
        G = r["G"]
        for j in np.argsort(rank):
            wrows.append(
                {
                    "period": period,
                    "group": names[j],
                    "gini": float(r["Gjj"][j]),
                    "n": int(nj[j]),
                    "mean": float(muj[j]),
                    "mean_rank": int(rank[j]),
                    "p": float(pj[j]),
                    "s": float(sj[j]),
                    "contribution": float(r["Gjj"][j] * pj[j] * sj[j]),
                    "share": float(r["Gjj"][j] * pj[j] * sj[j] / G),
                }
            )
        rows.append(
            {
                "period": period,
                "gini": G,
                "within": Gw,
                "net_between": Gnb,
                "transvariation": Gt,
                "within_share": Gw / G,
                "net_between_share": Gnb / G,
                "transvariation_share": Gt / G,
                "gross_between": Gnb + Gt,
                "n": int(r["n"]),
                "mean": mu,
                "groups": m,
            }
        )
    params = {
        "method": "dagum",
        "source": "Dagum (1997), Empirical Economics 22:515-531",
        "form": "population (n^2), no n/(n-1) correction",
        "ordering": "groups ordered by mean in every period; ties by group label",
        "value": value,
        "node": node,
        "groups": _describe_groups(groups),
        "group_labels": glabels,
    }
    between_cols = [
        "period",
        "group_a",
        "group_b",
        "gini",
        "D",
        "d",
        "p",
        "mean_a",
        "mean_b",
        "weight",
        "net_contribution",
        "transvariation_contribution",
    ]
    return DagumResult(
        overall=pd.DataFrame(rows),
        within=pd.DataFrame(wrows),
        between=pd.DataFrame(brows, columns=between_cols),
        params=params,
    )


# ----------------------------------------------------------------------------- Theil


@dataclass(frozen=True, eq=False)
class TheilResult:
    """Theil T or L with its within/between decomposition, by period.

    Attributes
    ----------
    overall : DataFrame
        ``theil``: period, total, within, between, within_share, between_share,
        then n, mean (weighted), kind.
    groups : DataFrame
        ``theil_groups``: period, group, n, mean (weighted μ_g), theil (T_g or
        L_g), contribution (s_g T_g or π_g L_g), share (contribution / total),
        then weight_share (π_g), value_share (s_g), between_term (s_g ln(μ_g/μ)
        or π_g ln(μ/μ_g); they sum to ``between``), kind.
    params : dict
        The choices made (kind, weighting, grouping).
    """

    overall: pd.DataFrame
    groups: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """File stem → table: ``theil``, ``theil_groups``."""
        return {"theil": self.overall, "theil_groups": self.groups}

    def to_frame(self) -> pd.DataFrame:
        """The main table, ``theil``."""
        return self.overall

    def summary(self) -> pd.DataFrame:
        """Period, total and the within and between shares."""
        return self.overall[["period", "total", "within_share", "between_share"]]

    def plot(self, **kw: Any) -> Any:
        """Figure: within and between parts stacked by period, total as a line."""
        from matplotlib.figure import Figure

        kw.setdefault("figsize", (7, 4))
        fig = Figure(**kw)
        ax = fig.subplots()
        x = np.arange(len(self.overall))
        labels = [str(p) for p in self.overall["period"]]
        w = self.overall["within"].to_numpy(dtype=float)
        b = self.overall["between"].to_numpy(dtype=float)
        ax.bar(x, w, label="within")
        ax.bar(x, b, bottom=w, label="between")
        ax.plot(x, self.overall["total"], color="black", marker="o", label="total")
        ax.set_xticks(x, labels, rotation=45)
        ax.set_title(f"Theil {self.params.get('kind', '')} decomposition")
        ax.legend(fontsize="small")
        fig.tight_layout()
        return fig


def _weights_for(weights: Any, vf: pd.DataFrame) -> np.ndarray:
    """Population weights aligned with the rows of ``vf`` (matched by unit id and period)."""
    from ..panel.core import normalise_period

    if weights is None:
        return np.ones(len(vf))
    units = vf["unit"].to_numpy(dtype=object)
    periods = vf["period"].tolist()
    if isinstance(weights, pd.Series):
        weights = weights.to_dict()
    if isinstance(weights, pd.DataFrame):
        cols = {str(c).strip().lower(): c for c in weights.columns}
        if "unit" not in cols or "weight" not in cols:
            raise DataError(
                f"a weights table needs columns unit, weight (and optionally period); it has "
                f"{list(weights.columns)}"
            )
        wu = weights[cols["unit"]].astype(str).str.strip().tolist()
        wv = pd.to_numeric(weights[cols["weight"]], errors="coerce").to_numpy(dtype=float)
        if "period" in cols:
            wp = normalise_period(weights[cols["period"]].tolist())
            keys: list[Any] = list(zip(wu, wp, strict=True))
        else:
            keys = wu
        table = dict(zip(keys, wv, strict=True))
        if len(table) < len(keys):
            dup = pd.Series(keys, dtype=object)
            first = dup[dup.duplicated()].iloc[0]
            raise DataError(f"weights: key {first!r} listed twice; give one weight per key")
        by_period = "period" in cols
    elif isinstance(weights, Mapping):
        table = {}
        for k, v in weights.items():
            if isinstance(k, tuple):
                if len(k) != 2:
                    raise DataError(f"weights: key {k!r} is neither a unit nor (unit, period)")
                table[(str(k[0]).strip(), normalise_period([k[1]])[0])] = v
            else:
                table[str(k).strip()] = v
        kinds = {isinstance(k, tuple) for k in table}
        if len(kinds) > 1:
            raise DataError("weights: keys mix units and (unit, period) pairs; use one kind")
        by_period = kinds == {True}
    else:
        raise DataError(
            "weights must be a table (unit, [period,] weight), a mapping unit → weight or "
            f"(unit, period) → weight, not {type(weights).__name__}"
        )
    wunits = {k[0] if by_period else k for k in table}
    extra = sorted(wunits - set(units))
    if extra:
        raise DataError(
            f"weights name {len(extra)} unit(s) that the data lack: {extra[:10]}; weights and "
            "data must cover the same units (check the unit ids)"
        )
    want = list(zip(units, periods, strict=True)) if by_period else list(units)
    out = np.empty(len(vf))
    for i, k in enumerate(want):
        if k not in table:
            u, p = units[i], periods[i]
            raise DataError(f"no weight for unit {u!r}, period {p!r}; give every unit a weight")
        try:
            out[i] = float(table[k])
        except (TypeError, ValueError):
            raise DataError(f"weight {table[k]!r} for unit {units[i]!r} is not a number") from None
        if not (np.isfinite(out[i]) and out[i] > 0):
            raise DataError(
                f"weight {table[k]!r} for unit {units[i]!r}, period {periods[i]!r}: weights must "
                "be positive numbers"
            )
    return out


def theil(
    data: Any,
    groups: Any = None,
    kind: str = "T",
    weights: Any = None,
    value: str = "value",
    node: str | None = None,
) -> TheilResult:
    """Theil T (GE(1)) or L (GE(0), mean log deviation), decomposed within/between groups.

    See the module docstring for the formulas (Theil 1967; Shorrocks 1980).

    Parameters
    ----------
    data : IndexResult, Panel or DataFrame
        Anything :func:`nqpf.analysis._input.values_frame` accepts.
    groups : str, path, mapping, DataFrame or None
        Grouping of the units (as for :func:`dagum`). ``None``: one group ``all``
        (within = total, between = 0).
    kind : {"T", "L"}
        ``T``: values ≥ 0 (``0 · ln 0 = 0``); ``L``: values > 0.
    weights : DataFrame, mapping or None
        Population weights: a table ``unit, period, weight`` or ``unit, weight``
        (the same in every period), a mapping unit → weight or (unit, period) →
        weight. Matched by unit id. ``None``: every unit weighs 1. Weights must be
        positive and cover every unit-period of the data; weights for units absent
        from the data are an error (a sign of mismatched ids).
    value, node : str
        As for :func:`dagum`.

    Raises
    ------
    DataError
        A value out of range for ``kind`` (unit and period named), a period whose
        values are all equal, missing or bad weights, a unit without a group.
    """
    k = str(kind).upper()
    if k not in ("T", "L"):
        raise DataError(
            f"kind must be 'T' (GE(1)) or 'L' (GE(0), mean log deviation), not {kind!r}"
        )
    vf, pcode, gcode, plabels, glabels = _prepare(data, groups, value, node)
    y = vf["value"].to_numpy(dtype=float)
    bad = y <= 0 if k == "L" else y < 0
    if bad.any():
        u, p, v = _first_row(vf, bad)
        need = "> 0 (it takes logs of the values)" if k == "L" else "≥ 0"
        raise DataError(
            f"theil {k}: value {v:g} for unit {u!r}, period {p!r}; values must be {need}"
        )
    _check_degenerate(vf, pcode, plabels, f"theil {k}")
    w = _weights_for(weights, vf)

    P, K = len(plabels), len(glabels)
    pg = pcode * K + gcode
    W = np.bincount(pcode, weights=w, minlength=P)
    mu = np.bincount(pcode, weights=w * y, minlength=P) / W
    Wg = np.bincount(pg, weights=w, minlength=P * K)
    ng = np.bincount(pg, minlength=P * K)
    with np.errstate(invalid="ignore", divide="ignore"):
        mug = np.bincount(pg, weights=w * y, minlength=P * K) / Wg
    mu_u = mu[pcode]
    mug_u = mug[pg]

    def xlogx(r: np.ndarray) -> np.ndarray:
        out = np.zeros_like(r)
        pos = r > 0
        out[pos] = r[pos] * np.log(r[pos])
        return out

    if k == "T":
        total = np.bincount(pcode, weights=w * xlogx(y / mu_u), minlength=P) / W
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio_g = np.where(mug_u > 0, y / mug_u, 0.0)
            Tg = np.bincount(pg, weights=w * xlogx(ratio_g), minlength=P * K) / Wg
    else:
        total = np.bincount(pcode, weights=w * np.log(mu_u / y), minlength=P) / W
        with np.errstate(invalid="ignore", divide="ignore"):
            Tg = np.bincount(pg, weights=w * np.log(mug_u / y), minlength=P * K) / Wg
    pi_g = Wg / np.repeat(W, K)
    mu_rep = np.repeat(mu, K)
    s_g = pi_g * np.where(ng > 0, mug, 0.0) / mu_rep
    with np.errstate(invalid="ignore", divide="ignore"):
        if k == "T":
            contrib = s_g * Tg
            bterm = np.where(s_g > 0, s_g * np.log(mug / mu_rep), 0.0)
        else:
            contrib = pi_g * Tg
            bterm = np.where(ng > 0, pi_g * np.log(mu_rep / mug), 0.0)
    present = ng > 0
    contrib = np.where(present, contrib, 0.0)
    within = contrib.reshape(P, K).sum(axis=1)
    between = bterm.reshape(P, K).sum(axis=1)
    counts = np.bincount(pcode, minlength=P)

    overall = pd.DataFrame(
        {
            "period": plabels,
            "total": total,
            "within": within,
            "between": between,
            "within_share": within / total,
            "between_share": between / total,
            "n": counts,
            "mean": mu,
            "kind": k,
        }
    )
    idx = np.flatnonzero(present)
    t_of = idx // K
    gtab = pd.DataFrame(
        {
            "period": [plabels[t] for t in t_of],
            "group": [glabels[g] for g in idx % K],
            "n": ng[idx],
            "mean": mug[idx],
            "theil": Tg[idx],
            "contribution": contrib[idx],
            "share": contrib[idx] / total[t_of],
            "weight_share": pi_g[idx],
            "value_share": s_g[idx],
            "between_term": bterm[idx],
            "kind": k,
        }
    )
    params = {
        "method": "theil",
        "kind": k,
        "measure": "GE(1), Theil T" if k == "T" else "GE(0), Theil L (mean log deviation)",
        "source": "Theil (1967); Shorrocks (1980), Econometrica 48:613-625",
        "weights": "unweighted (each unit 1)" if weights is None else "population weights",
        "zero_convention": "0 * ln 0 = 0" if k == "T" else "values must be > 0",
        "value": value,
        "node": node,
        "groups": "none (one group 'all')" if groups is None else _describe_groups(groups),
        "group_labels": glabels,
    }
    return TheilResult(overall=overall, groups=gtab, params=params)
