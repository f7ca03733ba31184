"""nqpf.output: output folders and the atomic file write."""

from __future__ import annotations

import os

from nqpf.output import atomic_write


def test_atomic_write_follows_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        p = atomic_write(tmp_path / "report.html", lambda t: t.write_text("<p>x</p>"))
    finally:
        os.umask(old)
    assert p.read_text() == "<p>x</p>"
    assert p.stat().st_mode & 0o777 == 0o644  # not mkstemp's private 0600
    assert [q.name for q in tmp_path.iterdir()] == ["report.html"]
