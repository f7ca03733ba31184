"""nqpf: measure and evaluate new quality productive forces and high-quality development.

The main entry points::

    from nqpf import read_panel, load_framework, validate, impute, build_index, Recipe
    result = nqpf.assess(data, "framework.yaml", classes="classes.csv")  # office assessment

A notebook user goes from a DataFrame to a displayed, plotted index in three lines::

    import nqpf
    res = nqpf.build_index(df, "framework.xlsx")   # long, wide or (unit, period)-indexed df
    res.plot()

``import nqpf`` itself loads no numerical library: the names below are imported on first
use (PEP 562), so that ``nqpf --help`` and ``import nqpf`` stay fast.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from ._lazy import exports

try:
    __version__ = version("nqpf")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0+unknown"

#: Public name -> module that defines it (imported on first access).
_LAZY: dict[str, str] = {
    "DataError": "nqpf.errors",
    "FrameworkError": "nqpf.errors",
    "NqpfError": "nqpf.errors",
    "UnitNameError": "nqpf.errors",
    "assess": "nqpf.assess",
    "MissingExtraError": "nqpf.extras",
    "load_framework": "nqpf.framework",
    "prepare": "nqpf.framework",
    "Recipe": "nqpf.index",
    "audit": "nqpf.index",
    "build_index": "nqpf.index",
    "compare": "nqpf.index",
    "Panel": "nqpf.panel",
    "impute": "nqpf.panel",
    "read_panel": "nqpf.panel",
    "resolve_units": "nqpf.panel",
    "validate": "nqpf.panel",
    "write_panel": "nqpf.panel",
    "dea": "nqpf.efficiency.dea",
    "load_demo_panel": "nqpf.datasets",
}

__all__ = [
    "DataError",
    "FrameworkError",
    "MissingExtraError",
    "NqpfError",
    "Panel",
    "Recipe",
    "UnitNameError",
    "assess",
    "audit",
    "build_index",
    "compare",
    "dea",
    "impute",
    "load_demo_panel",
    "load_framework",
    "prepare",
    "read_panel",
    "resolve_units",
    "validate",
    "write_panel",
    "__version__",
]


__getattr__, __dir__ = exports(__name__, _LAZY)


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from .assess import assess
    from .datasets import load_demo_panel
    from .efficiency.dea import dea
    from .errors import DataError, FrameworkError, NqpfError, UnitNameError
    from .extras import MissingExtraError
    from .framework import load_framework, prepare
    from .index import Recipe, audit, build_index, compare
    from .panel import Panel, impute, read_panel, resolve_units, validate, write_panel
