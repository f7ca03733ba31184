"""Commands of ``nqpf`` that live beside :mod:`nqpf.cli`, one module per concern.

Each module defines ``register(app)``, which adds its commands to the typer app.
"""

from __future__ import annotations

from . import study, tfp


def register(app) -> None:
    for mod in (tfp, study):
        mod.register(app)
