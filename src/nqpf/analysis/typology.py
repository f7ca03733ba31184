"""Region typology for classified guidance: cluster units on their dimension profiles.

"Develop according to local conditions, with classified guidance" (因地制宜、分类指导)
asks which regions are alike. :func:`typology` clusters units on their
dimension scores (one period, or the mean over a range of periods), names each
type by its strong and weak dimensions, and gives every unit its strengths and
weaknesses against its type and against the best unit of its type.

Method
------
1. Profiles: one row per unit, one column per dimension; the mean over the
   chosen periods. Standardised before clustering (default z-scores with the
   sample standard deviation, ddof = 1, over units), so that every dimension
   weighs the same in the Euclidean distance.
2. Clustering:

   * ``"kmeans"``: Lloyd's algorithm (:func:`scipy.cluster.vq.kmeans2`, run
     until the assignment no longer changes, at most 300 iterations) from
     ``n_init`` k-means++ starts (Arthur & Vassilvitskii 2007) drawn from
     ``numpy.random.default_rng(seed)``; the run with the lowest within-type
     sum of squares (inertia) is kept (the first on ties). Starts that leave a
     type empty are discarded.
   * ``"ward"``: agglomerative clustering with Ward's (1963) minimum-variance
     criterion (:func:`scipy.cluster.hierarchy.linkage`), cut into ``k``
     types (:func:`~scipy.cluster.hierarchy.fcluster`, ``maxclust``);
     deterministic.

3. Number of types: unless ``k`` is given, the ``k`` in 2 … min(8, n − 1)
   with the largest mean silhouette width (Rousseeuw 1987; the smaller ``k`` on
   ties). The silhouette of unit ``i`` is ``s_i = (b_i − a_i)/max(a_i, b_i)``,
   ``a_i`` its mean Euclidean distance to the other members of its type,
   ``b_i`` the smallest mean distance to the members of another type, in the
   standardised space; ``s_i = 0`` for the only member of a type.
4. Types are numbered by their mean overall score, 1 the highest (the mean
   of the index node for an index result; ``overall`` column or the mean of the
   dimension values for a table).
5. Names: a dimension is *strong* in a type when the type's mean z-score on
   it exceeds ``+threshold`` (default 0.5 standard deviations of the units)
   and *weak* below ``−threshold``; e.g. "strong: innovation, green; weak:
   openness", or "balanced". Units are judged the same way against their
   type mean (gap over the dimension's standard deviation).

References
----------
Arthur, D. & Vassilvitskii, S. (2007). k-means++: the advantages of careful
seeding. *Proceedings of the 18th ACM-SIAM Symposium on Discrete Algorithms*,
1027–1035.

Rousseeuw, P. J. (1987). Silhouettes: a graphical aid to the interpretation and
validation of cluster analysis. *Journal of Computational and Applied
Mathematics* 20: 53–65.

Ward, J. H. (1963). Hierarchical grouping to optimize an objective function.
*Journal of the American Statistical Association* 58(301): 236–244.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError

METHODS = ("kmeans", "ward")
STANDARDISE = ("zscore", "minmax", "none")


@dataclass
class TypologyResult:
    """Types of units, their profiles, and each unit's gaps to its type and to the type's best.

    Attributes
    ----------
    assignments : DataFrame
        ``unit, type, type_name, type_name_zh, silhouette, overall, strengths,
        weaknesses, best_in_type``.
    profiles : DataFrame
        ``type, type_name, dimension, mean, z, role`` (role: strong, weak or
        empty).
    gaps : DataFrame
        ``unit, type, dimension, value, type_mean, gap_to_type, gap_to_type_z,
        assessment, best_unit, best_in_type, gap_to_best``.
    k_table : DataFrame
        ``k, silhouette, criterion, chosen``: mean silhouette width of every
        candidate ``k``.
    profile_values : DataFrame
        The unit × dimension values that were clustered (before standardising).
    params : dict
    """

    assignments: pd.DataFrame
    profiles: pd.DataFrame
    gaps: pd.DataFrame
    k_table: pd.DataFrame
    profile_values: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        return self.assignments

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "typology": self.assignments,
            "typology_profiles": self.profiles,
            "typology_gaps": self.gaps,
            "typology_k": self.k_table,
        }

    def summary(self) -> pd.DataFrame:
        """Per type: name, number of units, members, mean overall score and mean silhouette."""
        a = self.assignments
        g = a.groupby("type", sort=True)
        return pd.DataFrame(
            {
                "type_name": g["type_name"].first(),
                "units": g["unit"].count(),
                "members": g["unit"].agg(lambda s: ", ".join(map(str, s))),
                "overall_mean": g["overall"].mean(),
                "silhouette_mean": g["silhouette"].mean(),
            }
        ).reset_index()

    def plot(self, **kw: Any):
        """Heat map of the types' mean z-scores by dimension."""
        from matplotlib.figure import Figure

        p = self.profiles.pivot(index="type", columns="dimension", values="z")
        p = p[list(pd.unique(self.profiles["dimension"]))]
        fig = Figure(figsize=kw.pop("figsize", (1.2 * p.shape[1] + 3, 0.6 * p.shape[0] + 2)))
        ax = fig.add_subplot()
        lim = max(1.0, float(np.nanmax(np.abs(p.to_numpy()))))
        im = ax.imshow(p.to_numpy(), cmap="RdBu", vmin=-lim, vmax=lim, aspect="auto")
        ax.set_xticks(range(p.shape[1]), [str(c) for c in p.columns], rotation=45, ha="right")
        ax.set_yticks(range(p.shape[0]), [f"type {t}" for t in p.index])
        for i in range(p.shape[0]):
            for j in range(p.shape[1]):
                ax.text(j, i, f"{p.iat[i, j]:.2f}", ha="center", va="center", fontsize="small")
        fig.colorbar(im, ax=ax, label="mean z-score")
        ax.set_title(f"Type profiles ({self.params['method']}, k = {self.params['k']})")
        fig.tight_layout()
        return fig


