"""The study report as one self-contained HTML file, in Chinese or English.

:func:`write_report` renders a :class:`~nqpf.report.model.StudyOutput` into a
single file that needs no network and no other file: the style sheet is inline,
images are embedded as ``data:`` URIs (PNG or SVG, base64), there is no
JavaScript and no web font (a system font stack with CJK fonts is named
instead). All text is HTML-escaped, since unit names, titles and notes can come
from user data.

The layout follows how a measurement study reads: a header (title, subtitle,
date, nqpf version, language), a table of contents, the sections in the order
given (paragraphs, tables, figures, notes) and a reproducibility appendix built
from the run's manifest.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as _dt
import json
import math
import os
import re
from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

from ..errors import DataError
from ..output import atomic_write
from .i18n import html_lang, normalise_lang, t
from .layout import MAX_ROWS, Layout, layout, visible_frame
from .model import FigureItem, Section, StudyOutput, TableItem
from .tables import _fmt_number, _is_missing, _kind

__all__ = ["MAX_ROWS", "render_report", "write_report"]

_NUM = ' class="num"'

_FONTS = (
    '-apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans CJK SC", "Source Han Sans SC", '
    '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "WenQuanYi Micro Hei", '
    '"Helvetica Neue", Arial, sans-serif'
)

_CSS = (
    """
