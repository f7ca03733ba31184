"""One entry point for production-function TFP: pick the estimator by name.

=========  ==============================================================
``acf``    Ackerberg, Caves and Frazer (2015), value added or gross output
``op``     Olley and Pakes (1996), investment proxy, optional exit correction
``lp``     Levinsohn and Petrin (2003), intermediate-input proxy
``wrdg``   Wooldridge (2009), one-step GMM
``ols``    pooled least squares (biased upward on free inputs)
``fe``     within (fixed-effects) estimator
=========  ==============================================================
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..errors import DataError
from .pf_result import ProdFnResult

METHODS = ("acf", "op", "lp", "wrdg", "ols", "fe")


def estimate_tfp(
    data: pd.DataFrame,
    method: str = "acf",
    *,
    unit: str,
    period: str,
    output: str,
    free: str | Sequence[str],
    state: str | Sequence[str],
    proxy: str | None = None,
    exit: str | None = None,
    n_boot: int = 0,
    seed: int = 0,
    logs: bool = True,
    **kw: Any,
) -> ProdFnResult:
    """Estimate firm TFP by ``method`` (see the module table); options pass through.

    ``exit`` applies to ``op`` only; ``proxy`` is the intermediate input for
    ``acf``, ``lp`` and ``wrdg`` and investment for ``op``.
    """
    if method not in METHODS:
        raise DataError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if method in ("acf", "lp", "op", "wrdg") and proxy is None:
        what = "investment" if method == "op" else "an intermediate input (materials, energy)"
        raise DataError(f"{method} needs a proxy variable: pass proxy= ({what})")
    if exit is not None and method != "op":
        raise DataError("an exit column applies to Olley–Pakes (method='op') only")
    common = dict(
        unit=unit,
        period=period,
        output=output,
        free=free,
        state=state,
        n_boot=n_boot,
        seed=seed,
        logs=logs,
    )
    if method == "op":
        from .prodfn_op import olley_pakes

        return olley_pakes(data, proxy=proxy, exit=exit, **common, **kw)
    if method == "wrdg":
        from .prodfn_op import wooldridge

        return wooldridge(data, proxy=proxy, **common, **kw)
    from .prodfn import estimate

    return estimate(data, proxy=proxy, method=method, **common, **kw)
