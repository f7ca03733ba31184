"""Indicator frameworks: specification (YAML or flat table), built-ins, and data preparation.

>>> from nqpf.framework import load_framework, list_builtin
>>> fw = load_framework("nqpf-three-elements")
>>> print(fw.render_tree("en"))  # doctest: +SKIP
"""

from .load import framework_from_table, list_builtin, load_framework
from .prepare import prepare
from .spec import COUNT_UNITS, Framework, Indicator, Node, parse_direction

__all__ = [
    "COUNT_UNITS",
    "Framework",
    "Indicator",
    "Node",
    "framework_from_table",
    "list_builtin",
    "load_framework",
    "parse_direction",
    "prepare",
]
