"""Helpers for tests that run the ``nqpf`` command in-process."""

from __future__ import annotations

import io
from contextlib import contextmanager, redirect_stderr, redirect_stdout

from nqpf import cli


@contextmanager
def _wide_consoles():
    """Let rich print long lines unbroken so that phrases can be searched in the output."""
    old = (cli.out.width, cli.err.width)
    cli.out.width = cli.err.width = 400
    try:
        yield
    finally:
        cli.out.width, cli.err.width = old


def run(*args: object) -> tuple[int, str, str]:
    """Run ``nqpf ARGS`` in this process; return (exit status, stdout, stderr)."""
    o, e = io.StringIO(), io.StringIO()
    with _wide_consoles(), redirect_stdout(o), redirect_stderr(e):
        rc = cli.main([str(a) for a in args])
    return rc, o.getvalue(), e.getvalue()


def flat(text: str) -> str:
    """Text with every run of whitespace made one space (rich wraps titles and cells)."""
    return " ".join(text.split())
