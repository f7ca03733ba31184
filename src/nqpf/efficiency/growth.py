"""Growth accounting for regions: perpetual-inventory capital, Solow residual, decomposition.

The production function is Cobb–Douglas with constant returns to scale (Solow 1957),

.. math:: Y = A K^{\\alpha} L^{1-\\alpha}, \\qquad \\alpha = 1 - s_L,

where :math:`s_L` is the labour share of income, fixed or read from the data per unit and
period. Total factor productivity is the residual
:math:`\\ln A = \\ln Y - \\alpha \\ln K - (1-\\alpha) \\ln L` and output growth, measured as
log differences, decomposes exactly into

.. math:: g_Y = \\bar\\alpha g_K + (1-\\bar\\alpha) g_L + g_A .

With a fixed share :math:`\\bar\\alpha = \\alpha`. With a share that varies over time the
weights are the Törnqvist averages of adjacent periods,
:math:`\\bar\\alpha_t = 1 - (s_{L,t} + s_{L,t-1})/2` (Diewert 1976; the convention of the Penn
World Table's ``rtfpna``, Feenstra, Inklaar & Timmer 2015), and the TFP level is chained from
the first period of each unit: :math:`\\ln A_{t_0}` by the formula above with the share of
:math:`t_0`, then :math:`\\ln A_t = \\ln A_{t-1} + g_{A,t}`. Chaining keeps
``tfp_growth == diff(log_tfp)``; the period-by-period formula with a changing share would move
the level by :math:`\\Delta\\alpha\\,(\\ln K - \\ln L)`, which depends on the units of K and L.
With a fixed share both definitions coincide.

When no capital stock is given it is built by the perpetual inventory method (PIM) from real
investment, per unit, over consecutive periods:

.. math:: K_{t_0} = K_0, \\qquad K_t = (1-\\delta) K_{t-1} + I_t \\quad (t > t_0).

The depreciation rate ``delta`` defaults to 9.6 %, the rate of Zhang Jun, Wu Guiying & Zhang
Jipeng (2004, 经济研究 10) widely used for Chinese provinces; it is an option, not a truth
(Young 2003 uses 6 %, PWT uses asset-specific rates). The initial stock rule is a parameter:

``"growth"``
    :math:`K_0 = I_{t_0} / (g + \\delta)`, the steady-state stock of Harberger (1978) as used by
    Hall & Jones (1999), where :math:`g` is the average geometric growth rate of investment over
    the first ``init_years`` observed periods of the unit,
    :math:`g = (I_{t_0+m-1}/I_{t_0})^{1/(m-1)} - 1`, :math:`m = \\min(\\text{init\\_years}, T)`.
``"ratio"``
    :math:`K_0 = I_{t_0} / 0.1`, Young's (2003) rule of dividing base-year investment by 10 %.
a number or a mapping unit → number
    :math:`K_0` given by the user (e.g. a published base-year stock), in the units of ``I``.

The stock of the first period is :math:`K_0` itself: investment of :math:`t_0` is taken to be
included in it (the convention of Zhang, Wu & Zhang 2004 for their 1952 base).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError

#: Young's (2003) ratio of base-year investment to the initial capital stock.
YOUNG_RATIO = 0.1

TABLES = ("capital_stock", "tfp", "growth_decomposition")


@dataclass
class GrowthResult:
    """Capital stock, TFP and the decomposition of output growth, per unit and period.

    Attributes
    ----------
    capital_stock : DataFrame
        ``unit, period, capital``: the stock given or built by perpetual inventory.
    tfp : DataFrame
        ``unit, period, tfp_level, log_tfp, tfp_growth`` over the periods where output,
        labour, capital (and the share) are all present; ``tfp_growth`` (log difference) is
        missing in each unit's first period.
    growth_decomposition : DataFrame
        ``unit, period, g_output, contrib_capital, contrib_labour, contrib_tfp, share_capital,
        share_labour, share_tfp``: log growth of output from the previous period, the
        contributions ``alpha_bar * g_K``, ``(1 - alpha_bar) * g_L`` and the residual (they sum
        to ``g_output`` exactly) and the contributions divided by ``g_output`` (missing where
        output growth is zero).
    params : dict
        Every choice that made the result: series, share, depreciation, initial stock rule,
        and, for perpetual inventory, the initial stock and investment growth of every unit.
    """

    capital_stock: pd.DataFrame
    tfp: pd.DataFrame
    growth_decomposition: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The three tables by name: capital_stock, tfp, growth_decomposition."""
        return {name: getattr(self, name) for name in TABLES}

    def to_frame(self) -> pd.DataFrame:
        """One row per unit and period of the TFP table, with capital and the decomposition."""
        out = self.tfp.merge(self.capital_stock, on=["unit", "period"], how="left")
        return out.merge(self.growth_decomposition, on=["unit", "period"], how="left")

    def summary(self) -> pd.DataFrame:
        """Mean growth and contributions by unit.

        Columns ``unit, first, last, n_growth, g_output, contrib_capital, contrib_labour,
        contrib_tfp, share_capital, share_labour, share_tfp``. The means are over the growth
        periods of each unit; the shares are ratios of mean contributions to mean output growth
        (not means of yearly shares, which explode in years of near-zero growth).
        """
        d = self.growth_decomposition
        cols = ["g_output", "contrib_capital", "contrib_labour", "contrib_tfp"]
        rows = []
        for unit, g in d.groupby("unit", sort=False):
            m = g[cols].mean()
            gy = float(m["g_output"])
            row: dict[str, Any] = {
                "unit": unit,
                "first": g["period"].iloc[0],
                "last": g["period"].iloc[-1],
                "n_growth": len(g),
            }
            row.update({c: float(m[c]) for c in cols})
            for part in ("capital", "labour", "tfp"):
                row[f"share_{part}"] = float(m[f"contrib_{part}"]) / gy if gy != 0 else np.nan
            rows.append(row)
        return pd.DataFrame(rows)

    def write(self, out_dir: str | Path, overwrite: bool = False) -> list[Path]:
        """Write each table as ``<name>.csv`` (UTF-8 with BOM) and ``growth_accounting.json``.

        Refuses to replace an existing file unless ``overwrite=True``; returns the paths written.
        """
        out = Path(out_dir)
        if out.exists() and not out.is_dir():
            raise DataError(f"{out} exists and is not a folder; choose another --out")
        names = [f"{t}.csv" for t in TABLES] + ["growth_accounting.json"]
        clash = [n for n in names if (out / n).exists()]
        if clash and not overwrite:
            raise DataError(f"{out / clash[0]} exists; choose another --out or pass --force")
        out.mkdir(parents=True, exist_ok=True)
        for t in TABLES:
            getattr(self, t).to_csv(out / f"{t}.csv", index=False, encoding="utf-8-sig")
        (out / names[-1]).write_text(
            json.dumps({"params": self.params}, indent=2, ensure_ascii=False, default=str),
            "utf-8",
        )
        return [out / n for n in names]


