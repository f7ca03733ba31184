"""Commands of ``nqpf`` that live beside :mod:`nqpf.cli`, one module per concern.

Each module defines ``register(app)``, which adds its commands to the typer app.
"""

from __future__ import annotations

from importlib import import_module

#: command modules, registered in this order
MODULES = ("tfp", "study")


def register(app) -> None:
    for name in MODULES:
        try:
            mod = import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as e:  # a module of this package that is not present
            if e.name != f"{__name__}.{name}":
                raise
            continue
        mod.register(app)
