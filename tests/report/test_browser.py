"""The HTML report in a real browser: headless Chromium through Playwright, offline."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from nqpf.report.html import write_report

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium not installed"),
    pytest.mark.skipif(
        importlib.util.find_spec("playwright") is None, reason="playwright not installed"
    ),
]
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _make_output():
    """The synthetic study of test_html (loaded by path: tests/report is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "nqpf_test_report_html", Path(__file__).with_name("test_html.py")
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.make_output


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()


def _open(browser, path: Path):
    """A page with the report loaded, every network request other than file:// refused."""
    context = browser.new_context()
    page = context.new_page()
    messages: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))

    def route(r):
        requests.append(r.request.url)
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            r.abort()

    page.route("**/*", route)
    page.goto(path.as_uri(), wait_until="load")
    return context, page, messages, requests


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_renders_offline_without_errors(browser, tmp_path, lang):
    make_output = _make_output()
    path = write_report(make_output(tmp_path, lang=lang), tmp_path / "report.html")
    context, page, messages, requests = _open(browser, path)
    try:
        assert [m for m in messages if m.startswith(("error", "pageerror", "warning"))] == []
        assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
        imgs = page.eval_on_selector_all(
            "img", "els => els.map(i => [i.complete, i.naturalWidth, i.naturalHeight])"
        )
        assert len(imgs) == 2
        assert all(c and w > 0 and h > 0 for c, w, h in imgs), imgs
        # the PNG was saved at 2 × 1.5 inches and 50 dpi
        assert imgs[0][1:] == [100, 75]
        text = page.inner_text("body")
        assert "得分与排名" in text and "趋势图" in text
        assert "<script>alert('x')</script>" in text  # shown, not run
        assert page.evaluate("document.documentElement.lang") == (
            "zh-CN" if lang == "zh" else "en"
        )
        # TOC anchors lead to existing elements
        hrefs = page.eval_on_selector_all("nav.toc a", "els => els.map(a => a.hash)")
        assert len(hrefs) == 3
        assert all(page.evaluate(f"!!document.querySelector('{h}')") for h in hrefs)
        # numbers are right-aligned
        align = page.eval_on_selector("td.num", "e => getComputedStyle(e).textAlign")
        assert align == "right"
    finally:
        context.close()


def test_report_prints_to_a4_pdf(browser, tmp_path):
    make_output = _make_output()
    path = write_report(make_output(tmp_path), tmp_path / "report.html")
    context, page, messages, _ = _open(browser, path)
    try:
        pdf = page.pdf(prefer_css_page_size=True)
        assert pdf.startswith(b"%PDF")
        # the CSS @page asks for A4: 595.28 x 841.89 pt (Chromium rounds to whole pixels)
        boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
        assert boxes and all(
            abs(float(w) - 595.28) < 1.5 and abs(float(h) - 841.89) < 1.5 for w, h in boxes
        ), boxes[:3]
        # title page + contents, then each of the 2 sections and the appendix on new pages
        assert len(boxes) >= 4
        assert messages == []
    finally:
        context.close()