def growth_accounting(
    panel_or_table: Any,
    *,
    output: str,
    capital: str | None = None,
    investment: str | None = None,
    labour: str,
    labour_share: str | float | None = None,
    depreciation: float = 0.096,
    initial: str | float | Mapping[str, float] = "growth",
    init_years: int = 5,
    units: str = "none",
    unit: str = "unit",
    period: str = "period",
) -> GrowthResult:
    """Solow growth accounting with a Cobb–Douglas, constant-returns production function.

    See the module docstring for the formulas and conventions.

    Parameters
    ----------
    panel_or_table : Panel or DataFrame
        An nqpf :class:`~nqpf.panel.core.Panel`, a wide table (``unit``, ``period`` and one
        column per series) or a tidy table (``unit, period, indicator, value``).
    output, labour : str
        Series of real output (e.g. GDP at constant prices) and labour input (employment,
        or employment × human capital).
    capital, investment : str, optional
        Exactly one: a real capital stock series, or real investment (gross fixed capital
        formation deflated by the user) from which the stock is built by perpetual inventory.
    labour_share : str or float
        A series of labour shares in (0, 1) (e.g. PWT ``labsh``), or one fixed share such as
        0.5 (then α = 0.5) or 0.6. Required.
    depreciation : float
        δ in [0, 1) for perpetual inventory; default 0.096 (Zhang, Wu & Zhang 2004).
    initial : {"growth", "ratio"} or float or mapping
        Initial stock rule (module docstring); a number or a mapping unit → number gives K0.
    init_years : int
        Number of first periods of investment whose geometric growth gives ``g`` for
        ``initial="growth"`` (at least 2; fewer are used when the unit has fewer).
    units : {"none", "auto", "province", "country"}
        Resolve unit names to ids with :func:`~nqpf.panel.names.resolve_units` (aggregates
        dropped); ``"none"`` keeps them as given.
    unit, period : str
        Column names of the unit and period in a table.

    Returns
    -------
    GrowthResult

    Raises
    ------
    DataError
        Non-positive output, labour, capital or investment (named by unit and period), a
        share outside (0, 1), missing periods inside a unit's series (named), a unit without
        data for a series, or inconsistent options.
    """
    if (capital is None) == (investment is None):
        raise DataError(
            "give exactly one of capital= (a capital stock series) or investment= "
            "(real investment, from which the stock is built by perpetual inventory)"
        )
    if labour_share is None:
        raise DataError(
            "labour_share is required: a series name (e.g. 'labsh') or a fixed share such as 0.5"
        )
    fixed_share: float | None = None
    if isinstance(labour_share, str):
        share_series: str | None = labour_share
    else:
        share_series = None
        fixed_share = float(labour_share)
        if not 0.0 < fixed_share < 1.0:
            raise DataError(f"labour share {labour_share!r} is outside (0, 1)")
    pim = capital is None
    if pim:
        if not 0.0 <= float(depreciation) < 1.0:
            raise DataError(f"depreciation {depreciation!r} must be in [0, 1)")
        if isinstance(initial, str) and initial not in ("growth", "ratio"):
            raise DataError(
                f"unknown initial={initial!r}; use 'growth', 'ratio', a number or a mapping"
            )
        if initial == "growth" and (int(init_years) != init_years or init_years < 2):
            raise DataError(f"init_years must be an integer >= 2, got {init_years!r}")
    k_name = capital if capital is not None else investment
    assert k_name is not None
    series = [output, labour, k_name] + ([share_series] if share_series else [])
    if len(set(series)) != len(series):
        raise DataError(f"the series must be distinct, got {series}")

    panel = _as_panel(panel_or_table, series, unit, period, units)
    periods = list(panel.periods)
    cube = {s: panel.values[:, :, panel.indicators.index(s)] for s in series}

    # validity of every observed value
    for s, what in ((output, "output"), (labour, "labour"), (k_name, "capital")):
        if pim and s == k_name:
            what = "investment"
        _check_positive(cube[s], panel.units, periods, s, what)
    if share_series:
        _check_share(cube[share_series], panel.units, periods, share_series)

    int_periods = all(isinstance(p, int | np.integer) for p in periods)
    k_rows, t_rows, d_rows = [], [], []
    init_stock: dict[str, float] = {}
    init_growth: dict[str, float] = {}
    for i, u in enumerate(panel.units):
        spans = {s: _span(cube[s][i], u, s, periods, int_periods) for s in series}
        # capital over its own span (PIM uses every investment period)
        a, b = spans[k_name]
        if pim:
            inv = cube[k_name][i, a : b + 1]
            k0, g = _initial_stock(inv, u, periods[a], initial, depreciation, init_years)
            init_stock[u] = k0
            if g is not None:
                init_growth[u] = g
            kser = _pim(inv, k0, float(depreciation))
        else:
            kser = cube[k_name][i, a : b + 1].copy()
        k_full = np.full(len(periods), np.nan)
        k_full[a : b + 1] = kser
        k_rows.append(pd.DataFrame({"unit": u, "period": periods[a : b + 1], "capital": kser}))
        # accounting sample: the intersection of the spans
        lo = max(sp[0] for sp in spans.values())
        hi = min(sp[1] for sp in spans.values())
        if lo > hi:
            cover = {s: f"{periods[sp[0]]}–{periods[sp[1]]}" for s, sp in spans.items()}
            raise DataError(
                f"unit {u!r}: the series do not overlap in any period ({cover}); "
                "drop the unit or supply the missing data"
            )
        sl = slice(lo, hi + 1)
        ly = np.log(cube[output][i, sl])
        ll = np.log(cube[labour][i, sl])
        lk = np.log(k_full[sl])
        s_l = cube[share_series][i, sl] if share_series else np.full(hi - lo + 1, fixed_share)
        alpha = 1.0 - s_l
        gy, gk, gl = np.diff(ly), np.diff(lk), np.diff(ll)
        abar = 1.0 - 0.5 * (s_l[1:] + s_l[:-1])
        ck = abar * gk
        cl = (1.0 - abar) * gl
        ca = gy - ck - cl
        log_a = np.empty(hi - lo + 1)
        log_a[0] = ly[0] - alpha[0] * lk[0] - (1.0 - alpha[0]) * ll[0]
        log_a[1:] = log_a[0] + np.cumsum(ca)
        per = periods[lo : hi + 1]
        t_rows.append(
            pd.DataFrame(
                {
                    "unit": u,
                    "period": per,
                    "tfp_level": np.exp(log_a),
                    "log_tfp": log_a,
                    "tfp_growth": np.concatenate([[np.nan], ca]),
                }
            )
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            nz = gy != 0
            share = {k: np.where(nz, c / np.where(nz, gy, 1.0), np.nan)
                     for k, c in (("capital", ck), ("labour", cl), ("tfp", ca))}
        d_rows.append(
            pd.DataFrame(
                {
                    "unit": u,
                    "period": per[1:],
                    "g_output": gy,
                    "contrib_capital": ck,
                    "contrib_labour": cl,
                    "contrib_tfp": ca,
                    "share_capital": share["capital"],
                    "share_labour": share["labour"],
                    "share_tfp": share["tfp"],
                }
            )
        )

    params: dict[str, Any] = {
        "model": "Cobb-Douglas, constant returns; alpha = 1 - labour share",
        "output": output,
        "labour": labour,
        "capital": capital,
        "investment": investment,
        "capital_source": "perpetual inventory" if pim else "given",
        "labour_share": labour_share,
        "share_weights": "Törnqvist average of adjacent periods"
        if share_series
        else "fixed",
        "growth": "log differences",
        "units": units,
    }
    if pim:
        params.update(
            depreciation=float(depreciation),
            initial=initial if isinstance(initial, str | int | float) else dict(initial),
            init_years=int(init_years),
            initial_stock=init_stock,
        )
        if init_growth:
            params["initial_investment_growth"] = init_growth
    return GrowthResult(
        capital_stock=pd.concat(k_rows, ignore_index=True),
        tfp=pd.concat(t_rows, ignore_index=True),
        growth_decomposition=pd.concat(d_rows, ignore_index=True),
        params=params,
    )


# ------------------------------------------------------------------------------------ helpers
def _as_panel(data: Any, series: list[str], unit: str, period: str, units: str) -> Any:
    """A Panel holding the series, from a Panel, a wide table or a tidy table."""
    from ..panel.core import Panel

    if units not in ("none", "auto", "province", "country"):
        raise DataError(f"unknown units={units!r}; use none, auto, province or country")
    if isinstance(data, Panel):
        missing = [s for s in series if s not in data.indicators]
        if missing:
            raise DataError(
                f"series {missing} not in the panel; its indicators are "
                f"{list(data.indicators)[:20]}"
            )
        panel = data.sel(indicators=series)
        if units != "none":
            from ..panel.names import resolve_units

            match = resolve_units(list(panel.units), kind=units, where="panel units")
            keep = [u for u in panel.units if u in match.mapping]
            panel = panel.sel(units=keep).rename_units(dict(match.mapping))
        return panel
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"expected a Panel or a DataFrame, got {type(data).__name__}")
    df = data
    absent = [c for c in (unit, period) if c not in df.columns]
    if absent:
        raise DataError(
            f"the table lacks column(s) {absent} (unit=, period= name them); its columns are "
            f"{list(df.columns)[:20]}"
        )
    if units != "none":
        from ..panel.names import resolve_units

        match = resolve_units(df[unit], kind=units, where=f"column {unit!r}")
        keep = df[unit].isin(list(match.mapping)).to_numpy()
        df = df.loc[keep].assign(**{unit: df.loc[keep, unit].map(match.mapping)})
    tidy = {"indicator", "value"} <= set(df.columns) and not set(series) <= set(df.columns)
    if tidy:
        inds = set(df["indicator"].astype(str).str.strip())
        missing = [s for s in series if s not in inds]
        if missing:
            raise DataError(
                f"series {missing} not in the table's indicator column; it has "
                f"{sorted(inds)[:20]}"
            )
        sub = df[df["indicator"].astype(str).str.strip().isin(series)]
        return Panel.from_long(sub, unit=unit, period=period)
    missing = [s for s in series if s not in df.columns]
    if missing:
        raise DataError(
            f"series {missing} are not columns of the table; its columns are "
            f"{list(df.columns)[:20]}"
        )
    return Panel.from_wide(df, unit=unit, period=period, indicators=series)


