"""Figures of a study report, in English or Chinese.

Every function returns a :class:`matplotlib.figure.Figure` built directly (Agg canvas, no
pyplot, so no global figure state), styled by :func:`nqpf.report.fonts.figure_style`. Units are
labelled with :func:`nqpf.datasets.reference.unit_label` (``CN-BJ`` → 北京 / Beijing, ``DEU`` →
德国 / Germany); axis titles and legends come from :data:`LABELS` in the language asked for.
When ``lang="zh"`` but no CJK font exists the figure falls back to English labels and says so
in ``fig.nqpf_notes`` (see :func:`nqpf.report.fonts.font_note`); no figure shows empty boxes.

Each figure carries three attributes for the caller (the study runner):

``nqpf_lang``
    The language the labels were drawn in (``"en"`` after a fallback).
``nqpf_notes``
    Notes to print under the figure (rescaling, units left out, font fallback, map source).
``missing``
    Units asked for but not drawn (for example codes of a choropleth without a shape).

Save with :func:`save_figure`, which applies the same style while writing, so that tick labels
created at drawing time get the CJK font as well.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..datasets.reference import unit_label
from ..errors import DataError
from .fonts import cjk_font, effective_lang, figure_style, font_note
from .maps import Geometry, draw_units

__all__ = [
    "LABELS",
    "bump_chart",
    "choropleth",
    "dagum_contributions",
    "efficiency_trend",
    "heatmap",
    "kernel_density",
    "lisa_map",
    "moran_scatter",
    "radar",
    "save_figure",
    "trend_by_group",
]

#: Bilingual labels used on the figures.
LABELS: dict[str, dict[str, str]] = {
    "period": {"en": "Year", "zh": "年份"},
    "score": {"en": "Score", "zh": "得分"},
    "mean": {"en": "Mean", "zh": "均值"},
    "overall_mean": {"en": "All units (mean)", "zh": "全部（均值）"},
    "rank": {"en": "Rank", "zh": "排名"},
    "value": {"en": "Value", "zh": "数值"},
    "density": {"en": "Density", "zh": "核密度"},
    "within": {"en": "Within groups", "zh": "区域内"},
    "net_between": {"en": "Net between groups", "zh": "区域间"},
    "transvariation": {"en": "Transvariation", "zh": "超变密度"},
    "share": {"en": "Contribution share (%)", "zh": "贡献率（%）"},
    "gini": {"en": "Overall Gini (right axis)", "zh": "总体基尼系数（右轴）"},
    "gini_axis": {"en": "Gini coefficient", "zh": "基尼系数"},
    "z": {"en": "Standardised value z", "zh": "标准化值 z"},
    "lag": {"en": "Spatial lag Wz", "zh": "空间滞后 Wz"},
    "slope": {"en": "Moran's I", "zh": "莫兰指数 I"},
    "rank_interval": {"en": "5–95 % of replications", "zh": "5%–95% 重复区间"},
    "median_rank": {"en": "Median rank", "zh": "排名中位数"},
    "base_rank": {"en": "Base case", "zh": "基准排名"},
    "rank_title": {"en": "Rank uncertainty", "zh": "排名的不确定性"},
    "HH": {"en": "High-High", "zh": "高-高"},
    "LH": {"en": "Low-High", "zh": "低-高"},
    "LL": {"en": "Low-Low", "zh": "低-低"},
    "HL": {"en": "High-Low", "zh": "高-低"},
    "not significant": {"en": "Not significant", "zh": "不显著"},
    "no_data": {"en": "No data", "zh": "无数据"},
    "efficiency": {"en": "Mean efficiency", "zh": "平均效率"},
    "cumulative": {"en": "Cumulative index (base = 1)", "zh": "累计指数（基期 = 1）"},
    "all_units": {"en": "All units", "zh": "全部"},
    "trend_title": {"en": "Mean score by group", "zh": "分组均值变化趋势"},
    "bump_title": {"en": "Ranking over time", "zh": "排名变化"},
    "radar_title": {"en": "Dimension profile", "zh": "维度得分雷达图"},
    "heatmap_title": {"en": "Scores", "zh": "得分热力图"},
    "kernel_title": {"en": "Kernel density by year", "zh": "核密度估计"},
    "dagum_title": {
        "en": "Sources of regional disparity (Dagum Gini)",
        "zh": "区域差异来源（Dagum 基尼系数分解）",
    },
    "moran_title": {"en": "Moran scatter plot", "zh": "莫兰散点图"},
    "lisa_title": {"en": "LISA cluster map", "zh": "LISA 集聚图"},
    "choropleth_title": {"en": "Map of scores", "zh": "得分空间分布"},
    "efficiency_title": {"en": "Efficiency over time", "zh": "效率变化趋势"},
    "cum_title": {"en": "Cumulative productivity index", "zh": "累计生产率指数"},
}

_LANGS = ("en", "zh")
_CLUSTER_COLORS = {
    "HH": "#d7191c",
    "LH": "#abd9e9",
    "LL": "#2c7bb6",
    "HL": "#fdae61",
    "not significant": "#d9d9d9",
}
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_FORMATS = ("png", "svg", "pdf")


# ----------------------------------------------------------------------------- helpers


def _styled(func: Any) -> Any:
    """Build the figure inside :func:`figure_style` of its (effective) language."""
    import functools
    import inspect

    sig = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        lang = bound.arguments.get("lang", "en")
        style = effective_lang(lang) if lang in _LANGS else "en"
        with figure_style(style):
            return func(*args, **kwargs)

    return wrapper


def _lab(key: str, lang: str) -> str:
    return LABELS[key][lang]


def _start(lang: str) -> tuple[str, list[str]]:
    """Check ``lang``; fall back to English without a CJK font (with a note)."""
    if lang not in _LANGS:
        raise DataError(f"unknown report language {lang!r}; use 'en' or 'zh'")
    notes: list[str] = []
    eff = effective_lang(lang)
    if eff != lang:
        note = font_note(lang)
        if note:
            notes.append(note)
    return eff, notes


def _new_figure(figsize: tuple[float, float], lang: str):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with figure_style(lang):
        fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig


def _families(lang: str) -> list[str]:
    fam = cjk_font() if lang == "zh" else None
    base = ["DejaVu Sans"]
    return [fam, *base] if fam else base


def _finish(
    fig: Any, lang: str, notes: list[str], missing: Sequence[str] = (), tight: bool = True
) -> Any:
    """Fix the font of every text already made and attach the attributes for the caller."""
    from matplotlib.text import Text

    fams = _families(lang)
    for ax in fig.axes:  # create the first ticks now: later ticks copy their font
        for name in ("xaxis", "yaxis", "zaxis"):
            if hasattr(ax, name):
                getattr(ax, name).get_major_ticks(1)
    for t in fig.findobj(Text):
        t.set_fontfamily(fams)
    if tight:
        fig.tight_layout()
    fig.nqpf_lang = lang
    fig.nqpf_notes = list(notes)
    fig.missing = list(missing)
    return fig


def _label(unit: Any, lang: str) -> str:
    return unit_label(str(unit), lang)


def _period_text(p: Any) -> str:
    if isinstance(p, float) and p.is_integer():
        return str(int(p))
    return str(p)


def _long_frame(
    df: Any, value: str | None, what: str, candidates: Sequence[str] = ("score", "value")
) -> tuple[pd.DataFrame, str]:
    """Validate a (unit, period, value) frame; returns a clean copy and the value column."""
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"{what}: expected a DataFrame with columns unit, period and a value")
    if df.empty:
        raise DataError(f"{what}: the table is empty; nothing to draw")
    for col in ("unit", "period"):
        if col not in df.columns:
            raise DataError(
                f"{what}: column {col!r} is missing; the table needs columns unit, period and "
                f"a value (found {list(df.columns)})"
            )
    if value is None:
        value = next((c for c in candidates if c in df.columns), None)
        if value is None:
            raise DataError(
                f"{what}: no value column; name it one of {list(candidates)} or pass value="
            )
    elif value not in df.columns:
        raise DataError(f"{what}: value column {value!r} not in {list(df.columns)}")
    out = pd.DataFrame(
        {
            "unit": df["unit"].astype(str).to_numpy(),
            "period": df["period"].to_numpy(),
            "value": pd.to_numeric(df[value], errors="coerce").to_numpy(dtype=float),
        }
    )
    out = out[np.isfinite(out["value"].to_numpy())]
    if out.empty:
        raise DataError(f"{what}: column {value!r} has no numeric values")
    dup = out.duplicated(["unit", "period"])
    if dup.any():
        first = out[dup].iloc[0]
        raise DataError(
            f"{what}: unit {first['unit']!r} appears twice in period {first['period']!r}; "
            "give one value per unit and period"
        )
    return out, value


def _period_axis(ax: Any, periods: Sequence[Any]) -> None:
    x = np.arange(len(periods))
    step = max(1, int(np.ceil(len(periods) / 12)))
    ax.set_xticks(x[::step], [_period_text(p) for p in periods][::step])
    ax.set_xlim(-0.3, len(periods) - 0.7)


def _title(ax_or_fig: Any, title: str | None, default_key: str, lang: str) -> None:
    text = title if title is not None else _lab(default_key, lang)
    if hasattr(ax_or_fig, "suptitle"):
        ax_or_fig.suptitle(text, fontsize=11, fontweight="bold")
    else:
        ax_or_fig.set_title(text)


# ----------------------------------------------------------------------------- saving


def save_figure(
    fig: Any,
    out_dir: str | Path,
    name: str,
    formats: Sequence[str] = ("png", "svg"),
    *,
    overwrite: bool = False,
    dpi: float | None = None,
    close: bool = True,
) -> dict[str, Path]:
    """Write ``fig`` as ``out_dir/name.<format>`` for each format.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure of this module (its ``nqpf_lang`` selects the style) or any Figure.
    out_dir : str or Path
        Created if needed.
    name : str
        File stem: ASCII letters, digits, ``_``, ``-`` and ``.``.
    formats : sequence of {"png", "svg", "pdf"}
    overwrite : bool
        If False (default) nothing is written when any target file exists.
    dpi : float, optional
        Raster resolution (default 150, the report style).
    close : bool
        Clear the figure after writing to free its memory (default True); the Figure object
        is then empty.

    Returns
    -------
    dict of str to Path
        Format -> written file.

    Raises
    ------
    DataError
        Bad name or format, or an existing file without ``overwrite=True``.
    """
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise DataError(
            f"figure name {name!r} is not a plain file stem; use letters, digits, _ - and ."
        )
    fmts = [str(f).lower().lstrip(".") for f in formats]
    if not fmts:
        raise DataError("no figure format given; use png, svg or pdf")
    bad = [f for f in fmts if f not in _FORMATS]
    if bad:
        raise DataError(f"unknown figure format(s) {bad}; use {list(_FORMATS)}")
    out = Path(out_dir)
    targets = {f: out / f"{name}.{f}" for f in dict.fromkeys(fmts)}
    if not overwrite:
        exists = [str(p) for p in targets.values() if p.exists()]
        if exists:
            raise DataError(
                f"figure file(s) {exists} exist already; pass overwrite=True or choose "
                "another output folder"
            )
    out.mkdir(parents=True, exist_ok=True)
    lang = getattr(fig, "nqpf_lang", "en")
    if lang not in _LANGS:
        lang = "en"
    with figure_style(lang, dpi=dpi or 150):
        for f, path in targets.items():
            fig.savefig(path, format=f, metadata=_metadata(f))
    if close:
        fig.clear()
    return dict(targets)


def _metadata(fmt: str) -> dict | None:
    # Fixed metadata so that files are reproducible byte for byte between runs.
    if fmt == "svg":
        return {"Date": None}
    if fmt == "pdf":
        return {"CreationDate": None, "ModDate": None}
    if fmt == "png":
        return {"Software": None}
    return None


# ----------------------------------------------------------------------------- trends


@_styled
def trend_by_group(
    scores: pd.DataFrame,
    groups: Mapping[str, str] | None = None,
    lang: str = "en",
    title: str | None = None,
    *,
    value: str | None = None,
    ylabel: str | None = None,
) -> Any:
    """Mean score of each group by period, and the mean of all units (dashed).

    Parameters
    ----------
    scores : DataFrame
        Columns ``unit``, ``period`` and ``score`` (or ``value``, or the column ``value=``).
    groups : mapping, optional
        Unit -> group label (already in the report language, e.g.
        :func:`nqpf.datasets.reference.province_groups`). Every unit of ``scores`` needs a
        group; None draws the overall mean only.
    lang : {"en", "zh"}
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        Group means are arithmetic means over the units with a value in that period.
    """
    lang, notes = _start(lang)
    df, _ = _long_frame(scores, value, "trend_by_group")
    periods = sorted(df["period"].unique())
    pos = {p: i for i, p in enumerate(periods)}
    fig = _new_figure((7.0, 4.2), lang)
    ax = fig.add_subplot()
    if groups is not None:
        gmap = {str(k): str(v) for k, v in dict(groups).items()}
        lost = sorted(set(df["unit"]) - set(gmap))
        if lost:
            raise DataError(
                f"trend_by_group: units {lost[:10]} have no group; add them to the grouping "
                "or leave them out of the scores"
            )
        df = df.assign(group=df["unit"].map(gmap))
        order = list(dict.fromkeys(gmap[u] for u in gmap if u in set(df["unit"])))
        for g in order:
            m = df[df["group"] == g].groupby("period")["value"].mean()
            ax.plot([pos[p] for p in m.index], m.to_numpy(), marker="o", ms=3.5, label=g)
    overall = df.groupby("period")["value"].mean()
    ax.plot(
        [pos[p] for p in overall.index], overall.to_numpy(), color="black", ls="--", lw=1.4,
        label=_lab("overall_mean", lang),
    )  # fmt: skip
    _period_axis(ax, periods)
    ax.set_xlabel(_lab("period", lang))
    ax.set_ylabel(ylabel or _lab("score", lang))
    _title(ax, title, "trend_title", lang)
    _legend_outside(ax)
    return _finish(fig, lang, notes)


def _wrap(text: str, width: int) -> str:
    """Break a long axis label into lines of about ``width`` characters (at spaces if any)."""
    import textwrap

    t = str(text)
    if len(t) <= width:
        return t
    if " " in t:
        return "\n".join(textwrap.wrap(t, width))
    return "\n".join(t[i:i + width] for i in range(0, len(t), width))


def _legend_outside(ax: Any) -> None:
    """The legend to the right of the plot, where it cannot cover a line."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, borderaxespad=0)