def typology(
    data: Any,
    method: str = "kmeans",
    k: int | None = None,
    seed: int = 0,
    standardise: str | None = "zscore",
    periods: Any = None,
    n_init: int = 50,
    k_max: int = 8,
    threshold: float = 0.5,
    overall: str | None = None,
    missing: str = "error",
) -> TypologyResult:
    """Cluster units on their dimension profiles and name the types.

    Parameters
    ----------
    data : IndexResult or DataFrame
        An index result (its dimension scores are the profile; its overall
        index ranks units within a type), or a wide table with a ``unit``
        column (or units as the index), optionally a ``period`` column, and one
        numeric column per dimension.
    method : {"kmeans", "ward"}
    k : int, optional
        Number of types, 2 ≤ k ≤ n − 1; default: chosen by the largest mean
        silhouette over 2 … min(k_max, n − 1).
    seed : int
        Seed of the k-means++ starts (k-means only).
    standardise : {"zscore", "minmax", "none"}
        Scaling of each dimension over units before clustering (z-scores use
        ddof = 1).
    periods : period, sequence of periods or None
        The period(s) whose dimension scores are averaged into the profile;
        None: all periods.
    n_init : int
        Number of k-means starts (default 50).
    k_max : int
        Largest ``k`` tried when choosing it (default 8).
    threshold : float
        Strong/weak threshold in standard deviations (default 0.5).
    overall : str, optional
        For a table: the column holding an overall score (not clustered) used
        to order types and find the best unit of each type; default: the mean
        of the dimension values.
    missing : {"error", "drop"}
        A unit without a dimension score in a chosen period is an error, or is
        left out (listed in ``params["dropped_units"]``).

    Returns
    -------
    TypologyResult

    Raises
    ------
    DataError
        Fewer than three units, a missing dimension score, a dimension that
        does not vary, a ``k`` out of range, unknown options.
    """
    if method not in METHODS:
        raise DataError(f"unknown typology method {method!r}; use one of {', '.join(METHODS)}")
    standardise = "none" if standardise is None else standardise
    if standardise not in STANDARDISE:
        raise DataError(
            f"standardise={standardise!r} is not understood; use one of {', '.join(STANDARDISE)}"
        )
    if isinstance(n_init, bool) or not isinstance(n_init, int | np.integer) or n_init < 1:
        raise DataError(f"n_init must be a positive whole number, not {n_init!r}")
    if not threshold > 0:
        raise DataError(f"threshold must be positive, not {threshold!r}")
    if missing not in ("error", "drop"):
        raise DataError(f"missing must be 'error' or 'drop', not {missing!r}")
    values, score, used_periods, overall_source, dropped = _profiles(
        data, periods, overall, missing
    )
    units = list(values.index)
    dims = list(values.columns)
    n = len(units)
    if n < 3:
        raise DataError(f"a typology needs at least three units, got {n}: {units}")
    if isinstance(k_max, bool) or not isinstance(k_max, int | np.integer) or k_max < 2:
        raise DataError(f"k_max must be a whole number >= 2, not {k_max!r}")
    raw = values.to_numpy(dtype=float)
    sd = raw.std(axis=0, ddof=1)
    flat = ~(sd > 0)
    if flat.any():
        raise DataError(
            f"dimension {dims[int(np.flatnonzero(flat)[0])]!r} has the same value for every unit; "
            "it cannot tell types apart: leave it out"
        )
    Zs = (raw - raw.mean(axis=0)) / sd  # z-scores for naming, whatever the clustering scale
    if standardise == "zscore":
        X = Zs
    elif standardise == "minmax":
        X = (raw - raw.min(axis=0)) / (raw.max(axis=0) - raw.min(axis=0))
    else:
        X = raw.copy()

    from scipy.spatial.distance import pdist, squareform

    Dm = squareform(pdist(X, metric="euclidean"))
    hi = min(int(k_max), n - 1)
    if k is not None:
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 2 <= k <= n - 1:
            raise DataError(f"k must be a whole number from 2 to n − 1 = {n - 1}, not {k!r}")
        hi = max(hi, int(k))
    ward_tree = None
    if method == "ward":
        from scipy.cluster.hierarchy import linkage

        ward_tree = linkage(X, method="ward", metric="euclidean")
    labels_by_k: dict[int, np.ndarray] = {}
    inertia_by_k: dict[int, float] = {}
    rows = []
    for kk in range(2, hi + 1):
        if method == "kmeans":
            lab, inertia = _kmeans(X, kk, seed, int(n_init))
            inertia_by_k[kk] = inertia
        else:
            from scipy.cluster.hierarchy import fcluster

            lab = fcluster(ward_tree, kk, criterion="maxclust") - 1
        labels_by_k[kk] = lab
        rows.append((kk, float(silhouette_samples(Dm, lab).mean())))
    ktab = pd.DataFrame(rows, columns=["k", "silhouette"])
    if k is None:
        best = int(ktab.loc[ktab["silhouette"].idxmax(), "k"])  # idxmax: first (smallest k) on ties
        ktab["criterion"] = "largest mean silhouette"
    else:
        best = int(k)
        ktab["criterion"] = "k given"
    ktab["chosen"] = ktab["k"] == best
    lab = labels_by_k[best]
    sil = silhouette_samples(Dm, lab)
    n_types = len(np.unique(lab))
    if method == "kmeans":
        ktab["inertia"] = ktab["k"].map(inertia_by_k)

    # number the types by mean overall score, 1 the highest (ties: first unit in order)
    sc = score.reindex(units).to_numpy(dtype=float)
    keys = []
    for c in np.unique(lab):
        members = np.flatnonzero(lab == c)
        keys.append((-sc[members].mean(), members[0], c))
    order = {c: t + 1 for t, (_, _, c) in enumerate(sorted(keys))}
    types = np.array([order[c] for c in lab])

    # profiles and names
    prof_rows = []
    names: dict[int, str] = {}
    names_zh: dict[int, str] = {}
    for t in range(1, n_types + 1):
        m = types == t
        zmean = Zs[m].mean(axis=0)
        strong = [dims[j] for j in np.argsort(-zmean, kind="stable") if zmean[j] > threshold]
        weak = [dims[j] for j in np.argsort(zmean, kind="stable") if zmean[j] < -threshold]
        names[t], names_zh[t] = _name(strong, weak)
        for j, d in enumerate(dims):
            role = "strong" if d in strong else "weak" if d in weak else ""
            prof_rows.append((t, d, float(raw[m, j].mean()), float(zmean[j]), role))
    _dedupe(names, " [type {t}]")
    _dedupe(names_zh, "（类型{t}）")
    profiles = pd.DataFrame(prof_rows, columns=["type", "dimension", "mean", "z", "role"])
    profiles.insert(1, "type_name", profiles["type"].map(names))

    # gaps to the type mean and to the best unit of the type
    gap_rows = []
    assign_rows = []
    for t in range(1, n_types + 1):
        idx = np.flatnonzero(types == t)
        tmean = raw[idx].mean(axis=0)
        b = idx[int(np.argmax(sc[idx]))]  # first maximum in unit order
        for i in idx:
            gz = (raw[i] - tmean) / sd
            strengths = [dims[j] for j in np.argsort(-gz, kind="stable") if gz[j] > threshold]
            weaknesses = [dims[j] for j in np.argsort(gz, kind="stable") if gz[j] < -threshold]
            for j, d in enumerate(dims):
                assess = ("strength" if gz[j] > threshold else "weakness" if gz[j] < -threshold
                          else "on par")
                gap_rows.append(
                    (units[i], t, d, raw[i, j], tmean[j], raw[i, j] - tmean[j], gz[j], assess,
                     units[b], raw[b, j], raw[i, j] - raw[b, j])
                )
            assign_rows.append(
                (units[i], t, names[t], names_zh[t], sil[i], sc[i], ", ".join(strengths),
                 ", ".join(weaknesses), units[b])
            )
    assignments = pd.DataFrame(
        assign_rows,
        columns=["unit", "type", "type_name", "type_name_zh", "silhouette", "overall",
                 "strengths", "weaknesses", "best_in_type"],
    )
    pos = {u: i for i, u in enumerate(units)}
    assignments = assignments.sort_values(
        ["type", "unit"], key=lambda s: s.map(pos) if s.name == "unit" else s
    ).reset_index(drop=True)
    gaps = pd.DataFrame(
        gap_rows,
        columns=["unit", "type", "dimension", "value", "type_mean", "gap_to_type",
                 "gap_to_type_z", "assessment", "best_unit", "best_in_type", "gap_to_best"],
    )
    gaps = gaps.sort_values(
        ["unit"], key=lambda s: s.map(pos), kind="stable"
    ).reset_index(drop=True)
    params = {
        "method": method,
        "k": best,
        "k_selection": "given" if k is not None else
        f"largest mean silhouette over k = 2..{hi}",
        "seed": int(seed) if method == "kmeans" else None,
        "n_init": int(n_init) if method == "kmeans" else None,
        "initialisation": "k-means++" if method == "kmeans" else None,
        "inertia": inertia_by_k.get(best),
        "standardise": standardise,
        "ddof": 1,
        "distance": "euclidean",
        "periods": used_periods,
        "threshold_sd": float(threshold),
        "overall": overall_source,
        "mean_silhouette": float(sil.mean()),
        "dropped_units": dropped,
    }
    return TypologyResult(assignments, profiles, gaps, ktab, values, params)


