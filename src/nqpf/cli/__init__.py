"""The ``nqpf`` command: one module per command or command group.

:mod:`nqpf.cli.common` holds what they share (consoles, data options, readers, console
tables); :mod:`nqpf.cli.app` builds the typer application from the modules and runs it.
Every command reads data through :func:`nqpf.panel.io.read_panel` and takes a framework as a
built-in name, a YAML file or a flat indicator table. Method packages are imported inside the
commands, so that ``nqpf --help`` loads none of them.
"""

from __future__ import annotations

from .app import app, main
from .common import err, out

__all__ = ["app", "err", "main", "out"]