:root { --ink: #1f2933; --muted: #52606d; --rule: #9aa5b1; --band: #f5f7fa;
  --accent: #1d4e89; }
* { box-sizing: border-box; }
html { font-size: 15px; }
body { font-family: FONTS; color: var(--ink); line-height: 1.6; margin: 0 auto;
  max-width: 60rem; padding: 2rem 1.5rem 3rem; background: #fff; }
html:lang(en) body { font-family: "Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans",
  "Noto Sans CJK SC", sans-serif; }
h1 { font-size: 1.9rem; line-height: 1.3; margin: 0 0 .3rem; color: var(--accent); }
h2 { font-size: 1.35rem; margin: 2.2rem 0 .8rem; padding-bottom: .25rem;
  border-bottom: 2px solid var(--accent); }
h3 { font-size: 1.1rem; margin: 1.4rem 0 .5rem; }
p { margin: .5rem 0; text-align: justify; }
a { color: var(--accent); }
.subtitle { font-size: 1.15rem; color: var(--muted); margin: 0 0 .8rem; }
header.report-header { border-bottom: 1px solid var(--rule); padding-bottom: 1rem; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem;
  margin: .5rem 0 0; font-size: .9rem; color: var(--muted); }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; }
nav.toc { margin: 1.5rem 0; padding: .8rem 1.2rem; background: var(--band);
  border-left: 4px solid var(--accent); }
nav.toc h2 { border: 0; margin: 0 0 .4rem; font-size: 1.1rem; }
nav.toc ol { margin: 0; padding-left: 0; list-style: none; }
nav.toc li { margin: .15rem 0; }
nav.toc a { text-decoration: none; }
figure { margin: 1.2rem 0 1.6rem; }
figure.table figcaption, figure.figure figcaption { font-weight: 600; margin: .3rem 0; }
figure.table figcaption { text-align: left; }
figure.figure { text-align: center; }
figure.figure img { max-width: 100%; height: auto; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: .85rem; margin: 0 auto 0 0;
  font-variant-numeric: tabular-nums; }
thead th { border-top: 2px solid var(--ink); border-bottom: 1px solid var(--ink);
  padding: .3rem .6rem; text-align: left; vertical-align: bottom; white-space: nowrap; }
tbody td { padding: .2rem .6rem; border: 0; white-space: nowrap; }
tbody td:not(.num) { white-space: normal; min-width: 4rem; max-width: 22rem; }
tbody tr:last-child td { border-bottom: 2px solid var(--ink); }
tbody tr:nth-child(even) td { background: var(--band); }
th.num, td.num { text-align: right; }
td.na { color: var(--muted); }
p.note, p.more, ul.notes { font-size: .85rem; color: var(--muted); text-align: left; }
figure.figure p.note { text-align: center; }
p.more { font-style: italic; }
section.notes { margin-top: .8rem; }
.appendix h3 { margin-top: 1.2rem; }
code, pre, td.hash { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace;
  font-size: .8rem; }
td.hash { white-space: normal; word-break: break-all; }
details pre { white-space: pre-wrap; word-break: break-word; background: var(--band);
  padding: .8rem; max-height: 40rem; overflow: auto; }
footer { margin-top: 3rem; border-top: 1px solid var(--rule); padding-top: .6rem;
  font-size: .8rem; color: var(--muted); }
@page { size: A4; margin: 18mm 15mm 18mm 15mm; }
@media print {
  html { font-size: 10.5pt; }
  body { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  nav.toc { break-after: page; background: none; }
  h2 { break-after: avoid; }
  section.report-section { break-before: page; }
  figure { break-inside: avoid; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  tbody tr:nth-child(even) td { background: none; }
  .table-wrap { overflow: visible; }
  table { font-size: 7.5pt; }
  thead th, tbody td { padding: .1rem .3rem; white-space: normal; }
  details pre { max-height: none; overflow: visible; }
}
""".replace("FONTS", _FONTS)
)

_IMAGE_TYPES = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}
_MAGIC = {
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "webp": (b"RIFF",),
}


# ====================================================================== small helpers
def _e(text: Any) -> str:
    """Escaped text; line breaks kept as ``<br>``."""
    return escape("" if text is None else str(text), quote=True).replace("\n", "<br>")


def _slug(key: str, prefix: str, taken: set[str]) -> str:
    """A unique, HTML-safe id: ``prefix-key`` with anything but ASCII word characters as ``-``."""
    base = re.sub(r"[^A-Za-z0-9_-]+", "-", str(key)).strip("-") or "item"
    ident, k = f"{prefix}-{base}", 1
    while ident in taken:
        k += 1
        ident = f"{prefix}-{base}-{k}"
    taken.add(ident)
    return ident


def _manifest_get(m: Mapping[str, Any], *keys: str) -> Any:
    """The first of ``keys`` (dotted for nesting) present and non-empty in the manifest."""
    for key in keys:
        node: Any = m
        for part in key.split("."):
            if isinstance(node, Mapping) and part in node:
                node = node[part]
            else:
                node = None
                break
        if node not in (None, "", [], {}):
            return node
    return None


def _version(m: Mapping[str, Any]) -> str:
    v = _manifest_get(
        m, "nqpf_version", "nqpf", "nqpf.version", "versions.nqpf", "packages.nqpf", "version"
    )
    if v is None or isinstance(v, Mapping):
        from .. import __version__

        v = __version__
    return str(v)


def _date(m: Mapping[str, Any], full: bool = True) -> str:
    """The run's date from the manifest (today if absent); ``full=False``: the day only."""
    v = _manifest_get(m, "date", "created", "generated", "started", "timestamp")
    if v is None:
        return _dt.date.today().isoformat()
    if not full:
        with contextlib.suppress(ValueError, TypeError):
            return _dt.datetime.fromisoformat(str(v)).date().isoformat()
    return str(v)


# ====================================================================== tables
def _table_html(item: TableItem, number: int, lang: str, ident: str,
                lay: Layout | None = None) -> str:
    df = visible_frame(item)
    digits = item.digits
    kinds = [_kind(df.iloc[:, j]) for j in range(df.shape[1])]
    numeric = [k in ("int", "float") for k in kinds]
    head = "".join(
        f"<th scope=\"col\"{_NUM if num else ''}>{_e(c)}</th>"
        for c, num in zip(df.columns, numeric, strict=True)
    )
    shown = df.iloc[:MAX_ROWS]
    cols = [shown.iloc[:, j].tolist() for j in range(shown.shape[1])]
    body = []
    for i in range(len(shown)):
        cells = []
        for kind, num, col in zip(kinds, numeric, cols, strict=True):
            v = col[i]
            if _is_missing(v):
                cells.append('<td class="na' + (' num' if num else '') + '">—</td>')
            elif num:
                cells.append(f'<td class="num">{_e(_fmt_number(v, kind, digits))}</td>')
            else:
                cells.append(f"<td>{_e(_fmt_number(v, kind, digits))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not body:
        empty = _e(t("report.empty_table", lang))
        body.append(f'<tr><td colspan="{df.shape[1]}">{empty}</td></tr>')
    parts = [
        f'<figure class="table" id="{ident}">',
        f"<figcaption>{_e(t('report.table', lang, n=number))}　{_e(item.title)}</figcaption>"
        if lang == "zh"
        else f"<figcaption>{_e(t('report.table', lang, n=number))}. {_e(item.title)}</figcaption>",
        '<div class="table-wrap"><table>',
        f"<thead><tr>{head}</tr></thead>",
        "<tbody>" + "\n".join(body) + "</tbody>",
        "</table></div>",
    ]
    rest = len(df) - len(shown)
    if rest > 0:
        path = f"tables/{item.name}.csv"
        key = "report.more_row" if rest == 1 else "report.more_rows"
        parts.append(f'<p class="more">{_e(t(key, lang, n=rest, path=path))}</p>')
    if item.note:
        note = lay.text(item.note) if lay is not None else item.note
        parts.append(f'<p class="note">{_e(t("report.note", lang, text=note))}</p>')
    parts.append("</figure>")
    return "\n".join(parts)


# ====================================================================== figures
def _image_uri(fig: FigureItem) -> tuple[str, str] | None:
    """``(data URI, format)`` of the first embeddable file of a figure, or None."""
    paths = {str(k).lower().lstrip("."): Path(v) for k, v in (fig.paths or {}).items()}
    for fmt in ("png", "svg", "jpg", "jpeg", "gif", "webp"):
        if fmt not in paths:
            continue
        p = paths[fmt]
        if not p.is_file():
            raise DataError(
                f"figure {fig.name!r} ({fig.title}): file {p} does not exist; write the "
                "figure before the report, or remove it from the section"
            )
        data = p.read_bytes()
        if fmt == "svg":
            head = data[:4096].decode("utf-8", errors="replace")
            if "<svg" not in head:
                raise DataError(f"figure {fig.name!r}: {p} is not an SVG file")
        elif not data.startswith(_MAGIC[fmt]):
            raise DataError(f"figure {fig.name!r}: {p} is not a valid {fmt.upper()} file")
        uri = f"data:{_IMAGE_TYPES[fmt]};base64," + base64.b64encode(data).decode("ascii")
        return uri, fmt
    return None


def _figure_html(fig: FigureItem, number: int, lang: str, ident: str) -> str:
    label = t("report.figure", lang, n=number)
    sep = "　" if lang == "zh" else ". "
    got = _image_uri(fig)
    parts = [f'<figure class="figure" id="{ident}">']
    if got is None:
        files = ", ".join(Path(p).name for p in (fig.paths or {}).values()) or "—"
        text = _e(t("report.figure_not_embedded", lang, paths=files))
        parts.append(f'<p class="note">{text}</p>')
    else:
        uri, _fmt = got
        parts.append(f'<img src="{uri}" alt="{_e(fig.title)}">')
    parts.append(f"<figcaption>{_e(label)}{sep}{_e(fig.title)}</figcaption>")
    if fig.note:
        parts.append(f'<p class="note">{_e(t("report.note", lang, text=fig.note))}</p>')
    parts.append("</figure>")
    return "\n".join(parts)


# ====================================================================== reproducibility
def _rows_table(headers: list[str], rows: list[list[str]], classes: list[str]) -> str:
    head = "".join(
        f"<th scope=\"col\"{_NUM if c == 'num' else ''}>{_e(h)}</th>"
        for h, c in zip(headers, classes, strict=True)
    )
    body = "\n".join(
        "<tr>"
        + "".join(
            (f'<td class="{c}">' if c else "<td>") + f"{_e(v)}</td>"
            for v, c in zip(r, classes, strict=True)
        )
        + "</tr>"
        for r in rows
    )
    return (
        f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _inputs_rows(inputs: Any, study: Any) -> list[list[str]]:
    """Rows (file, role, sha256, size): the study file first, then the data inputs.

    ``inputs`` is a list of dicts (``path``, ``role``, ``sha256``, ``bytes`` or
    ``size``) or a mapping path → such a dict or a hash; ``study`` the
    manifest's ``study`` entry (``path``, ``sha256``) or None.
    """
    if isinstance(inputs, Mapping):
        items: list[Any] = [
            {"path": k, **v} if isinstance(v, Mapping) else {"path": k, "sha256": v}
            for k, v in inputs.items()
        ]
    elif isinstance(inputs, list | tuple):
        items = [v if isinstance(v, Mapping) else {"path": v} for v in inputs]
    elif inputs is None:
        items = []
    else:
        items = [{"path": inputs}]
    if isinstance(study, Mapping) and _manifest_get(study, "path"):
        items.insert(0, {"role": "study", **study})
    rows: list[list[str]] = []
    for d in items:
        size = _manifest_get(d, "size", "bytes", "size_bytes")
        rows.append(
            [
                _plain(_manifest_get(d, "path", "file", "name", "source")),
                _plain(_manifest_get(d, "role", "kind")),
                _plain(_manifest_get(d, "sha256", "hash", "digest")),
                "" if size is None else str(size),
            ]
        )
    return rows


def _kv_rows(d: Any) -> list[list[str]]:
    if isinstance(d, Mapping):
        return [[str(k), _plain(v)] for k, v in d.items()]
    if isinstance(d, list | tuple):
        return [[str(i + 1), _plain(v)] for i, v in enumerate(d)]
    return [["", _plain(d)]]


def _plain(v: Any) -> str:
    if isinstance(v, Mapping | list | tuple):
        return json.dumps(v, ensure_ascii=False, default=str)
    return "—" if v is None else str(v)


def _seconds(v: Any) -> str:
    if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v):
        return f"{v:.2f}"
    return _plain(v)


def _timing_rows(timings: Any, lang: str) -> list[list[str]]:
    """Rows (step, seconds) and, when every value is a number, a total row."""
    if not isinstance(timings, Mapping):
        return _kv_rows(timings)
    rows = [[str(k), _seconds(v)] for k, v in timings.items()]
    nums = [v for v in timings.values() if isinstance(v, int | float) and not isinstance(v, bool)]
    if nums and len(nums) == len(timings) and len(nums) > 1:
        rows.append([t("repro.total", lang), f"{sum(nums):.2f}"])
    return rows


def _repro_html(m: Mapping[str, Any], lang: str, ident: str) -> str:
    parts = [
        f'<section class="appendix" id="{ident}">',
        f"<h2>{_e(t('report.appendix', lang))}　{_e(t('repro.title', lang))}</h2>"
        if lang == "zh"
        else f"<h2>{_e(t('report.appendix', lang))}: {_e(t('repro.title', lang))}</h2>",
        f"<p>{_e(t('repro.intro', lang))}</p>",
    ]
    none = f'<p class="note">{_e(t("repro.none", lang))}</p>'
    # environment
    env = [
        (t("report.version", lang), _version(m)),
        (t("repro.python", lang), _manifest_get(m, "python", "versions.python",
                                                "environment.python")),
        (t("repro.platform", lang), _manifest_get(m, "platform", "environment.platform")),
        (t("report.date", lang), _date(m)),
    ]
    parts.append(f"<h3>{_e(t('repro.environment', lang))}</h3>")
    parts.append(
        '<dl class="meta">'
        + "".join(f"<dt>{_e(k)}</dt><dd>{_e(_plain(v))}</dd>" for k, v in env if v is not None)
        + "</dl>"
    )
    # inputs
    parts.append(f"<h3>{_e(t('repro.inputs', lang))}</h3>")
    rows = _inputs_rows(
        _manifest_get(m, "inputs", "input_files", "files.inputs"), m.get("study")
    )
    if not rows:
        parts.append(none)
    else:
        parts.append(
            _rows_table(
                [t("repro.file", lang), t("repro.role", lang), t("repro.sha256", lang),
                 t("repro.size", lang)],
                rows,
                ["", "", "hash", "num"],
            )
        )
    # versions
    parts.append(f"<h3>{_e(t('repro.versions', lang))}</h3>")
    versions = _manifest_get(m, "versions", "packages", "package_versions")
    if versions is None:
        parts.append(none)
    else:
        parts.append(
            _rows_table(
                [t("repro.package", lang), t("repro.package_version", lang)],
                _kv_rows(versions),
                ["", ""],
            )
        )
    # seeds
    parts.append(f"<h3>{_e(t('repro.seeds', lang))}</h3>")
    seeds = _manifest_get(m, "seeds", "seed")
    if seeds is None:
        parts.append(none)
    else:
        parts.append(
            _rows_table(
                [t("repro.seed_name", lang), t("repro.seed", lang)],
                _kv_rows(seeds if isinstance(seeds, Mapping | list | tuple) else {"seed": seeds}),
                ["", "num"],
            )
        )
    # timings
    parts.append(f"<h3>{_e(t('repro.timings', lang))}</h3>")
    timings = _manifest_get(m, "timings", "timing", "durations")
    if timings is None:
        parts.append(none)
    else:
        parts.append(
            _rows_table(
                [t("repro.step", lang), t("repro.seconds", lang)],
                _timing_rows(timings, lang),
                ["", "num"],
            )
        )
    outputs = _manifest_get(m, "outputs", "files.outputs")
    if outputs is not None:
        parts.append(f"<h3>{_e(t('repro.outputs', lang))}</h3>")
        if isinstance(outputs, list | tuple) and all(isinstance(o, str) for o in outputs):
            parts.append(
                '<ul class="notes">' + "".join(f"<li><code>{_e(o)}</code></li>" for o in outputs)
                + "</ul>"
            )
        else:
            parts.append(f"<pre>{_e(_plain(outputs))}</pre>")
    if m:
        text = json.dumps(m, ensure_ascii=False, indent=2, default=str, sort_keys=False)
        parts.append(
            f"<details><summary>{_e(t('repro.full', lang))}</summary>"
            f"<pre>{escape(text, quote=True)}</pre></details>"
        )
    parts.append("</section>")
    return "\n".join(parts)


# ====================================================================== document
def _section_html(
    sec: Section, number: int, lang: str, ident: str, lay: Layout, ids: set[str]
) -> str:
    sep = "　" if lang == "zh" else ". "
    parts = [
        f'<section class="report-section" id="{ident}">',
        f"<h2>{number}{sep}{_e(sec.title)}</h2>",
    ]
    parts.extend(f"<p>{_e(lay.text(p))}</p>" for p in sec.paragraphs)
    for item in sec.tables:
        if not lay.in_text(item):
            continue
        parts.append(_table_html(item, lay.shown[item.name], lang, _slug(item.name, "tbl", ids),
                                 lay))
    for k, fig in enumerate(sec.figures):
        parts.append(_figure_html(fig, lay.figures[id(sec)] + k, lang,
                                  _slug(fig.name, "fig", ids)))
    details = lay.section_details(sec)
    if details:
        sep_list = "、" if lang == "zh" else ", "
        parts.append('<p class="more"><a href="#appendix-details">'
                     + _e(t("report.details_in_section", lang, tables=sep_list.join(details)))
                     + "</a></p>")
    if sec.notes:
        parts.append(
            f'<section class="notes"><h3>{_e(t("report.notes", lang))}</h3><ul class="notes">'
            + "".join(f"<li>{_e(lay.text(n))}</li>" for n in sec.notes)
            + "</ul></section>"
        )
    parts.append("</section>")
    return "\n".join(parts)


def _details_html(lay: Layout, lang: str) -> str:
    """The appendix of detailed tables: label, title, rows and file of each."""
    if not lay.details:
        return ""
    rows = [
        [lay.label(item.name), item.title, str(len(item.frame)), f"tables/{item.name}.csv"]
        for item, _sec in lay.details
    ]
    head = (f"<h2>{_e(t('report.appendix', lang))}　{_e(t('report.details_title', lang))}</h2>"
            if lang == "zh" else
            f"<h2>{_e(t('report.appendix', lang))}: {_e(t('report.details_title', lang))}</h2>")
    return "\n".join([
        '<section class="appendix" id="appendix-details">',
        head,
        f"<p>{_e(t('report.details_intro', lang))}</p>",
        _rows_table([t("report.details_table_head", lang), t("report.details_title_head", lang),
                     t("report.details_rows_head", lang), t("report.details_file", lang)],
                    rows, ["", "", "num", "file"]),
        "</section>",
    ])


def render_report(output: StudyOutput) -> str:
    """The report of ``output`` as an HTML document (a string); see :func:`write_report`."""
    if not isinstance(output, StudyOutput):
        raise DataError(f"expected a StudyOutput, got {type(output).__name__}")
    lang = normalise_lang(output.lang)
    m: Mapping[str, Any] = output.manifest or {}
    version = _version(m)
    ids: set[str] = set()
    sec_ids = [_slug(s.key, "sec", ids) for s in output.sections]
    repro_id = _slug("reproducibility", "appendix", ids)
    sep = "　" if lang == "zh" else ". "
    toc = [
        f'<li><a href="#{i}">{n}{sep}{_e(s.title)}</a></li>'
        for n, (s, i) in enumerate(zip(output.sections, sec_ids, strict=True), start=1)
    ]
    lay = layout(output)
    if lay.details:
        toc.append(
            f'<li class="appendix"><a href="#appendix-details">{_e(t("report.appendix", lang))}'
            f'{sep}{_e(t("report.details_title", lang))}</a></li>'
        )
    toc.append(
        f'<li class="appendix"><a href="#{repro_id}">{_e(t("report.appendix", lang))}{sep}'
        f'{_e(t("repro.title", lang))}</a></li>'
    )
    body = [
        _section_html(s, n, lang, i, lay, ids)
        for n, (s, i) in enumerate(zip(output.sections, sec_ids, strict=True), start=1)
    ]
    body.append(_details_html(lay, lang))
    meta = [
        (t("report.date", lang), _date(m, full=False)),
        (t("report.version", lang), version),
        (t("report.language", lang), t("report.language_name", lang)),
    ]
    header = [
        '<header class="report-header">',
        f"<h1>{_e(output.title)}</h1>",
    ]
    if output.subtitle:
        header.append(f'<p class="subtitle">{_e(output.subtitle)}</p>')
    header.append(
        '<dl class="meta">'
        + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in meta)
        + "</dl></header>"
    )
    doc = [
        "<!DOCTYPE html>",
        f'<html lang="{html_lang(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="nqpf {_e(version)}">',
        f"<title>{_e(output.title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        *header,
        f'<nav class="toc" aria-label="{_e(t("report.contents", lang))}">'
        f"<h2>{_e(t('report.contents', lang))}</h2><ol>{''.join(toc)}</ol></nav>",
        "<main>",
        *body,
        _repro_html(m, lang, repro_id),
        "</main>",
        f"<footer>{_e(t('report.generated_by', lang, version=version))}</footer>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(doc)


def write_report(
    output: StudyOutput, path: str | os.PathLike[str], overwrite: bool = False
) -> Path:
    """Write the study report as one self-contained HTML file.

    Parameters
    ----------
    output : StudyOutput
        Title, subtitle, language (``zh`` or ``en``), sections and manifest.
    path : str or Path
        The file to write (normally ``DIR/report.html``); parent folders are made.
    overwrite : bool
        An existing file is refused unless True.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    DataError
        The file exists (without ``overwrite``), the path is a folder, a
        figure's file is missing or not the image its format says, a table is
        unusable, or the language is unknown.

    Notes
    -----
    * Self-contained: inline CSS, no JavaScript, no web fonts, images as
      base64 ``data:`` URIs. A figure is embedded from its PNG if it has one
      (it shows exactly what was drawn, fonts included), else its SVG
      (also as an ``<img>`` data URI, so that ids inside several SVG files
      cannot clash), else JPEG/GIF/WebP; a figure with none of these (PDF
      only) gets a note naming its files.
    * Tables show ``digits`` decimals, numbers right-aligned, missing cells as
      ``—``; at most :data:`MAX_ROWS` rows, then a note pointing to
      ``tables/<name>.csv``. Tables and figures are numbered through the report.
    * The appendix reads these manifest keys when present: ``nqpf_version``
      (or ``versions.nqpf``), ``python``, ``platform``, ``date`` or
      ``created``, ``inputs`` (a list of ``{path, sha256, size}`` or a mapping
      path → such a dict or a hash), ``versions`` (package → version),
      ``seeds`` (name → seed, or ``seed``), ``timings`` (step → seconds),
      ``outputs``; the full manifest follows as JSON in a collapsed block.
    * Print: A4 pages, each section on a new page, table headers repeated.
    """
    p = Path(path)
    if p.is_dir():
        raise DataError(f"{p} is a directory; give the report's file name (report.html)")
    if p.exists() and not overwrite:
        raise DataError(f"{p} exists; pass overwrite=True (--force) or choose another name")
    text = render_report(output)
    p.parent.mkdir(parents=True, exist_ok=True)
    try:
        return atomic_write(p, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    except OSError as e:
        raise DataError(f"{p}: writing failed ({type(e).__name__}: {e})") from e