@_styled
def bump_chart(
    scores: pd.DataFrame,
    lang: str = "en",
    top: int | None = None,
    title: str | None = None,
    *,
    value: str | None = None,
) -> Any:
    """Ranks of units over periods, rank 1 at the top, unit names at both ends.

    Parameters
    ----------
    scores : DataFrame
        Columns ``unit``, ``period`` and either ``rank`` (used as given) or a score
        (``score``/``value``/``value=``), ranked in descending order within each period;
        ties share the lowest rank (``method="min"``, the competition ranking "1224").
    lang : {"en", "zh"}
    top : int, optional
        Draw only the units ranked ``<= top`` in the last period (ranks stay those of all
        units). None draws every unit.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    lang, notes = _start(lang)
    if isinstance(scores, pd.DataFrame) and "rank" in scores.columns and value is None:
        df, _ = _long_frame(scores, "rank", "bump_chart")
        df = df.rename(columns={"value": "rank"})
    else:
        df, _ = _long_frame(scores, value, "bump_chart")
        df["rank"] = df.groupby("period")["value"].rank(ascending=False, method="min")
    if top is not None and (not isinstance(top, int | np.integer) or top < 1):
        raise DataError(f"bump_chart: top must be a positive integer, not {top!r}")
    periods = sorted(df["period"].unique())
    pos = {p: i for i, p in enumerate(periods)}
    last = df[df["period"] == periods[-1]].sort_values("rank")
    units = last["unit"].tolist()
    units += sorted(set(df["unit"]) - set(units))  # units absent in the last period
    if top is not None:
        units = last[last["rank"] <= top]["unit"].tolist()
        left = len(set(df["unit"])) - len(units)
        if left:
            notes.append(
                f"{left} 个单位未画出（仅显示末期前 {top} 名）。"
                if lang == "zh"
                else f"{left} units not drawn (top {top} in the last period shown)."
            )
    n = len(units)
    fig = _new_figure((7.5, max(3.5, 0.26 * n + 1.5)), lang)
    ax = fig.add_subplot()
    cmap = _qualitative(n)
    for i, u in enumerate(units):
        sub = df[df["unit"] == u].sort_values("period")
        x = np.array([pos[p] for p in sub["period"]])
        y = sub["rank"].to_numpy()
        ax.plot(x, y, marker="o", ms=3.5, lw=1.6, color=cmap[i], alpha=0.9)
        name = _label(u, lang)
        ax.annotate(
            name, (x[0], y[0]), xytext=(-6, 0), textcoords="offset points", ha="right",
            va="center", fontsize=7.5, color=cmap[i],
        )  # fmt: skip
        ax.annotate(
            name, (x[-1], y[-1]), xytext=(6, 0), textcoords="offset points", ha="left",
            va="center", fontsize=7.5, color=cmap[i],
        )  # fmt: skip
    maxrank = float(df[df["unit"].isin(units)]["rank"].max())
    ax.set_ylim(maxrank + 0.7, 0.3)
    ticks = np.arange(1, int(maxrank) + 1)
    step = max(1, int(np.ceil(len(ticks) / 15)))
    ax.set_yticks(ticks[::step])
    _period_axis(ax, periods)
    ax.set_xlim(-1.2 if len(periods) > 1 else -1.5, len(periods) - 1 + 1.2)
    ax.grid(axis="x", visible=False)
    ax.set_xlabel(_lab("period", lang))
    ax.set_ylabel(_lab("rank", lang))
    _title(ax, title, "bump_title", lang)
    return _finish(fig, lang, notes)


def _qualitative(n: int) -> list[Any]:
    from matplotlib import colormaps

    if n <= 10:
        base = [
            "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#8C564B",
            "#000000", "#999999", "#B8860B",
        ]  # fmt: skip
        return base[:n]
    cm = colormaps["turbo"]
    return [cm(0.05 + 0.9 * i / max(1, n - 1)) for i in range(n)]


# ----------------------------------------------------------------------------- profiles


@_styled
def radar(
    profile: pd.DataFrame,
    lang: str = "en",
    units: Sequence[str] | None = None,
    max_units: int = 6,
    title: str | None = None,
) -> Any:
    """Radar (spider) chart of dimension scores of a few units.

    Parameters
    ----------
    profile : DataFrame
        Index unit ids, columns the dimensions (labels as they should appear), at least 3.
    lang : {"en", "zh"}
    units : sequence of str, optional
        Units to draw (at most ``max_units``); default the ``max_units`` units with the
        highest mean over the dimensions.
    max_units : int
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        When any value lies outside [0, 1], every dimension is rescaled by min-max over all
        units of ``profile`` (so the axes are comparable) and a note says so.
    """
    lang, notes = _start(lang)
    if not isinstance(profile, pd.DataFrame) or profile.empty:
        raise DataError("radar: the profile table is empty; give units as rows, dimensions")
    if profile.shape[1] < 3:
        raise DataError(f"radar: needs at least 3 dimensions, got {profile.shape[1]}")
    if max_units < 1:
        raise DataError(f"radar: max_units must be at least 1, not {max_units!r}")
    vals = profile.apply(pd.to_numeric, errors="coerce").astype(float)
    vals.index = [str(i) for i in profile.index]
    if units is None:
        order = vals.mean(axis=1).sort_values(ascending=False, kind="stable")
        chosen = order.index[:max_units].tolist()
    else:
        chosen = [str(u) for u in units]
        unknown = [u for u in chosen if u not in vals.index]
        if unknown:
            raise DataError(f"radar: units {unknown} are not in the profile table")
        if len(chosen) > max_units:
            raise DataError(
                f"radar: {len(chosen)} units asked for, at most max_units={max_units}; a radar "
                "chart with more lines is unreadable"
            )
    arr = vals.to_numpy()
    if np.nanmin(arr) < 0 or np.nanmax(arr) > 1:
        lo, hi = np.nanmin(arr, axis=0), np.nanmax(arr, axis=0)
        span = np.where(hi > lo, hi - lo, 1.0)
        vals = pd.DataFrame((arr - lo) / span, index=vals.index, columns=vals.columns)
        notes.append(
            "各维度按全部单位的最小-最大值缩放到 [0, 1]。"
            if lang == "zh"
            else "Each dimension rescaled to [0, 1] by its min and max over all units."
        )
    dims = [str(c) for c in vals.columns]
    k = len(dims)
    ang = np.linspace(0, 2 * np.pi, k, endpoint=False)
    fig = _new_figure((6.0, 5.6), lang)
    ax = fig.add_subplot(projection="polar")
    ax.set_theta_offset(np.pi / 2)
    ax.set_theta_direction(-1)
    colors = _qualitative(len(chosen))
    for c, u in zip(colors, chosen, strict=True):
        v = vals.loc[u].to_numpy(dtype=float)
        v = np.nan_to_num(v, nan=0.0)
        ax.plot(np.r_[ang, ang[:1]], np.r_[v, v[:1]], color=c, lw=1.6, label=_label(u, lang))
        ax.fill(np.r_[ang, ang[:1]], np.r_[v, v[:1]], color=c, alpha=0.12)
    ax.set_xticks(ang, [_wrap(d, 8 if lang == "zh" else 16) for d in dims])
    ax.tick_params(axis="x", pad=10)
    ax.set_ylim(0, 1)
    ax.set_yticks([0.25, 0.5, 0.75, 1.0], ["0.25", "0.5", "0.75", "1"], fontsize=7, color="0.4")
    # the radial tick labels sit between two axes, not on a dimension's line
    ax.set_rlabel_position(float(np.degrees(np.pi / k)))
    ax.spines["polar"].set_color("0.7")
    _title(ax, title, "radar_title", lang)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.05))
    return _finish(fig, lang, notes)


@_styled
def heatmap(
    table: pd.DataFrame,
    lang: str = "en",
    cmap: str = "viridis",
    title: str | None = None,
    *,
    annotate: bool | None = None,
    digits: int = 2,
    label_units: bool = True,
) -> Any:
    """Heat map of a unit × dimension (or unit × period) table.

    Parameters
    ----------
    table : DataFrame
        Index unit ids (labelled with :func:`unit_label`), columns dimensions or periods.
    lang : {"en", "zh"}
    cmap : str
        A matplotlib colour map; missing cells are white-grey.
    annotate : bool, optional
        Print the values in the cells; default when the table has at most 300 cells.
    digits : int
        Decimals of the annotations.
    label_units : bool
        Label rows by unit name (True) or by the index as given.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib import colormaps

    lang, notes = _start(lang)
    if not isinstance(table, pd.DataFrame) or table.empty:
        raise DataError("heatmap: the table is empty; give units as rows and columns to show")
    arr = table.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(arr).any():
        raise DataError("heatmap: the table has no numeric values")
    if cmap not in colormaps:
        raise DataError(f"heatmap: unknown colour map {cmap!r}")
    nr, nc = arr.shape
    rows = [_label(u, lang) if label_units else str(u) for u in table.index]
    cols = [_period_text(c) for c in table.columns]
    tilt = nc > 6
    if not tilt:  # long names (dimensions) on a few columns: wrap them, and widen the columns
        cols = [_wrap(c, 6 if lang == "zh" else 12) for c in cols]
    widest = max(len(line) for c in cols for line in c.split("\n"))
    cw = 0.55 if tilt else min(1.4, max(0.55, widest * (0.16 if lang == "zh" else 0.085)))
    fig = _new_figure((max(4.5, cw * nc + 2.8), max(3.0, 0.28 * nr + 1.4)), lang)
    ax = fig.add_subplot()
    cm = colormaps[cmap].with_extremes(bad="#f0f0f0")
    im = ax.imshow(np.ma.masked_invalid(arr), aspect="auto", cmap=cm, interpolation="nearest")
    ax.set_xticks(np.arange(nc), cols, rotation=45 if tilt else 0, ha="right" if tilt else "center")
    ax.set_yticks(np.arange(nr), rows)
    ax.grid(False)
    for s in ax.spines.values():
        s.set_visible(False)
    if annotate is None:
        annotate = nr * nc <= 300
    if annotate:
        norm = im.norm
        for i in range(nr):
            for j in range(nc):
                v = arr[i, j]
                if not np.isfinite(v):
                    continue
                r, g, b, _ = cm(norm(v))
                dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
                ax.text(
                    j, i, f"{v:.{digits}f}", ha="center", va="center", fontsize=6.5,
                    color="white" if dark else "black",
                )  # fmt: skip
    fig.colorbar(im, ax=ax, fraction=0.04, pad=0.02)
    _title(ax, title, "heatmap_title", lang)
    return _finish(fig, lang, notes)


