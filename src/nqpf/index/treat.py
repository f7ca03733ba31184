"""Outlier treatment of indicators before normalisation (COINr's Treat).

An indicator whose distribution is both strongly skewed and heavy-tailed lets a
few units dominate a min-max normalised index. The usual treatment of composite
indicators (OECD/JRC 2008, *Handbook on Constructing Composite Indicators*,
step 5; the JRC COIN Tool; Becker et al., COINr 1.1, ``Treat``) is:

1. **Check.** An indicator *fails* when |skewness| > ``skew_thresh`` (2) **and**
   kurtosis > ``kurt_thresh`` (3.5). Skewness and kurtosis are the bias-adjusted
   sample statistics (type 2 of Joanes and Gill 1998, Excel's SKEW and KURT,
   COINr's ``skew``/``kurt``; kurtosis in excess of the normal's 3):
   ``scipy.stats.skew(x, bias=False)`` and ``scipy.stats.kurtosis(x, bias=False)``.
2. **Winsorise** a failing indicator one step at a time: with skewness ≥ 0 the
   points holding the maximum take the largest value among the others, with
   skewness < 0 the points holding the minimum take the smallest value among
   the others; re-check after each step and stop when it passes or when
   ``winmax`` points have been winsorised (ties are moved together, so the
   count can pass the limit by the number of tied points). A winsorised point
   therefore equals the nearest value that was not winsorised: it never moves
   past it, and the order of units is kept (ties aside).
3. **Transform** when winsorising up to the limit is not enough: the
   winsorised values are dropped (COINr's default, ``combine=False``; with
   ``combine=True`` the transform is applied to the winsorised values) and the
   indicator is transformed as a whole:

   * ``log_CT``: ln(x − min x + 0.01·(max x − min x)) (COINr's modified COIN
     Tool log);
   * ``log_CT_plus``: ``log_CT`` when skewness > 0, else
     −ln(max x + 0.01·(max x − min x) − x), which reduces a negative skew
     instead of worsening it;
   * ``boxcox``: Box–Cox of x − min x + 1 with ``boxcox_lambda``, or, when that
     is None, the λ maximising the normal log-likelihood
     (``scipy.stats.boxcox_normmax(method="mle")``);
   * ``none``: keep the winsorised values even though they still fail.

   The transforms are monotone increasing, so an indicator's direction is kept.

Conventions
-----------
* ``scope="pooled"`` (default) treats each indicator over all unit-periods
  together, as the pooled min-max normalisation sees it; ``"per-period"``
  treats each period's cross-section on its own (COINr's one-year coins).
* Missing cells are ignored and stay missing. Fewer than 4 observed values:
  the check is undefined and the indicator is left untreated (reported).
* Every treated cell is listed in :attr:`TreatResult.points` (unit, period,
  indicator, original and treated value, how) and every indicator in
  :attr:`TreatResult.table` (skewness and kurtosis before and after, points
  winsorised, transform, whether it passes in the end).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError

TRANSFORMS = ("log_CT", "log_CT_plus", "boxcox", "none")
SCOPES = ("pooled", "per-period")


@dataclass(frozen=True)
class TreatSpec:
    """Settings of the outlier treatment (COINr's defaults).

    Parameters
    ----------
    winmax : int or None
        Most points winsorised per indicator (and per period with
        ``scope="per-period"``); None: no limit. Default 5.
    skew_thresh, kurt_thresh : float
        An indicator fails when |skewness| > ``skew_thresh`` and kurtosis >
        ``kurt_thresh``. Defaults 2 and 3.5.
    transform : {"log_CT", "log_CT_plus", "boxcox", "none"}
        Applied when winsorising up to ``winmax`` is not enough.
    boxcox_lambda : float, optional
        λ of the Box–Cox transform; None estimates it by maximum likelihood.
    combine : bool
        Transform the winsorised values (True) or the original ones (False).
    scope : {"pooled", "per-period"}
    skip : tuple of str
        Indicators never treated.
    """

    winmax: int | None = 5
    skew_thresh: float = 2.0
    kurt_thresh: float = 3.5
    transform: str = "log_CT"
    boxcox_lambda: float | None = None
    combine: bool = False
    scope: str = "pooled"
    skip: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.transform not in TRANSFORMS:
            raise DataError(
                f"unknown treatment transform {self.transform!r}; choose one of "
                f"{', '.join(TRANSFORMS)}"
            )
        if self.scope not in SCOPES:
            raise DataError(
                f"treatment scope must be one of {', '.join(SCOPES)}, got {self.scope!r}"
            )
        if self.winmax is not None and (
            isinstance(self.winmax, bool) or not isinstance(self.winmax, int) or self.winmax < 0
        ):
            raise DataError(f"winmax must be a non-negative integer or None, got {self.winmax!r}")
        for name in ("skew_thresh", "kurt_thresh"):
            v = getattr(self, name)
            if not isinstance(v, int | float) or not np.isfinite(v):
                raise DataError(f"{name} must be a number, got {v!r}")
        if isinstance(self.skip, str):
            object.__setattr__(self, "skip", (self.skip,))
        object.__setattr__(self, "skip", tuple(self.skip))

    @classmethod
    def parse(cls, value: Any) -> TreatSpec | None:
        """None/False: no treatment; True: the defaults; a mapping: these settings."""
        if value is None or value is False:
            return None
        if value is True:
            return cls()
        if isinstance(value, TreatSpec):
            return value
        if not isinstance(value, dict):
            raise DataError(
                "treat must be true, false or a mapping of settings such as "
                "{winmax: 5, skew_thresh: 2, kurt_thresh: 3.5, transform: log_CT}"
            )
        known = set(cls.__dataclass_fields__)
        unknown = set(value) - known
        if unknown:
            raise DataError(
                f"unknown treatment setting(s) {sorted(unknown)}; known: {sorted(known)}"
            )
        return cls(**value)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["skip"] = list(self.skip)
        return d


@dataclass
class TreatResult:
    """Treated values and the record of every treated point.

    Attributes
    ----------
    values : ndarray (units, periods, indicators)
    table : DataFrame
        One row per indicator (and period with ``scope="per-period"``):
        ``indicator, period, n, skew, kurt, pass_before, winsorised, side,
        transform, lambda, skew_after, kurt_after, pass_after, note``.
    points : DataFrame
        ``unit, period, indicator, original, treated, how`` (``winhi``, ``winlo``
        or the transform's name) for every cell whose value changed.
    """

    values: np.ndarray
    table: pd.DataFrame
    points: pd.DataFrame
    spec: TreatSpec = field(default_factory=TreatSpec)

    @property
    def n_points(self) -> int:
        return len(self.points)


def skew_kurt(x: np.ndarray) -> tuple[float, float]:
    """Bias-adjusted sample skewness and excess kurtosis (Excel SKEW/KURT; COINr)."""
    from scipy import stats

    x = np.asarray(x, dtype=float)
    if len(x) < 4 or not np.ptp(x) > 0:
        return float("nan"), float("nan")
    return float(stats.skew(x, bias=False)), float(stats.kurtosis(x, bias=False))


def _passes(x: np.ndarray, spec: TreatSpec) -> bool:
    s, k = skew_kurt(x)
    if np.isnan(s):
        return True
    return bool(abs(s) < spec.skew_thresh or k < spec.kurt_thresh)


def winsorise(x: np.ndarray, spec: TreatSpec) -> tuple[np.ndarray, np.ndarray]:
    """Winsorise a complete vector step by step; returns (values, side).

    ``side`` is +1 at points winsorised at the top, −1 at the bottom, 0 elsewhere.
    """
    x = np.array(x, dtype=float)
    side = np.zeros(len(x), dtype=int)
    limit = np.inf if spec.winmax is None else spec.winmax
    while not _passes(x, spec) and np.count_nonzero(side) < limit:
        s, _ = skew_kurt(x)
        top = s >= 0
        end = x.max() if top else x.min()
        at = x == end
        rest = x[~at]
        if rest.size == 0:
            break
        x[at] = rest.max() if top else rest.min()
        side[at] = 1 if top else -1
    return x, side


def transform(x: np.ndarray, spec: TreatSpec) -> tuple[np.ndarray, str, float]:
    """The transform of ``spec`` applied to a complete vector: (values, name, λ)."""
    lo, hi = float(x.min()), float(x.max())
    a = 0.01 * (hi - lo)
    if spec.transform == "log_CT" or (spec.transform == "log_CT_plus" and skew_kurt(x)[0] > 0):
        return np.log(x - lo + a), "log_CT", float("nan")
    if spec.transform == "log_CT_plus":
        return -np.log(hi + a - x), "log_CT_neg", float("nan")
    if spec.transform == "boxcox":
        from scipy import stats

        y = x - lo + 1.0
        lam = spec.boxcox_lambda
        if lam is None:
            lam = float(stats.boxcox_normmax(y, method="mle"))
        out = np.log(y) if lam == 0 else (y**lam - 1.0) / lam
        return out, "boxcox", float(lam)
    return x, "none", float("nan")


def treat_vector(x: np.ndarray, spec: TreatSpec) -> tuple[np.ndarray, dict[str, Any], np.ndarray]:
    """Treat one vector with missing cells: (values, table row, how per cell)."""
    x = np.asarray(x, dtype=float)
    obs = ~np.isnan(x)
    xo = x[obs]
    how = np.full(len(x), "", dtype=object)
    s0, k0 = skew_kurt(xo)
    row: dict[str, Any] = {
        "n": int(obs.sum()), "skew": s0, "kurt": k0, "pass_before": True, "winsorised": 0,
        "side": "", "transform": "", "lambda": float("nan"), "note": "",
    }
    out = x.copy()
    if np.isnan(s0):
        row["note"] = "fewer than 4 values or constant: not checked"
    elif not _passes(xo, spec):
        row["pass_before"] = False
        w, side = winsorise(xo, spec)
        if _passes(w, spec) or spec.transform == "none":
            new = w
            row["winsorised"] = int(np.count_nonzero(side))
            row["side"] = "high" if (side > 0).any() else ("low" if (side < 0).any() else "")
            h = np.where(side > 0, "winhi", np.where(side < 0, "winlo", ""))
            how[obs] = h
        else:
            base = w if spec.combine else xo
            new, name, lam = transform(base, spec)
            row["transform"], row["lambda"] = name, lam
            if spec.combine:
                row["winsorised"] = int(np.count_nonzero(side))
                row["side"] = "high" if (side > 0).any() else "low"
                how[obs] = np.where(side != 0, np.where(side > 0, "winhi+", "winlo+") + name, name)
            else:
                how[obs] = name
        out[obs] = new
    s1, k1 = skew_kurt(out[obs])
    ok = bool(np.isnan(s1) or _passes(out[obs], spec))
    row.update(skew_after=s1, kurt_after=k1, pass_after=ok)
    return out, row, how


def treat(
    values: np.ndarray,
    spec: TreatSpec | dict | bool | None = True,
    *,
    indicators: list[str] | None = None,
    units: list[Any] | None = None,
    periods: list[Any] | None = None,
) -> TreatResult:
    """Treat the outliers of a (units, periods, indicators) cube.

    Parameters
    ----------
    values : array_like, shape (n_units, n_periods, k)
        Raw indicator values (before normalisation); NaN for missing cells.
    spec : TreatSpec, dict or True
        Settings (True: COINr's defaults).
    indicators, units, periods : lists, optional
        Labels for the tables.
    """
    sp = TreatSpec.parse(spec)
    if sp is None:
        raise DataError("treat() needs settings; pass True for the defaults")
    X = np.asarray(values, dtype=float)
    if X.ndim != 3:
        raise DataError(f"values must be 3-D (units x periods x indicators), got shape {X.shape}")
    n_u, n_t, k = X.shape
    inds = list(indicators) if indicators is not None else [f"x{j}" for j in range(k)]
    units = list(units) if units is not None else list(range(n_u))
    periods = list(periods) if periods is not None else list(range(n_t))
    unknown = [s for s in sp.skip if s not in inds]
    if unknown:
        raise DataError(f"treatment skip: unknown indicator(s) {unknown}; indicators: {inds}")
    out = X.copy()
    rows, pts = [], []
    for j, ind in enumerate(inds):
        if ind in sp.skip:
            continue
        blocks = [(None, slice(None))] if sp.scope == "pooled" else [
            (periods[t], slice(t, t + 1)) for t in range(n_t)
        ]
        for per, sl in blocks:
            cube = X[:, sl, j]
            new, row, how = treat_vector(cube.ravel(), sp)
            out[:, sl, j] = new.reshape(cube.shape)
            rows.append({"indicator": ind, "period": "all" if per is None else per, **row})
            hw = how.reshape(cube.shape)
            nw = new.reshape(cube.shape)
            for u, t in zip(*np.nonzero(hw != ""), strict=True):
                tt = t if per is None else periods.index(per)
                pts.append(
                    (units[u], periods[tt], ind, float(cube[u, t]), float(nw[u, t]), hw[u, t])
                )
    cols = [
        "indicator", "period", "n", "skew", "kurt", "pass_before", "winsorised", "side",
        "transform", "lambda", "skew_after", "kurt_after", "pass_after", "note",
    ]
    table = pd.DataFrame(rows, columns=cols)
    points = pd.DataFrame(
        pts, columns=["unit", "period", "indicator", "original", "treated", "how"]
    )
    return TreatResult(out, table, points, sp)
