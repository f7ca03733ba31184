"""Data envelopment analysis: CCR/BCC (CRS, VRS, NIRS, NDRS), radial super-efficiency,
FDH, SBM (with undesirable outputs), super-SBM, DDF, NDDF; metafrontiers.

The low-level :func:`solve` works on arrays against one reference technology (one HiGHS
model per program and reference set, warm-started per unit, with exact reference-set
reduction); :func:`dea` works on panels and frontiers (contemporaneous, sequential, window,
global, biennial) and returns a :class:`DEAResult`; :func:`productivity` gives the Malmquist,
Malmquist–Luenberger, global Malmquist–Luenberger and Luenberger indices;
:func:`metafrontier` gives group and meta efficiencies and technology gap ratios and
:func:`metafrontier_productivity` the metafrontier Malmquist / GML index;
:func:`bootstrap` the Simar–Wilson (1998) bias-corrected scores and intervals and
:func:`sw07` their (2007) second-stage truncated regression;
:func:`multiplier` the multiplier form with assurance regions and
:func:`cross_efficiency` simple, aggressive and benevolent cross-efficiency.

Small problems (up to 150 reference observations) take a vectorised dense simplex for
the radial models (:mod:`.vector`): ten 60-unit CCR cross-sections take about 0.04 s CPU
and a 60 x 10 Malmquist index about 0.07 s, 5.6x and 9.6x faster than the per-unit HiGHS
path (``bench/bench_dea_small.py``).

Speed (2-core test machine, 4,500 units, global SBM-CRS with one bad output, serial): about
0.8-1.1 s with reduction (0.2 ms per unit) against 8.5 s without it, about 170 s for a
``scipy.optimize.linprog`` loop and 208 s for DEAPack's ``UndesirableSBM``; 75,000 units
take about 27 s (CRS) and 53 s (VRS).
"""

from .api import dea
from .bootstrap import BootstrapResult, bootstrap
from .frontier import FRONTIERS, reference_periods, reference_rows
from .metafrontier import (
    MetafrontierResult,
    MetaProductivityResult,
    metafrontier,
    metafrontier_productivity,
)
from .models import DEAArrays, solve
from .multiplier import CrossEfficiency, cross_efficiency, multiplier
from .productivity import productivity
from .productivity_result import ProductivityResult
from .result import DEAResult
from .second_stage import SecondStageResult, sw07
from .spec import DEASpec

__all__ = [
    "BootstrapResult",
    "CrossEfficiency",
    "FRONTIERS",
    "DEAArrays",
    "DEAResult",
    "DEASpec",
    "MetaProductivityResult",
    "MetafrontierResult",
    "SecondStageResult",
    "ProductivityResult",
    "bootstrap",
    "cross_efficiency",
    "dea",
    "metafrontier",
    "metafrontier_productivity",
    "multiplier",
    "productivity",
    "reference_periods",
    "reference_rows",
    "solve",
    "sw07",
]