# ----------------------------------------------------------------------------- dynamics


@_styled
def kernel_density(
    result: Any,
    lang: str = "en",
    title: str | None = None,
    *,
    kind: str = "auto",
    xlabel: str | None = None,
) -> Any:
    """Kernel densities by period from :class:`nqpf.analysis.dynamics.KernelResult`.

    Parameters
    ----------
    result : KernelResult
        Uses its grid ``x``, ``periods`` and ``density`` as estimated (no re-estimation).
    lang : {"en", "zh"}
    kind : {"auto", "lines", "ridge", "surface"}
        ``lines``: one curve per period coloured from light (first) to dark (last), best up to
        about 8 periods; ``ridge``: the curves stacked by period; ``surface``: the 3-D surface
        usual in Chinese papers. ``auto`` draws lines up to 8 periods, else a ridge plot.
    xlabel : str, optional
        Label of the value axis (default "Score"/"得分").

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib import colormaps

    lang, notes = _start(lang)
    for attr in ("x", "periods", "density"):
        if not hasattr(result, attr):
            raise DataError("kernel_density: expected a KernelResult of nqpf.analysis.dynamics")
    x = np.asarray(result.x, dtype=float)
    dens = np.asarray(result.density, dtype=float)
    periods = list(result.periods)
    if dens.size == 0 or not periods:
        raise DataError("kernel_density: the result has no periods")
    if kind not in ("auto", "lines", "ridge", "surface"):
        raise DataError(f"kernel_density: unknown kind {kind!r}; use lines, ridge or surface")
    if kind == "auto":
        kind = "lines" if len(periods) <= 8 else "ridge"
    t = len(periods)
    labels = [_period_text(p) for p in periods]
    xl = xlabel or _lab("score", lang)
    cm = colormaps["viridis"]
    shades = [cm(0.9 - 0.8 * i / max(1, t - 1)) for i in range(t)]
    if kind == "surface":
        import mpl_toolkits.mplot3d  # noqa: F401  (registers the 3d projection)

        fig = _new_figure((7.0, 5.2), lang)
        ax = fig.add_subplot(projection="3d")
        gx, gy = np.meshgrid(x, np.arange(t))
        ax.plot_surface(gx, gy, dens, cmap="viridis", linewidth=0, antialiased=True)
        step = max(1, int(np.ceil(t / 10)))
        ax.set_yticks(np.arange(0, t, step), labels[::step])
        ax.set_xlabel(xl)
        ax.set_ylabel(_lab("period", lang))
        ax.set_zlabel(_lab("density", lang))
        ax.view_init(elev=28, azim=-60)
    elif kind == "ridge":
        fig = _new_figure((7.0, max(3.5, 0.38 * t + 1.5)), lang)
        ax = fig.add_subplot()
        top = float(np.nanmax(dens)) or 1.0
        scale = 1.6 / top
        for i in range(t - 1, -1, -1):
            y = i + dens[i] * scale
            ax.fill_between(x, i, y, color=shades[i], alpha=0.75, lw=0, zorder=t - i)
            ax.plot(x, y, color="0.2", lw=0.7, zorder=t - i)
        step = max(1, int(np.ceil(t / 15)))
        ax.set_yticks(np.arange(0, t, step), labels[::step])
        ax.set_ylabel(_lab("period", lang))
        ax.set_xlabel(xl)
        ax.grid(axis="y", visible=False)
    else:
        fig = _new_figure((7.0, 4.2), lang)
        ax = fig.add_subplot()
        for i in range(t):
            ax.plot(x, dens[i], color=shades[i], lw=1.6, label=labels[i])
        ax.set_xlabel(xl)
        ax.set_ylabel(_lab("density", lang))
        ax.set_ylim(bottom=0)
        ax.legend(title=_lab("period", lang), ncol=1 if t <= 5 else 2)
    _title(ax, title, "kernel_title", lang)
    return _finish(fig, lang, notes, tight=kind != "surface")


@_styled
def dagum_contributions(result: Any, lang: str = "en", title: str | None = None) -> Any:
    """Shares of within-group, net between-group and transvariation Gini by period.

    Parameters
    ----------
    result : DagumResult
        From :func:`nqpf.analysis.disparity.dagum`; its ``overall`` table gives
        ``within_share``, ``net_between_share``, ``transvariation_share`` (summing to 1) and
        ``gini``.
    lang : {"en", "zh"}

    Returns
    -------
    matplotlib.figure.Figure
        Stacked bars of the three shares in percent (Dagum 1997), the overall Gini as a line on
        the right axis.
    """
    lang, notes = _start(lang)
    ov = getattr(result, "overall", None)
    cols = ("period", "gini", "within_share", "net_between_share", "transvariation_share")
    if not isinstance(ov, pd.DataFrame) or any(c not in ov.columns for c in cols):
        raise DataError("dagum_contributions: expected a DagumResult of nqpf.analysis.disparity")
    if ov.empty:
        raise DataError("dagum_contributions: the result has no periods")
    ov = ov.sort_values("period")
    periods = ov["period"].tolist()
    x = np.arange(len(periods))
    fig = _new_figure((7.0, 4.2), lang)
    ax = fig.add_subplot()
    bottom = np.zeros(len(x))
    colors = {"within": "#0072B2", "net_between": "#E69F00", "transvariation": "#009E73"}
    for key in ("within", "net_between", "transvariation"):
        v = 100 * ov[f"{key}_share"].to_numpy(dtype=float)
        ax.bar(x, v, bottom=bottom, width=0.7, color=colors[key], label=_lab(key, lang))
        bottom += np.nan_to_num(v)
    ax.set_ylim(0, 100)
    ax.set_ylabel(_lab("share", lang))
    ax.set_xlabel(_lab("period", lang))
    _period_axis(ax, periods)
    ax.set_xlim(-0.6, len(periods) - 0.4)
    ax.grid(axis="x", visible=False)
    ax2 = ax.twinx()
    g = ov["gini"].to_numpy(dtype=float)
    ax2.plot(x, g, color="black", marker="o", ms=3.5, lw=1.4, label=_lab("gini", lang))
    hi = float(np.nanmax(g)) if np.isfinite(g).any() else 1.0
    ax2.set_ylim(0, hi * 1.25 if hi > 0 else 1)
    ax2.set_ylabel(_lab("gini_axis", lang))
    ax2.grid(False)
    ax2.spines["right"].set_visible(True)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=4)
    _title(ax, title, "dagum_title", lang)
    return _finish(fig, lang, notes)


# ----------------------------------------------------------------------------- spatial


def _pick(periods: Sequence[Any], period: Any, what: str) -> Any:
    if not periods:
        raise DataError(f"{what}: the result has no periods")
    if period is None:
        return periods[-1]
    for p in periods:
        if p == period or str(p) == str(period):
            return p
    raise DataError(f"{what}: period {period!r} not in the result; periods: {list(periods)}")


@_styled
def moran_scatter(
    result: Any,
    lang: str = "en",
    period: Any = None,
    title: str | None = None,
    *,
    label_units: bool = True,
) -> Any:
    """Moran scatter plot: standardised value z against its spatial lag Wz.

    Parameters
    ----------
    result : LisaResult or MoranResult
        From :mod:`nqpf.analysis.spatial`; uses its ``scatter`` frames (``unit, std_value,
        std_lag``). With a LISA result the points are coloured by cluster.
    period : optional
        Default the last period.
    label_units : bool
        Write unit names next to the points.

    Returns
    -------
    matplotlib.figure.Figure
        Axes through the origin divide the four quadrants (HH upper right, LH upper left, LL
        lower left, HL lower right); the line has the slope z'Wz / z'z, which equals Moran's
        I under row-standardised weights (Anselin 1996).
    """
    lang, notes = _start(lang)
    scatter = getattr(result, "scatter", None)
    if not isinstance(scatter, Mapping):
        raise DataError("moran_scatter: expected a LisaResult or MoranResult of nqpf.analysis")
    p = _pick(list(scatter), period, "moran_scatter")
    sc = scatter[p]
    z = sc["std_value"].to_numpy(dtype=float)
    lag = sc["std_lag"].to_numpy(dtype=float)
    units = [str(u) for u in sc["unit"]]
    slope = float(z @ lag / (z @ z))
    colors: Any = "#0072B2"
    clusters: list[str] = []
    tab = getattr(result, "table", None)
    if isinstance(tab, pd.DataFrame) and "cluster" in tab.columns:
        sub = tab[tab["period"] == p].set_index("unit")
        clusters = [str(sub["cluster"].get(u, "not significant")) for u in units]
        colors = [_CLUSTER_COLORS.get(c, "#d9d9d9") for c in clusters]
    fig = _new_figure((6.0, 5.4), lang)
    ax = fig.add_subplot()
    ax.axhline(0, color="0.45", lw=0.8)
    ax.axvline(0, color="0.45", lw=0.8)
    ax.scatter(z, lag, s=28, c=colors, edgecolors="0.3", linewidths=0.4, zorder=3)
    lim = float(np.nanmax(np.abs(np.r_[z, lag]))) * 1.15 or 1.0
    xs = np.array([-lim, lim])
    ax.plot(xs, slope * xs, color="#D55E00", lw=1.4, label=f"{_lab('slope', lang)} = {slope:.3f}")
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    for q, (hx, hy, ha, va) in {
        "HH": (0.98, 0.98, "right", "top"),
        "LH": (0.02, 0.98, "left", "top"),
        "LL": (0.02, 0.02, "left", "bottom"),
        "HL": (0.98, 0.02, "right", "bottom"),
    }.items():
        ax.text(
            hx, hy, _lab(q, lang), transform=ax.transAxes, ha=ha, va=va, fontsize=8,
            color="0.35",
        )  # fmt: skip
    if label_units:
        # label the points a reader looks for (the farthest from the centre, significant
        # clusters first), not the crowd at the centre
        far = np.hypot(z, lag)
        sig = np.array([c in ("HH", "LL", "HL", "LH") for c in clusters]) if clusters \
            else np.zeros(len(units), dtype=bool)
        order = np.lexsort((-far, ~sig))
        chosen = [i for i in order if far[i] > 0.5][:12]
        for i in chosen:
            ax.annotate(
                _label(units[i], lang), (z[i], lag[i]),
                xytext=(4 if z[i] >= 0 else -4, 3), textcoords="offset points",
                ha="left" if z[i] >= 0 else "right", fontsize=7, color="0.2",
            )  # fmt: skip
    if clusters:
        from matplotlib.lines import Line2D

        present = [c for c in ("HH", "LH", "LL", "HL", "not significant") if c in clusters]
        handles = [
            Line2D([], [], ls="", marker="o", color=_CLUSTER_COLORS[c], mec="0.3", mew=0.4,
                   label=_lab(c, lang))
            for c in present
        ]  # fmt: skip
        line = ax.get_legend_handles_labels()
        ax.legend(handles + line[0], [h.get_label() for h in handles] + line[1], loc="best")
    else:
        ax.legend(loc="best")
    ax.set_xlabel(_lab("z", lang))
    ax.set_ylabel(_lab("lag", lang))
    default = (
        f"{_lab('moran_title', lang)}（{_period_text(p)}）"
        if lang == "zh"
        else (f"{_lab('moran_title', lang)}, {_period_text(p)}")
    )
    ax.set_title(title if title is not None else default)
    return _finish(fig, lang, notes)


def _check_geometry(geometry: Any, what: str) -> Geometry:
    if not isinstance(geometry, Geometry):
        raise DataError(
            f"{what}: expected a Geometry of nqpf.report.maps (world_countries() or "
            "china_provinces())"
        )
    return geometry


def _source_note(geometry: Geometry, lang: str) -> str:
    src = geometry.source.split("; built by")[0]  # how the file was made is not the source
    return f"地图来源：{src}" if lang == "zh" else f"Map: {src}"


def _missing_note(missing: Sequence[str], lang: str) -> str:
    names = ", ".join(missing[:12]) + (" …" if len(missing) > 12 else "")
    if lang == "zh":
        return f"{len(missing)} 个单位没有地图边界，未画出：{names}"
    return f"{len(missing)} units have no boundary in the map and are not drawn: {names}"


@_styled
def lisa_map(
    result: Any,
    geometry: Geometry,
    lang: str = "en",
    period: Any = None,
    title: str | None = None,
) -> Any:
    """Map of LISA clusters (HH, LL, HL, LH, not significant) of one period.

    Parameters
    ----------
    result : LisaResult
        From :func:`nqpf.analysis.spatial.lisa` (its ``table`` columns period, unit, cluster).
    geometry : Geometry
        Boundaries keyed by the same unit ids.
    period : optional
        Default the last period.

    Returns
    -------
    matplotlib.figure.Figure
        Units of the map without a result are grey (no data); units of the result without a
        boundary are listed in ``fig.missing`` and in a note.
    """
    from matplotlib.patches import Patch

    lang, notes = _start(lang)
    geometry = _check_geometry(geometry, "lisa_map")
    tab = getattr(result, "table", None)
    if not isinstance(tab, pd.DataFrame) or "cluster" not in tab.columns:
        raise DataError("lisa_map: expected a LisaResult of nqpf.analysis.spatial")
    periods = list(dict.fromkeys(tab["period"].tolist()))
    p = _pick(periods, period, "lisa_map")
    sub = tab[tab["period"] == p]
    clusters = {str(u): str(c) for u, c in zip(sub["unit"], sub["cluster"], strict=True)}
    missing = sorted(u for u in clusters if u not in geometry)
    colors = {u: _CLUSTER_COLORS.get(c, "#d9d9d9") for u, c in clusters.items()}
    fig = _new_figure(_map_size(geometry), lang)
    ax = fig.add_subplot()
    draw_units(ax, geometry, colors, missing_color="white", hatch_missing=True, lang=lang)
    present = [c for c in ("HH", "LL", "LH", "HL", "not significant") if c in clusters.values()]
    handles = [Patch(facecolor=_CLUSTER_COLORS[c], edgecolor="0.5", label=_lab(c, lang))
               for c in present]  # fmt: skip
    if any(u not in clusters for u in geometry.shapes):
        handles.append(Patch(facecolor="white", edgecolor="0.6", hatch="////",
                             label=_lab("no_data", lang)))  # fmt: skip
    ax.legend(handles=handles, loc="lower left", fontsize=8)
    default = (
        f"{_lab('lisa_title', lang)}（{_period_text(p)}）"
        if lang == "zh"
        else (f"{_lab('lisa_title', lang)}, {_period_text(p)}")
    )
    ax.set_title(title if title is not None else default)
    if missing:
        notes.append(_missing_note(missing, lang))
    notes.append(_source_note(geometry, lang))
    return _finish(fig, lang, notes, missing)


def _map_size(geometry: Geometry) -> tuple[float, float]:
    return (9.0, 4.8) if geometry.kind == "country" else (7.0, 5.6)


@_styled
def choropleth(
    values: pd.Series | Mapping[str, float],
    geometry: Geometry,
    lang: str = "en",
    title: str | None = None,
    cmap: str = "YlGnBu",
    *,
    label: str | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    classes: Any = "quantiles",
    k: int = 5,
) -> Any:
    """Map of one value per unit, in classes with a legend that states the classification.

    Parameters
    ----------
    values : Series or mapping
        Indexed by unit id (``CN-BJ``, ``DEU``); NaN values count as no data.
    geometry : Geometry
    cmap : str
        A sequential matplotlib colour map.
    label : str, optional
        Colour bar label (default "Score"/"得分").
    vmin, vmax : float, optional
        Limits of the colour scale (default the range of the values drawn).
    classes : {"quantiles", "jenks", "continuous"} or sequence of float
        Quantile classes (default), natural breaks (:mod:`nqpf.report.classify`), the
        band limits given (an assessment's grade bands), or a continuous colour scale
        with a colour bar (on request only).
    k : int
        Number of classes for quantiles and natural breaks.

    Returns
    -------
    matplotlib.figure.Figure
        Units of the map without a value are grey; codes of ``values`` without a boundary are
        listed in ``fig.missing`` and in a note, never dropped silently.
    """
    from matplotlib import colormaps
    from matplotlib.colors import Normalize

    lang, notes = _start(lang)
    geometry = _check_geometry(geometry, "choropleth")
    if isinstance(values, Mapping):
        values = pd.Series(dict(values), dtype=float)
    if not isinstance(values, pd.Series) or values.empty:
        raise DataError("choropleth: no values; give a Series indexed by unit id")
    if cmap not in colormaps:
        raise DataError(f"choropleth: unknown colour map {cmap!r}")
    v = pd.to_numeric(values, errors="coerce").astype(float)
    v.index = [str(i) for i in values.index]
    if v.index.duplicated().any():
        raise DataError(f"choropleth: unit {v.index[v.index.duplicated()][0]!r} appears twice")
    v = v[np.isfinite(v.to_numpy())]
    if v.empty:
        raise DataError("choropleth: every value is missing")
    missing = sorted(u for u in v.index if u not in geometry)
    drawn = v[[u in geometry for u in v.index]]
    if drawn.empty:
        raise DataError(
            f"choropleth: none of the units {list(v.index[:10])} has a boundary in the map "
            f"({geometry.kind} map, e.g. {list(geometry.units[:5])})"
        )
    lo = float(drawn.min()) if vmin is None else vmin
    hi = float(drawn.max()) if vmax is None else vmax
    if hi <= lo:
        hi = lo + 1.0
    cm = colormaps[cmap]
    fig = _new_figure(_map_size(geometry), lang)
    ax = fig.add_subplot()
    if isinstance(classes, str) and classes == "continuous":
        norm = Normalize(lo, hi)
        colors = {u: cm(norm(x)) for u, x in drawn.items()}
        draw_units(ax, geometry, colors, missing_color="#e0e0e0", lang=lang)
        from matplotlib.cm import ScalarMappable

        sm = ScalarMappable(norm=norm, cmap=cm)
        cb = fig.colorbar(sm, ax=ax, fraction=0.035, pad=0.02, shrink=0.8)
        cb.set_label(label or _lab("score", lang))
    else:
        from matplotlib.patches import Patch

        from .classify import breaks, class_of, method_label, range_labels

        bounds = breaks(drawn.to_numpy(), classes, k)
        n = len(bounds)
        shades = [cm(0.15 + 0.8 * j / max(n - 1, 1)) for j in range(n)]
        colors = {u: shades[class_of(x, bounds)] for u, x in drawn.items()}
        draw_units(ax, geometry, colors, missing_color="#e0e0e0", lang=lang)
        counts = np.bincount([class_of(x, bounds) for x in drawn], minlength=n)
        labels = [f"{r} ({c})" for r, c in zip(range_labels(bounds, float(drawn.min())),
                                                 counts, strict=True)]
        handles = [Patch(facecolor=c, edgecolor="0.5", linewidth=0.4, label=t)
                   for c, t in zip(shades, labels, strict=True)]
        if any(u not in colors for u in geometry.shapes):
            handles.append(Patch(facecolor="#e0e0e0", edgecolor="0.5", linewidth=0.4,
                                 label="无数据" if lang == "zh" else "no data"))
        head = label or _lab("score", lang)
        ax.legend(handles=handles, loc="lower left", fontsize=7.5,
                  title=f"{head}\n({method_label(classes, n, lang)})", title_fontsize=7.5,
                  frameon=False, bbox_to_anchor=(0.0, 0.0))
    _title(ax, title, "choropleth_title", lang)
    if missing:
        notes.append(_missing_note(missing, lang))
    notes.append(_source_note(geometry, lang))
    return _finish(fig, lang, notes, missing)


# ----------------------------------------------------------------------------- efficiency


@_styled
def efficiency_trend(
    frame: pd.DataFrame,
    groups: Mapping[str, str] | None = None,
    lang: str = "en",
    title: str | None = None,
    *,
    kind: str = "level",
    value: str | None = None,
    ylabel: str | None = None,
) -> Any:
    """Mean efficiency, or the cumulative productivity index, by period (and by group).

    Parameters
    ----------
    frame : DataFrame
        Columns ``unit``, ``period`` and ``value`` (or ``score``, ``efficiency``, ``index``,
        or the column ``value=``).
    groups : mapping, optional
        Unit -> group label; every unit needs one.
    kind : {"level", "cumulative"}
        ``level``: arithmetic mean of the values by period (efficiency scores). ``cumulative``:
        the values are chained productivity indices (Malmquist, Malmquist-Luenberger: period
        t against t−1); each period's geometric mean over units (the aggregation of Färe et
        al. 1994) is cumulated by product from 1 in the base period: the ``period_from`` of
        the first period where the table has that column (as the productivity tables of
        :mod:`nqpf.efficiency.dea` do), else the year before the first one.

    Returns
    -------
    matplotlib.figure.Figure
    """
    lang, notes = _start(lang)
    if kind not in ("level", "cumulative"):
        raise DataError(f"efficiency_trend: unknown kind {kind!r}; use 'level' or 'cumulative'")
    df, _ = _long_frame(
        frame, value, "efficiency_trend", ("value", "score", "efficiency", "index", "tfp")
    )
    if kind == "cumulative" and (df["value"] <= 0).any():
        bad = df[df["value"] <= 0].iloc[0]
        raise DataError(
            f"efficiency_trend: index of {bad['unit']!r} in {bad['period']!r} is "
            f"{bad['value']}; a productivity index must be positive"
        )
    periods = sorted(df["period"].unique())

    def series(sub: pd.DataFrame) -> pd.Series:
        if kind == "level":
            return sub.groupby("period")["value"].mean().reindex(periods)
        gm = np.exp(np.log(sub["value"]).groupby(sub["period"]).mean()).reindex(periods)
        return gm.fillna(1.0).cumprod()

    xs = np.arange(len(periods))
    if kind == "cumulative":
        xs = xs + 1  # position 0 is the base period at 1
    fig = _new_figure((7.0, 4.2), lang)
    ax = fig.add_subplot()
    lines: list[tuple[str, pd.Series, dict]] = []
    if groups is not None:
        gmap = {str(k): str(v) for k, v in dict(groups).items()}
        lost = sorted(set(df["unit"]) - set(gmap))
        if lost:
            raise DataError(
                f"efficiency_trend: units {lost[:10]} have no group; add them to the grouping"
            )
        df = df.assign(group=df["unit"].map(gmap))
        for g in dict.fromkeys(gmap[u] for u in gmap if u in set(df["unit"])):
            lines.append((g, series(df[df["group"] == g]), {"marker": "o", "ms": 3.5}))
    lines.append((_lab("all_units", lang), series(df), {"color": "black", "ls": "--", "lw": 1.5}))
    for name, s, kw in lines:
        y = s.to_numpy(dtype=float)
        if kind == "cumulative":
            ax.plot(np.r_[0, xs], np.r_[1.0, y], label=name, **kw)
        else:
            ax.plot(xs, y, label=name, **kw)
    if kind == "cumulative":
        ax.axhline(1.0, color="0.6", lw=0.8)
        base = _base_label(periods, frame)
        shown = [base, *[_period_text(p) for p in periods]]
        step = max(1, int(np.ceil(len(shown) / 12)))
        ax.set_xticks(np.arange(len(shown))[::step], shown[::step])
    else:
        _period_axis(ax, periods)
    ax.set_xlabel(_lab("period", lang))
    ax.set_ylabel(ylabel or _lab("efficiency" if kind == "level" else "cumulative", lang))
    _title(ax, title, "efficiency_title" if kind == "level" else "cum_title", lang)
    ax.margins(y=0.08)  # room above the highest line and below the lowest
    _legend_outside(ax)
    return _finish(fig, lang, notes)


@_styled
def rank_intervals(
    ranks: pd.DataFrame,
    lang: str = "en",
    title: str | None = None,
    *,
    top: int = 40,
) -> Any:
    """Rank intervals (5–95 % of the replications), median and base rank of each unit.

    Parameters
    ----------
    ranks : DataFrame
        One period of a robustness analysis' ranks: ``unit, base_rank, median_rank, p05,
        p95`` (:attr:`nqpf.robustness.uncertainty.RobustnessResult.ranks`).
    top : int
        The units with the best base ranks shown (all when fewer).
    """
    lang, notes = _start(lang)
    need = {"unit", "base_rank", "median_rank", "p05", "p95"}
    if not isinstance(ranks, pd.DataFrame) or not need <= set(ranks.columns):
        raise DataError(f"rank_intervals: needs columns {sorted(need)}")
    d = ranks.sort_values(["base_rank", "unit"]).head(top)
    n = len(d)
    fig = _new_figure((7.0, max(3.0, 0.2 * n + 1.2)), lang)
    ax = fig.add_subplot()
    y = np.arange(n)
    ax.hlines(y, d["p05"], d["p95"], color="0.65", lw=3, label=_lab("rank_interval", lang))
    ax.plot(d["median_rank"], y, "o", color="#0072B2", ms=4, label=_lab("median_rank", lang))
    ax.plot(d["base_rank"], y, "x", color="#D55E00", ms=5, label=_lab("base_rank", lang))
    ax.set_yticks(y, [_label(u, lang) for u in d["unit"]], fontsize=7)
    ax.set_ylim(n - 0.4, -0.6)
    ax.set_xlabel(_lab("rank", lang))
    _title(ax, title, "rank_title", lang)
    _legend_outside(ax)
    return _finish(fig, lang, notes)


def _base_label(periods: Sequence[Any], frame: pd.DataFrame) -> str:
    first = periods[0]
    if "period_from" in frame.columns:  # productivity tables of nqpf.efficiency.dea
        start = frame.loc[frame["period"] == first, "period_from"]
        if len(start):
            return _period_text(start.iloc[0])
    if isinstance(first, int | np.integer):
        return str(int(first) - 1)
    text = _period_text(first)
    m = re.fullmatch(r"(\d{4})\D+(\d{4})", text)  # "2019-2020": base is 2019
    return m.group(1) if m else "base"