def _where(units: tuple[str, ...], periods: list[Any], mask: np.ndarray) -> str:
    ii, tt = np.nonzero(mask)
    cells = [f"{units[i]} {periods[t]}" for i, t in zip(ii[:5], tt[:5], strict=True)]
    more = f" and {len(ii) - 5} more" if len(ii) > 5 else ""
    return ", ".join(cells) + more


def _check_positive(
    x: np.ndarray, units: tuple[str, ...], periods: list[Any], name: str, what: str
) -> None:
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(x) & (x <= 0)
    if bad.any():
        raise DataError(
            f"{what} {name!r} is zero or negative (its log is impossible) for "
            f"{_where(units, periods, bad)}; correct or drop these cells"
        )


def _check_share(x: np.ndarray, units: tuple[str, ...], periods: list[Any], name: str) -> None:
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(x) & ((x <= 0) | (x >= 1))
    if bad.any():
        raise DataError(
            f"labour share {name!r} is outside (0, 1) for {_where(units, periods, bad)}; "
            "shares are fractions, not percentages"
        )


def _span(x: np.ndarray, u: str, name: str, periods: list[Any], int_periods: bool) -> tuple[
    int, int
]:
    """First and last observed positions; gaps inside (missing cells or years) are an error."""
    obs = np.flatnonzero(~np.isnan(x))
    if obs.size == 0:
        raise DataError(f"unit {u!r} has no value of {name!r}; drop the unit or supply the data")
    a, b = int(obs[0]), int(obs[-1])
    gaps = [periods[t] for t in range(a, b + 1) if np.isnan(x[t])]
    if int_periods:
        present = {int(p) for p in periods[a : b + 1]}
        gaps += [p for p in range(int(periods[a]), int(periods[b]) + 1) if p not in present]
        gaps = sorted(set(gaps))
    if gaps:
        raise DataError(
            f"unit {u!r}, series {name!r}: missing periods {gaps[:10]} inside "
            f"{periods[a]}–{periods[b]}; capital accumulation and growth rates need consecutive "
            "periods: impute them (nqpf impute) or restrict the sample"
        )
    return a, b


