"""nqpf: measure and evaluate new quality productive forces and high-quality development.

The main entry points::

    from nqpf import read_panel, load_framework, validate, impute, build_index, Recipe
    result = nqpf.assess(data, "framework.yaml", classes="classes.csv")  # office assessment
"""

from importlib.metadata import PackageNotFoundError, version

from . import assess
from .errors import DataError, FrameworkError, NqpfError, UnitNameError
from .framework import load_framework, prepare
from .index import Recipe, audit, build_index, compare
from .panel import Panel, impute, read_panel, resolve_units, validate, write_panel

try:
    __version__ = version("nqpf")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "DataError",
    "FrameworkError",
    "NqpfError",
    "Panel",
    "Recipe",
    "UnitNameError",
    "__version__",
    "assess",
    "audit",
    "build_index",
    "compare",
    "impute",
    "load_framework",
    "prepare",
    "read_panel",
    "resolve_units",
    "validate",
    "write_panel",
]
