"""The assessment an evaluation office runs: targets, scores, grades, progress, fixed-base indices.

Public API (stable; a server calls it as a pure function)::

    import nqpf
    res = nqpf.assess(data, framework, classes=None, period=None, base_year=None,
                      rule="attainment", cap=1.0, level_weight=0.7, ...)
    # the same function: nqpf.assess.assess(...)

- ``data``: a :class:`~nqpf.panel.Panel`, a DataFrame (long ``unit, period,
  indicator, value`` or wide ``unit, period, <indicators>``) or a data file;
  it holds the framework's indicators, or the raw series they are computed from.
- ``framework``: a :class:`~nqpf.framework.Framework` or anything
  :func:`~nqpf.framework.load_framework` reads (a YAML or flat table with
  targets, ``low``/``high``, ``bands``, weights, classes; ``extends`` cascades).
- ``classes``: a mapping unit → class id, a DataFrame or a table file.
- The result, :class:`AssessmentResult`, holds plain DataFrames:
  ``assessment`` (unit, period, class, node, level, level_score,
  progress_score, total_score, grade, rank, rank_in_class),
  ``indicator_scores``, ``fixed_base``, ``diagnosis``; plus ``params`` (every
  option, JSON-serialisable), ``notes`` and ``framework``. Methods:
  ``to_frame(table, lang)``, ``totals(period)``, ``summary(lang)``,
  ``plot(kind)``, ``write(out_dir, lang, force)``.

The same inputs always give the same tables (row order included). Errors
caused by the input are :class:`~nqpf.errors.NqpfError` subclasses whose
message names the file, row, unit, period, indicator or class at fault.

Modules, one concern each: :mod:`~nqpf.assess.rules` (attainment, efficacy
coefficient, banded), :mod:`~nqpf.assess.progress`, :mod:`~nqpf.assess.grades`,
:mod:`~nqpf.assess.fixed_base` (NBS fixed-base and chained indices, rebasing),
:mod:`~nqpf.assess.diagnosis`, :mod:`~nqpf.assess.result`,
:mod:`~nqpf.assess.engine` (the run), :mod:`~nqpf.assess.inputs` (data and
class files), :mod:`~nqpf.assess.workbook` (the office workbook).
"""

import sys
import types
from typing import Any

from .engine import assess
from .fixed_base import fixed_base, rebase
from .result import AssessmentResult
from .rules import attainment, banded, efficacy

__all__ = ["AssessmentResult", "assess", "attainment", "banded", "efficacy", "fixed_base",
           "rebase"]


class _CallableModule(types.ModuleType):
    """Lets ``nqpf.assess(...)`` call :func:`assess` while ``nqpf.assess`` stays the package."""

    def __call__(self, *args: Any, **kwargs: Any) -> AssessmentResult:
        return assess(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
