"""CJK fonts and the figure style of nqpf reports.

Chinese labels need a font with CJK glyphs; matplotlib's default (DejaVu Sans) has none and
draws empty boxes ("tofu") with a ``Glyph ... missing from font`` warning. :func:`cjk_font`
finds one, in this order:

1. a font matplotlib already knows (its font cache) among :data:`CJK_FAMILIES`, the usual
   system CJK fonts of Linux, macOS and Windows;
2. a CJK font file present on the system but missing from matplotlib's font cache (the cache is
   written once, so fonts installed later, such as Debian's ``fonts-noto-cjk``, are not in it):
   the system font directories are scanned for files of the known families, which are added to
   matplotlib's font manager in memory (the cache file is not rewritten);
3. the OFL-licensed *Noto Sans CJK SC* / *Source Han* files shipped by the PyPI package
   ``mplfonts`` (``pip install "nqpf[cjk]"``). Only these OFL files are used; the package also
   carries a SimHei file whose licence does not allow redistribution, which nqpf never loads.

When none exists :func:`can_render` is False for ``"zh"``: figures then use English labels and
:func:`font_note` tells the reader how to get Chinese ones, so no figure ever shows boxes.

:func:`figure_style` is the one place where the look of report figures is set: a context
manager over :func:`matplotlib.rc_context`, so nothing leaks into the caller's rcParams.
SVG files carry glyph outlines (``svg.fonttype = "path"``), so they show the same text on
machines without the font; PDF files embed the subset of the font as TrueType (type 42).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from ..errors import DataError

__all__ = ["CJK_FAMILIES", "can_render", "cjk_font", "figure_style", "font_note"]

#: Family names of CJK fonts tried in this order (sans-serif first: report figures use a sans).
CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "Source Han Sans",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "STHeiti",
    "SimHei",
    "Arial Unicode MS",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
)

# File names (lower case, without extension) of system font files worth adding when the
# matplotlib cache does not list them; matched as substrings.
_SYSTEM_FILE_HINTS = (
    "notosanscjk",
    "notosanssc",
    "sourcehansans",
    "wqy-zenhei",
    "wqy-microhei",
    "msyh",
    "pingfang",
    "hiragino sans gb",
    "stheiti",
    "simhei",
    "arial unicode",
    "notoserifcjk",
)

# The OFL-licensed files of mplfonts, in order of preference. SimHei.ttf is never used.
_MPLFONTS_FILES = (
    "NotoSansCJKsc-Regular.otf",
    "SourceHanSerifSC-Regular.otf",
    "NotoSerifCJKsc-Regular.otf",
)

_LANGS = ("en", "zh")


def _check_lang(lang: str) -> str:
    if lang not in _LANGS:
        raise DataError(f"unknown report language {lang!r}; use 'en' or 'zh'")
    return lang


def _known_family() -> str | None:
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for fam in CJK_FAMILIES:
        if fam in names:
            return fam
    return None


def _add_files(paths: list[str]) -> None:
    from matplotlib import font_manager

    for p in paths:
        try:
            font_manager.fontManager.addfont(p)
        except (OSError, RuntimeError, ValueError):  # unreadable or damaged font file
            continue


def _system_files() -> list[str]:
    from matplotlib import font_manager

    known = {f.fname for f in font_manager.fontManager.ttflist}
    out = []
    for p in font_manager.findSystemFonts(fontext="ttf"):
        stem = re.sub(r"[_\s]+", "", Path(p).stem.lower())
        hints = [re.sub(r"[_\s]+", "", h) for h in _SYSTEM_FILE_HINTS]
        if p not in known and any(h in stem for h in hints):
            out.append(p)
    return sorted(out)


def _mplfonts_files() -> list[str]:
    try:
        import mplfonts
    except ImportError:
        return []
    base = Path(mplfonts.__file__).resolve().parent / "fonts"
    return [str(base / n) for n in _MPLFONTS_FILES if (base / n).is_file()]


@cache
def cjk_font() -> str | None:
    """The family name of a CJK font matplotlib can use, or None.

    Searched as described in the module docstring (fonts known to matplotlib, then system font
    files missing from its cache, then the OFL Noto/Source Han files of ``mplfonts``). Font
    files found on the way are registered with :data:`matplotlib.font_manager.fontManager`
    (in memory only). The answer is cached for the process.

    Returns
    -------
    str or None
        For example ``"Noto Sans CJK SC"``; None when no CJK font is available.
    """
    fam = _known_family()
    if fam is not None:
        return fam
    _add_files(_system_files())
    fam = _known_family()
    if fam is not None:
        return fam
    _add_files(_mplfonts_files())
    return _known_family()


def can_render(lang: str) -> bool:
    """Whether figures can be labelled in ``lang`` (``"zh"`` needs a CJK font)."""
    return _check_lang(lang) == "en" or cjk_font() is not None


def font_note(lang: str) -> str | None:
    """A bilingual note for the reader when Chinese labels cannot be drawn, else None.

    Parameters
    ----------
    lang : {"en", "zh"}
        The language the figures were asked for.

    Returns
    -------
    str or None
        None when ``lang`` is ``"en"`` or a CJK font exists; otherwise a message in Chinese
        and English saying that the figures use English labels and how to install a font.
    """
    if can_render(lang):
        return None
    return (
        '未找到中文字体，图中标注改用英文。请安装 pip install "nqpf[cjk]" 或系统字体 '
        "fonts-noto-cjk 后重新运行。 / No CJK font was found, so the figures are labelled in "
        'English. Install one with pip install "nqpf[cjk]" (or the system package '
        "fonts-noto-cjk) and run again."
    )


def effective_lang(lang: str) -> str:
    """``lang``, or ``"en"`` when ``lang`` is ``"zh"`` but no CJK font exists."""
    return lang if can_render(lang) else "en"


def style_params(lang: str, dpi: float = 150) -> dict:
    """The rcParams of :func:`figure_style` as a dictionary (see there)."""
    lang = _check_lang(lang)
    sans = ["DejaVu Sans", "Arial", "Helvetica", "Liberation Sans"]
    fam = cjk_font() if lang == "zh" else None
    if fam is not None:
        sans = [fam, *sans]
    return {
        "font.family": "sans-serif",
        "font.sans-serif": sans,
        "axes.unicode_minus": False,
        "svg.fonttype": "path",
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "figure.dpi": dpi,
        "savefig.dpi": dpi,
        "savefig.facecolor": "white",
        "figure.facecolor": "white",
        "axes.facecolor": "white",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "axes.axisbelow": True,
        "grid.color": "0.88",
        "grid.linewidth": 0.6,
        "axes.edgecolor": "0.35",
        "axes.linewidth": 0.8,
        "axes.titlesize": 11,
        "axes.titleweight": "bold",
        "axes.labelsize": 9.5,
        "xtick.labelsize": 8.5,
        "ytick.labelsize": 8.5,
        "legend.fontsize": 8.5,
        "legend.frameon": False,
        "lines.linewidth": 1.6,
        "axes.prop_cycle": _cycler(),
    }


def _cycler():
    from cycler import cycler

    # Okabe & Ito (2008) colour-blind safe palette, then two neutral tones.
    return cycler(
        color=[
            "#0072B2",
            "#E69F00",
            "#009E73",
            "#D55E00",
            "#CC79A7",
            "#56B4E9",
            "#F0E442",
            "#000000",
            "#999999",
            "#8C564B",
        ]
    )


@contextmanager
def figure_style(lang: str = "en", dpi: float = 150) -> Iterator[dict]:
    """Context manager with the report style; the CJK font comes first when ``lang="zh"``.

    Sets ``font.family``/``font.sans-serif`` (the CJK font of :func:`cjk_font` first for
    Chinese), ``axes.unicode_minus = False`` (CJK fonts lack U+2212), ``svg.fonttype =
    "path"`` (SVG glyphs as outlines, never boxes), TrueType font embedding in PDF, a light
    grid without top/right spines, a colour-blind safe cycle (Okabe & Ito 2008) and
    ``dpi``. Everything is restored on exit (:func:`matplotlib.rc_context`).

    Parameters
    ----------
    lang : {"en", "zh"}
    dpi : float
        Resolution of figures and saved raster files (150 by default).

    Yields
    ------
    dict
        The rcParams applied.
    """
    import matplotlib

    params = style_params(lang, dpi)
    with matplotlib.rc_context(params):
        yield params
