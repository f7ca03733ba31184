"""Figures of the study report: data drawn, labels in both languages, saving and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from nqpf.analysis.disparity import dagum
from nqpf.analysis.dynamics import kernel_density as kde
from nqpf.analysis.spatial import lisa
from nqpf.datasets.reference import province_groups
from nqpf.errors import DataError
from nqpf.report import figures as F
from nqpf.report.fonts import cjk_font

DPI = 40
UNITS = ["CN-SH", "CN-JS", "CN-ZJ", "CN-GD", "CN-HB", "CN-HN", "CN-SC", "CN-GZ", "CN-YN"]
needs_cjk = pytest.mark.skipif(cjk_font() is None, reason="no CJK font on this machine")


@pytest.fixture(scope="module")
def scores() -> pd.DataFrame:
    # score = base + 0.02 * (year - 2019) + a small unit-specific wiggle: East high, West low.
    base = {"CN-SH": 0.80, "CN-JS": 0.70, "CN-ZJ": 0.65, "CN-GD": 0.75, "CN-HB": 0.45,
            "CN-HN": 0.40, "CN-SC": 0.42, "CN-GZ": 0.25, "CN-YN": 0.22}  # fmt: skip
    rows = []
    for i, u in enumerate(UNITS):
        for t in range(4):
            wiggle = 0.01 * ((i * 7 + t * 3) % 5 - 2)
            rows.append({"unit": u, "period": 2019 + t, "score": base[u] + 0.02 * t + wiggle})
    return pd.DataFrame(rows)


def texts(fig) -> list[str]:
    fig.canvas.draw()
    return [t.get_text() for t in fig.findobj(Text)]


def check_saved(fig, tmp_path, name, size_in):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing CJK glyph warns: fail on it
        paths = F.save_figure(fig, tmp_path, name, dpi=DPI)
    assert set(paths) == {"png", "svg"}
    png = paths["png"].read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    w = int.from_bytes(png[16:20], "big")
    h = int.from_bytes(png[20:24], "big")
    assert abs(w - size_in[0] * DPI) <= 1 and abs(h - size_in[1] * DPI) <= 1
    svg = paths["svg"].read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    return paths


# ----------------------------------------------------------------------------- trends


@needs_cjk
def test_trend_by_group_draws_hand_means_with_chinese_labels(scores, tmp_path):
    groups = province_groups("region4", "zh")
    fig = F.trend_by_group(scores, groups, lang="zh")
    size = tuple(fig.get_size_inches())
    ax = fig.axes[0]
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    assert set(lines) == {"东部", "中部", "西部", "全部（均值）"}
    east = scores[scores["unit"].isin(["CN-SH", "CN-JS", "CN-ZJ", "CN-GD"])]
    want = east.groupby("period")["score"].mean().to_numpy()
    np.testing.assert_allclose(lines["东部"].get_ydata(), want)
    # 2019, West: SC 0.42 + 0.01 * ((6 * 7) % 5 - 2) = 0.42, GZ 0.25 + 0.01 * (49 % 5 - 2)
    # = 0.27, YN 0.22 + 0.01 * (56 % 5 - 2) = 0.21
    np.testing.assert_allclose(lines["西部"].get_ydata()[0], (0.42 + 0.27 + 0.21) / 3)
    assert lines["全部（均值）"].get_linestyle() == "--"
    t = texts(fig)
    assert "年份" in t and "分组均值变化趋势" in t
    assert fig.nqpf_lang == "zh" and fig.missing == []
    check_saved(fig, tmp_path, "trend", size)


def test_trend_by_group_english_and_errors(scores):
    fig = F.trend_by_group(scores, province_groups("region4", "en"), lang="en", title="T")
    assert "Eastern" in texts(fig) and "T" in texts(fig)
    with pytest.raises(DataError, match="no group"):
        F.trend_by_group(scores, {"CN-SH": "East"}, lang="en")
    with pytest.raises(DataError, match="empty"):
        F.trend_by_group(scores.iloc[:0], None)
    with pytest.raises(DataError, match="column 'period'"):
        F.trend_by_group(scores.drop(columns="period"), None)
    with pytest.raises(DataError, match="language"):
        F.trend_by_group(scores, None, lang="fr")
    with pytest.raises(DataError, match="twice"):
        F.trend_by_group(pd.concat([scores, scores.iloc[:1]]), None)


@needs_cjk
def test_bump_chart_ranks_and_end_labels(scores, tmp_path):
    fig = F.bump_chart(scores, lang="zh")
    size = tuple(fig.get_size_inches())
    ax = fig.axes[0]
    last = scores[scores["period"] == 2022].sort_values("score", ascending=False)
    # rank 1 in 2022 is Shanghai (0.80 + 0.06 + 0.01*((0+9)%5-2) = 0.88)
    assert last["unit"].iloc[0] == "CN-SH"
    first_line = ax.get_lines()[0]
    assert first_line.get_ydata()[-1] == 1
    assert ax.get_ylim()[0] > ax.get_ylim()[1]  # rank 1 at the top
    t = texts(fig)
    assert t.count("上海") == 2 and t.count("云南") == 2
    check_saved(fig, tmp_path, "bump", size)


def test_bump_chart_top_and_rank_column(scores):
    fig = F.bump_chart(scores, lang="en", top=3)
    assert len(fig.axes[0].get_lines()) == 3
    assert any("6 units not drawn" in n for n in fig.nqpf_notes)
    ranks = pd.DataFrame({"unit": ["CHN", "USA", "CHN", "USA"], "period": [1, 1, 2, 2],
                          "rank": [2, 1, 1, 2]})  # fmt: skip
    fig = F.bump_chart(ranks, lang="en")
    ys = {ln.get_ydata()[-1] for ln in fig.axes[0].get_lines()}
    assert ys == {1, 2}
    assert "China" in texts(fig) and "United States" in texts(fig)
    with pytest.raises(DataError, match="top"):
        F.bump_chart(scores, top=0)


# ----------------------------------------------------------------------------- profiles


@needs_cjk
def test_radar_rescales_and_labels(tmp_path):
    prof = pd.DataFrame(
        {"劳动者": [10.0, 20.0, 30.0], "劳动资料": [1.0, 3.0, 2.0], "劳动对象": [5.0, 5.0, 6.0]},
        index=["CN-BJ", "CN-SH", "CN-GD"],
    )
    fig = F.radar(prof, lang="zh")
    size = tuple(fig.get_size_inches())
    ax = fig.axes[0]
    lines = {ln.get_label(): ln.get_ydata() for ln in ax.get_lines()}
    # min-max per dimension: Beijing (0, 0, 0); Shanghai (0.5, 1, 0); Guangdong (1, 0.5, 1)
    np.testing.assert_allclose(lines["上海"], [0.5, 1.0, 0.0, 0.5])
    np.testing.assert_allclose(lines["广东"], [1.0, 0.5, 1.0, 1.0])
    assert any("缩放" in n for n in fig.nqpf_notes)
    assert {"劳动者", "劳动资料", "劳动对象"} <= set(texts(fig))
    check_saved(fig, tmp_path, "radar", size)


def test_radar_selection_and_errors():
    prof = pd.DataFrame(np.linspace(0, 1, 24).reshape(8, 3), columns=["a", "b", "c"],
                        index=UNITS[:8])  # fmt: skip
    fig = F.radar(prof, lang="en", max_units=2)
    labels = [ln.get_label() for ln in fig.axes[0].get_lines()]
    assert labels == ["Guizhou", "Sichuan"]  # the two highest means: the last two rows
    assert fig.nqpf_notes == []  # already in [0, 1]: no rescaling
    with pytest.raises(DataError, match="at most"):
        F.radar(prof, units=UNITS[:7], max_units=6)
    with pytest.raises(DataError, match="not in the profile"):
        F.radar(prof, units=["CN-XX"])
    with pytest.raises(DataError, match="3 dimensions"):
        F.radar(prof[["a", "b"]])


@needs_cjk
def test_heatmap_annotates_small_tables(scores, tmp_path):
    table = scores.pivot(index="unit", columns="period", values="score")
    fig = F.heatmap(table, lang="zh")
    size = tuple(fig.get_size_inches())
    t = texts(fig)
    assert "贵州" in t and "2022" in t
    assert f"{table.loc['CN-SH', 2019]:.2f}" in t
    cells = [x for x in t if x.count(".") == 1 and x.replace(".", "").isdigit()]
    assert len(cells) >= table.size
    check_saved(fig, tmp_path, "heat", size)
    big = F.heatmap(pd.DataFrame(np.ones((31, 10))), annotate=None, label_units=False)
    assert len([x for x in texts(big) if x == "1.00"]) == 0
    with pytest.raises(DataError, match="empty"):
        F.heatmap(pd.DataFrame())
    with pytest.raises(DataError, match="colour map"):
        F.heatmap(table, cmap="nope")


# ----------------------------------------------------------------------------- dynamics


def test_kernel_density_reuses_the_estimate(scores, tmp_path):
    res = kde(scores.rename(columns={"score": "value"}), grid=64)
    fig = F.kernel_density(res, lang="en")
    size = tuple(fig.get_size_inches())
    lines = fig.axes[0].get_lines()
    assert [ln.get_label() for ln in lines] == ["2019", "2020", "2021", "2022"]
    np.testing.assert_allclose(lines[2].get_ydata(), res.density[2])
    np.testing.assert_allclose(lines[0].get_xdata(), res.x)
    check_saved(fig, tmp_path, "kde", size)
    surf = F.kernel_density(res, lang="en", kind="surface")
    assert surf.axes[0].name == "3d"
    ridge = F.kernel_density(res, lang="en", kind="ridge")
    assert len(ridge.axes[0].collections) == 4
    with pytest.raises(DataError, match="KernelResult"):
        F.kernel_density(scores)
    with pytest.raises(DataError, match="kind"):
        F.kernel_density(res, kind="bars")


@needs_cjk
def test_dagum_contributions_bars_are_the_shares(scores, tmp_path):
    res = dagum(scores.rename(columns={"score": "value"}), province_groups("region4", "code"))
    fig = F.dagum_contributions(res, lang="zh")
    size = tuple(fig.get_size_inches())
    ax = fig.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == 3 * 4
    heights = np.array([b.get_height() for b in bars]).reshape(3, 4)
    np.testing.assert_allclose(heights[0], 100 * res.overall["within_share"].to_numpy())
    np.testing.assert_allclose(heights.sum(axis=0), 100.0)
    gini = fig.axes[1].get_lines()[0].get_ydata()
    np.testing.assert_allclose(gini, res.overall["gini"].to_numpy())
    assert {"区域内", "区域间", "超变密度"} <= set(texts(fig))
    check_saved(fig, tmp_path, "dagum", size)
    with pytest.raises(DataError, match="DagumResult"):
        F.dagum_contributions(scores)


# ----------------------------------------------------------------------------- spatial


@pytest.fixture(scope="module")
def lisa_result():
    # A west-east gradient over all 31 provinces: the east forms a High-High cluster.
    from nqpf.analysis.spatial import province_centroids

    cen = province_centroids()
    rows = [{"unit": u, "period": 2022, "value": float(lon)}
            for u, lon in zip(cen["iso"], cen["lon"], strict=True)]  # fmt: skip
    return lisa(pd.DataFrame(rows), permutations=99, seed=1)


@needs_cjk
def test_moran_scatter_slope_and_clusters(lisa_result, tmp_path):
    fig = F.moran_scatter(lisa_result, lang="zh")
    size = tuple(fig.get_size_inches())
    sc = lisa_result.scatter[2022]
    z, lag = sc["std_value"].to_numpy(), sc["std_lag"].to_numpy()
    slope = z @ lag / (z @ z)
    line = [ln for ln in fig.axes[0].get_lines() if ln.get_label().startswith("莫兰")][0]
    x, y = line.get_xdata(), line.get_ydata()
    np.testing.assert_allclose((y[1] - y[0]) / (x[1] - x[0]), slope)
    assert slope > 0.5  # a smooth gradient is strongly autocorrelated
    t = texts(fig)
    # the extreme points are labelled (west and east ends of the gradient), the crowd at the
    # centre is not: at most 12 unit labels
    assert "高-高" in t and "黑龙江" in t and "新疆" in t
    names = set(lisa_result.scatter[2022]["unit"].map(lambda u: F._label(u, "zh")))
    assert 0 < len([x for x in t if x in names]) <= 12
    check_saved(fig, tmp_path, "moran", size)
    with pytest.raises(DataError, match="period"):
        F.moran_scatter(lisa_result, period=1999)
    with pytest.raises(DataError, match="LisaResult"):
        F.moran_scatter(object())


# ----------------------------------------------------------------------------- efficiency


def test_efficiency_trend_cumulative_geometric_chain(tmp_path):
    df = pd.DataFrame({"unit": ["A", "B"] * 2, "period": [2020, 2020, 2021, 2021],
                       "period_from": [2019, 2019, 2020, 2020],
                       "value": [1.1, 0.9, 1.2, 1.05]})  # fmt: skip
    fig = F.efficiency_trend(df, lang="en", kind="cumulative")
    size = tuple(fig.get_size_inches())
    line = [ln for ln in fig.axes[0].get_lines() if ln.get_label() == "All units"][0]
    g1, g2 = np.sqrt(1.1 * 0.9), np.sqrt(1.2 * 1.05)
    np.testing.assert_allclose(line.get_ydata(), [1.0, g1, g1 * g2])
    assert "2019" in texts(fig)
    check_saved(fig, tmp_path, "tfp", size)
    lev = F.efficiency_trend(df, {"A": "g1", "B": "g2"}, lang="en")
    lines = {ln.get_label(): ln.get_ydata() for ln in lev.axes[0].get_lines()}
    np.testing.assert_allclose(lines["All units"], [1.0, 1.125])
    np.testing.assert_allclose(lines["g2"], [0.9, 1.05])
    bad = df.assign(value=[1.0, 0.0, 1.0, 1.0])
    with pytest.raises(DataError, match="positive"):
        F.efficiency_trend(bad, kind="cumulative")
    with pytest.raises(DataError, match="kind"):
        F.efficiency_trend(df, kind="x")


# ----------------------------------------------------------------------------- saving


def test_save_figure_never_overwrites_and_checks_names(scores, tmp_path):
    fig = F.trend_by_group(scores, None, lang="en")
    paths = F.save_figure(fig, tmp_path / "figs", "trend", formats=("png",), dpi=DPI)
    before = paths["png"].read_bytes()
    fig2 = F.trend_by_group(scores, None, lang="en")
    with pytest.raises(DataError, match="overwrite=True"):
        F.save_figure(fig2, tmp_path / "figs", "trend", formats=("svg", "png"))
    assert not (tmp_path / "figs" / "trend.svg").exists()  # nothing written on refusal
    again = F.save_figure(fig2, tmp_path / "figs", "trend", formats=("png",), overwrite=True,
                          dpi=DPI)  # fmt: skip
    assert again["png"].read_bytes() == before  # reproducible bytes
    fig3 = F.trend_by_group(scores, None, lang="en")
    with pytest.raises(DataError, match="file stem"):
        F.save_figure(fig3, tmp_path, "../x")
    with pytest.raises(DataError, match="format"):
        F.save_figure(fig3, tmp_path, "x", formats=("bmp",))


def test_no_cjk_font_falls_back_to_english(scores, monkeypatch):
    monkeypatch.setattr(F, "effective_lang", lambda lang: "en")
    monkeypatch.setattr(F, "font_note", lambda lang: "no font")
    fig = F.trend_by_group(scores, province_groups("region4", "en"), lang="zh")
    assert fig.nqpf_lang == "en" and fig.nqpf_notes == ["no font"]
    assert "Year" in texts(fig)
