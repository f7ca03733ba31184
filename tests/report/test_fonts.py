"""CJK font discovery and the report figure style."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib
import pytest
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from nqpf.errors import DataError
from nqpf.report import fonts


def test_cjk_font_is_registered_with_matplotlib():
    fam = fonts.cjk_font()
    if fam is None:
        pytest.skip("no CJK font on this machine")
    assert fam in fonts.CJK_FAMILIES
    assert fam in {f.name for f in font_manager.fontManager.ttflist}
    assert fonts.cjk_font() is fam  # cached
    assert fonts.can_render("zh") and fonts.font_note("zh") is None


def test_mplfonts_fallback_uses_only_ofl_files():
    files = [Path(p).name for p in fonts._mplfonts_files()]
    assert "SimHei.ttf" not in files
    assert all(n.startswith(("NotoSans", "NotoSerif", "SourceHan")) for n in files)


def test_figure_style_sets_and_restores_rcparams():
    before = dict(matplotlib.rcParams)
    with fonts.figure_style("zh", dpi=72) as params:
        rc = matplotlib.rcParams
        assert rc["axes.unicode_minus"] is False
        assert rc["svg.fonttype"] == "path"
        assert rc["figure.dpi"] == 72 and rc["savefig.dpi"] == 72
        if fonts.cjk_font() is not None:
            assert rc["font.sans-serif"][0] == fonts.cjk_font()
        assert params["font.family"] == ["sans-serif"] or params["font.family"] == "sans-serif"
    with fonts.figure_style("en"):
        assert matplotlib.rcParams["font.sans-serif"][0] == "DejaVu Sans"
    assert matplotlib.rcParams["font.sans-serif"] == before["font.sans-serif"]
    assert matplotlib.rcParams["svg.fonttype"] == before["svg.fonttype"]


def test_chinese_text_draws_without_missing_glyphs(tmp_path, recwarn):
    if fonts.cjk_font() is None:
        pytest.skip("no CJK font on this machine")
    with fonts.figure_style("zh", dpi=40):
        fig = Figure(figsize=(4, 3))
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.plot([2019, 2020, 2021], [-0.5, 0.2, 0.7])
        ax.set_xticks([2019, 2020, 2021], ["北京", "上海", "广东"])
        ax.set_title("新质生产力指数（−）")
        ax.set_ylabel("得分")
        fig.savefig(tmp_path / "zh.png")
        fig.savefig(tmp_path / "zh.svg")
    glyph = [w for w in recwarn if "Glyph" in str(w.message)]
    assert glyph == []
    svg = (tmp_path / "zh.svg").read_text(encoding="utf-8")
    assert "<text" not in svg  # glyphs are outlines: no boxes without the font
    assert (tmp_path / "zh.png").stat().st_size > 1000


def test_no_font_gives_a_bilingual_note(monkeypatch):
    monkeypatch.setattr(fonts, "cjk_font", lambda: None)
    assert fonts.can_render("zh") is False and fonts.can_render("en") is True
    assert fonts.effective_lang("zh") == "en"
    note = fonts.font_note("zh")
    assert 'pip install "nqpf[cjk]"' in note and "fonts-noto-cjk" in note and "中文字体" in note
    assert fonts.font_note("en") is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with fonts.figure_style("zh"):
            assert matplotlib.rcParams["font.sans-serif"][0] == "DejaVu Sans"


def test_unknown_language():
    with pytest.raises(DataError, match="'en' or 'zh'"):
        fonts.can_render("de")
    with pytest.raises(DataError), fonts.figure_style("fr"):
        pass
