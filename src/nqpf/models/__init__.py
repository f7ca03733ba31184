"""Regressions on the index: what drives NQPF and what it does.

One module per concern:

* :mod:`~nqpf.models.panel`: fixed-effect panel regressions (linearmodels);
* :mod:`~nqpf.models.threshold`: Hansen (1999) panel threshold models;
* :mod:`~nqpf.models.mediation`: Baron-Kenny steps, bootstrap indirect effects,
  Sobel test, chain mediation, moderation with simple slopes;
* :mod:`~nqpf.models.spatial`: spatial panel models (SAR, SEM, SDM) with
  LeSage-Pace effects and specification tests;
* :mod:`~nqpf.models.did`: two-way fixed-effects DID, event studies and
  Callaway-Sant'Anna staggered adoption;
* :mod:`~nqpf.models.tables`: regression tables as journals print them.
"""

from .panel import fe_regression
from .results import Estimates
from .threshold import ThresholdResult, threshold

__all__ = ["Estimates", "ThresholdResult", "fe_regression", "threshold"]
