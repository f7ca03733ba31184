"""Indicator frameworks: specification (YAML or flat table), built-ins, and data preparation.

Frameworks also carry what an evaluation office governs: validity, issuer and
document number, targets (:mod:`~nqpf.framework.targets`), region classes
(:mod:`~nqpf.framework.classes`), cascades (:mod:`~nqpf.framework.cascade`),
versions (:mod:`~nqpf.framework.versions`) and differences between two
frameworks (:mod:`~nqpf.framework.diff`).

>>> from nqpf.framework import load_framework, list_builtin
>>> fw = load_framework("nqpf-three-elements")
>>> print(fw.render_tree("en"))  # doctest: +SKIP
"""

from .classes import RegionClass
from .diff import diff, render_diff
from .load import framework_from_table, list_builtin, load_framework
from .prepare import prepare
from .spec import COUNT_UNITS, Framework, Indicator, Node, parse_direction
from .targets import Target
from .versions import check_versions, version_for

__all__ = [
    "COUNT_UNITS",
    "Framework",
    "Indicator",
    "Node",
    "RegionClass",
    "Target",
    "check_versions",
    "diff",
    "framework_from_table",
    "list_builtin",
    "load_framework",
    "parse_direction",
    "prepare",
    "render_diff",
    "version_for",
]
