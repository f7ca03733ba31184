"""Uncertainty and sensitivity of an index's ranking (Monte Carlo over its choices, Sobol)."""

from .._lazy import exports

_NAMES = {
    "robustness": ".uncertainty", "Uncertainty": ".uncertainty",
    "RobustnessResult": ".uncertainty",
    "saltelli_design": ".sensitivity", "sobol_indices": ".sensitivity",
    "batch_scores": ".batch", "bootstrap_weights": ".batch",
}
__all__ = ["RobustnessResult", "Uncertainty", "batch_scores", "bootstrap_weights", "robustness",
           "saltelli_design", "sobol_indices"]
__getattr__, __dir__ = exports(__name__, _NAMES)
