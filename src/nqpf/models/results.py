"""One coefficient table per fitted model, the common currency of regression tables.

Every estimator of :mod:`nqpf.models` can hand its estimates to
:mod:`nqpf.models.tables` as a :class:`Estimates`: coefficients with standard
errors, t (or z) statistics and p-values, plus the rows journals print under
them (observations, R², which fixed effects, whether controls are included).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["Estimates", "stars"]


def stars(p: float, levels: tuple[float, ...] = (0.1, 0.05, 0.01)) -> str:
    """``*``, ``**``, ``***`` for p below the 10 %, 5 %, 1 % levels (the journals' default)."""
    if p is None or not np.isfinite(p):
        return ""
    return "*" * sum(p < a for a in levels)


@dataclass
class Estimates:
    """Coefficients of one model: ``coef`` has columns coef, se, t, p (index: term names)."""

    coef: pd.DataFrame
    dependent: str
    nobs: int
    r2: float | None = None
    r2_within: float | None = None
    effects: dict[str, bool] = field(default_factory=dict)
    controls: list[str] = field(default_factory=list)
    label: str = ""
    stat: str = "t"
    extra: dict[str, str] = field(default_factory=dict)
    cov: pd.DataFrame | None = None

    @classmethod
    def from_arrays(
        cls,
        names: list[str],
        coef: np.ndarray,
        se: np.ndarray,
        *,
        df: float | None = None,
        **kw,
    ) -> Estimates:
        """Build from coefficients and standard errors (t with ``df`` or z when None)."""
        coef = np.asarray(coef, float)
        se = np.asarray(se, float)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = coef / se
        if df is None:
            p = 2 * stats.norm.sf(np.abs(t))
            kw.setdefault("stat", "z")
        else:
            p = 2 * stats.t.sf(np.abs(t), df)
        frame = pd.DataFrame({"coef": coef, "se": se, "t": t, "p": p}, index=list(names))
        return cls(coef=frame, **kw)

    def table(self) -> pd.DataFrame:
        return self.coef.copy()