def silhouette_samples(D: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Silhouette width of each observation from a square distance matrix (Rousseeuw 1987).

    ``s_i = (b_i − a_i) / max(a_i, b_i)``; 0 for the only member of a cluster
    and where ``a_i = b_i = 0``.
    """
    D = np.asarray(D, dtype=float)
    labels = np.asarray(labels)
    ks = np.unique(labels)
    if len(ks) < 2:
        raise DataError("the silhouette needs at least two clusters")
    member = labels[:, None] == ks[None, :]  # n × k
    sums = D @ member  # distance sums to each cluster
    size = member.sum(axis=0)
    own = member.argmax(axis=1)
    n_own = size[own]
    a = np.where(n_own > 1, sums[np.arange(len(D)), own] / np.maximum(n_own - 1, 1), 0.0)
    mean_other = sums / size
    mean_other[np.arange(len(D)), own] = np.inf
    b = mean_other.min(axis=1)
    den = np.maximum(a, b)
    s = np.where(den > 0, (b - a) / np.where(den > 0, den, 1.0), 0.0)
    return np.where(n_own > 1, s, 0.0)


def _kmeans(X: np.ndarray, k: int, seed: int, n_init: int) -> tuple[np.ndarray, float]:
    from scipy.cluster.vq import ClusterError, kmeans2

    rng = np.random.default_rng(seed)
    best_lab, best_in = None, np.inf
    for _ in range(n_init):
        cent = _plus_plus(X, k, rng)
        prev = None
        try:
            # Lloyd iterations in blocks of 5 until the assignment no longer changes
            for _ in range(60):
                cent, lab = kmeans2(X, cent, iter=5, minit="matrix", missing="raise")
                if prev is not None and np.array_equal(lab, prev):
                    break
                prev = lab
        except ClusterError:
            continue
        if len(np.unique(lab)) < k:
            continue
        inertia = float(((X - cent[lab]) ** 2).sum())
        if inertia < best_in - 1e-12:
            best_lab, best_in = lab, inertia
    if best_lab is None:
        raise DataError(
            f"k-means found no partition into {k} non-empty types in {n_init} starts; the "
            "units may have too few distinct profiles: choose a smaller k"
        )
    return best_lab, best_in


def _plus_plus(X: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ starting centres (Arthur & Vassilvitskii 2007)."""
    n = len(X)
    centres = [X[rng.integers(n)]]
    d2 = ((X - centres[0]) ** 2).sum(axis=1)
    for _ in range(1, k):
        tot = d2.sum()
        i = rng.integers(n) if tot <= 0 else rng.choice(n, p=d2 / tot)
        centres.append(X[i])
        d2 = np.minimum(d2, ((X - X[i]) ** 2).sum(axis=1))
    return np.array(centres, dtype=float)


def _name(strong: list[str], weak: list[str]) -> tuple[str, str]:
    parts, parts_zh = [], []
    if strong:
        parts.append("strong: " + ", ".join(strong))
        parts_zh.append("优势：" + "、".join(strong))
    if weak:
        parts.append("weak: " + ", ".join(weak))
        parts_zh.append("短板：" + "、".join(weak))
    if not parts:
        return "balanced", "均衡"
    return "; ".join(parts), "；".join(parts_zh)


def _dedupe(names: dict[int, str], suffix: str) -> None:
    seen: dict[str, int] = {}
    for v in names.values():
        seen[v] = seen.get(v, 0) + 1
    for t, v in names.items():
        if seen[v] > 1:
            names[t] = v + suffix.format(t=t)


def _profiles(data: Any, periods: Any, overall: str | None, missing: str):
    """Unit × dimension profile values, an overall score per unit, periods used, its source."""
    if hasattr(data, "scores") and hasattr(data, "recipe"):  # IndexResult
        if overall is not None:
            raise DataError("overall= applies to tables; an index result uses its index node")
        s = data.scores
        all_periods = list(data.periods)
        use = _pick_periods(all_periods, periods)
        s = s[s["period"].isin(use)]
        dims = s[s["level"] == "dimension"]
        if dims.empty:
            raise DataError("the index result has no dimension scores")
        bad = dims[dims["score"].isna()]
        dropped = sorted(pd.unique(bad["unit"]).tolist(), key=str)
        if dropped and missing == "error":
            r = bad.iloc[0]
            raise DataError(
                f"{len(bad)} dimension score(s) are missing, e.g. unit {r['unit']!r}, period "
                f"{_py(r['period'])!r}, dimension {r['node']!r}; choose periods where every unit "
                "is scored (periods=...) or leave such units out (missing='drop')"
            )
        dims = dims[~dims["unit"].isin(dropped)]
        s = s[~s["unit"].isin(dropped)]
        order = list(pd.unique(dims["node"]))
        values = dims.groupby(["unit", "node"])["score"].mean().unstack("node")[order]
        idx = s[s["node"] == "index"].groupby("unit")["score"].mean()
        units = sorted(values.index, key=str)
        values = values.loc[units]
        values.columns.name = None
        values.index.name = "unit"
        used = [_py(p) for p in use]
        return values, idx.reindex(units), used, "index node (mean over periods)", dropped
    if not isinstance(data, pd.DataFrame):
        raise DataError(
            f"typology() takes an index result or a wide table, not {type(data).__name__}"
        )
    df = data if "unit" in data.columns else data.rename_axis("unit").reset_index()
    used: list[Any] | None = None
    if "period" in df.columns:
        from ..panel.core import normalise_period

        df = df.assign(period=normalise_period(df["period"].tolist()))
        all_periods = sorted(pd.unique(df["period"]).tolist())
        used = _pick_periods(all_periods, periods)
        df = df[df["period"].isin(used)]
    elif periods is not None:
        raise DataError("periods= needs a 'period' column in the table")
    if overall is not None and overall not in df.columns:
        raise DataError(f"overall column {overall!r} is not in the table: {list(df.columns)}")
    dims = [c for c in df.columns if c not in ("unit", "period", overall)]
    if not dims:
        raise DataError("the table has no dimension columns to cluster on")
    num = {}
    for c in dims:
        v = pd.to_numeric(df[c], errors="coerce")
        if (v.isna() & df[c].notna()).any():
            raise DataError(f"column {c!r} is not numeric; keep only unit, period and scores")
        num[c] = v
    tab = pd.DataFrame(num)
    tab.insert(0, "unit", df["unit"].astype(str).str.strip().to_numpy())
    if used is None and tab["unit"].duplicated().any():
        dup = tab.loc[tab["unit"].duplicated(), "unit"].iloc[0]
        raise DataError(f"unit {dup!r} appears twice; give one row per unit (or a period column)")
    holes = tab[dims].isna().to_numpy()
    dropped = sorted(pd.unique(tab["unit"][holes.any(axis=1)]).tolist(), key=str)
    if dropped and missing == "error":
        r, c = np.argwhere(holes)[0]
        raise DataError(
            f"unit {tab['unit'].iloc[r]!r} has no value for dimension {dims[c]!r}; give every "
            "unit a value or leave such units out (missing='drop')"
        )
    keep = ~tab["unit"].isin(dropped).to_numpy()
    tab, df = tab[keep], df[keep]
    values = tab.groupby("unit")[dims].mean()
    units = sorted(values.index, key=str)
    values = values.loc[units]
    if overall is not None:
        ov = pd.to_numeric(df[overall], errors="coerce")
        if ov.isna().any():
            raise DataError(f"overall column {overall!r} has missing or non-numeric values")
        score = pd.Series(ov.to_numpy(), index=tab["unit"].to_numpy()).groupby(level=0).mean()
        source = f"column {overall!r}"
    else:
        score = values.mean(axis=1)
        source = "mean of the dimension values (equal weights)"
    return values, score.reindex(units), used, source, dropped


def _pick_periods(all_periods: list[Any], periods: Any) -> list[Any]:
    if periods is None:
        return list(all_periods)
    if isinstance(periods, str | int | np.integer) or not np.iterable(periods):
        want = [periods]
    else:
        want = list(periods)
    from ..panel.core import normalise_period

    want = normalise_period(want)
    lacking = [p for p in want if p not in all_periods]
    if lacking:
        raise DataError(f"period(s) {lacking} not in the data; periods: {all_periods}")
    return want


def _py(x: Any) -> Any:
    return x.item() if isinstance(x, np.generic) else x
