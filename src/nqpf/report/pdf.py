"""The HTML report printed to PDF by a headless Chromium, where one is installed.

The report's print style sheet (A4, one section per page, repeated table
headers) is what Chromium prints. No Chromium, no PDF: :func:`chromium_path`
returns None and the study says so instead of failing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import DataError

__all__ = ["chromium_path", "print_pdf"]

_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def chromium_path() -> str | None:
    """The Chromium (or Chrome) executable on PATH, or ``$NQPF_CHROMIUM``; None if neither."""
    env = os.environ.get("NQPF_CHROMIUM")
    if env:
        return env if Path(env).is_file() else shutil.which(env)
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(html: str | os.PathLike[str], pdf: str | os.PathLike[str],
              timeout: float = 180) -> Path:
    """Print the HTML file ``html`` to ``pdf`` with headless Chromium.

    Raises
    ------
    DataError
        No Chromium is installed, or printing failed or timed out (the message
        carries Chromium's last output line).
    """
    exe = chromium_path()
    if exe is None:
        raise DataError("printing the report to PDF needs Chromium (apt-get install chromium)")
    src = Path(html).resolve()
    out = Path(pdf).resolve()
    with tempfile.TemporaryDirectory(prefix="nqpf-pdf-") as profile:
        tmp = out.with_name(f".{out.name}.part")
        cmd = [exe, "--headless", "--disable-gpu", "--no-pdf-header-footer",
               f"--user-data-dir={profile}", f"--print-to-pdf={tmp}", src.as_uri()]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            tmp.unlink(missing_ok=True)
            raise DataError(f"Chromium did not print {src.name} within {timeout:.0f} s") from e
        if run.returncode != 0 or not tmp.is_file() or tmp.stat().st_size == 0:
            tmp.unlink(missing_ok=True)
            last = (run.stderr or run.stdout or "").strip().splitlines()[-1:] or ["no output"]
            raise DataError(f"Chromium could not print {src.name}: {last[0]}")
        os.replace(tmp, out)
    return out