def _initial_stock(
    inv: np.ndarray,
    u: str,
    first: Any,
    initial: str | float | Mapping[str, float],
    delta: float,
    init_years: int,
) -> tuple[float, float | None]:
    """K0 for one unit and, for the growth rule, the investment growth g used."""
    if isinstance(initial, str):
        if initial == "ratio":
            return float(inv[0]) / YOUNG_RATIO, None
        m = min(int(init_years), inv.size)
        if m < 2:
            raise DataError(
                f"unit {u!r}: initial='growth' needs at least 2 periods of investment, it has "
                f"{inv.size}; use initial='ratio' or give K0"
            )
        g = float((inv[m - 1] / inv[0]) ** (1.0 / (m - 1)) - 1.0)
        if g + delta <= 0:
            raise DataError(
                f"unit {u!r}: investment falls by {-g:.1%} a year over its first {m} periods "
                f"from {first}, so g + delta = {g + delta:.4f} <= 0 and I0/(g + delta) is not "
                "a stock; use initial='ratio' or give K0"
            )
        return float(inv[0]) / (g + delta), g
    if isinstance(initial, Mapping):
        if u not in initial:
            raise DataError(
                f"no initial capital stock for unit {u!r} in initial=; it has "
                f"{list(initial)[:10]}"
            )
        k0 = float(initial[u])
    else:
        k0 = float(initial)
    if not np.isfinite(k0) or k0 <= 0:
        raise DataError(f"initial capital stock {k0!r} for unit {u!r} must be positive")
    return k0, None


def _pim(inv: np.ndarray, k0: float, delta: float) -> np.ndarray:
    """K_0 = k0, K_t = (1 - delta) K_{t-1} + I_t."""
    k = np.empty(inv.size)
    k[0] = k0
    for t in range(1, inv.size):
        k[t] = (1.0 - delta) * k[t - 1] + inv[t]
    return k
