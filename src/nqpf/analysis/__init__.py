"""Analyses of an index: disparity, dynamics, convergence, spatial, coupling, obstacles, types.

Every analysis takes a values table, a Panel or an :class:`~nqpf.index.IndexResult` and
returns a result with ``tables()``, ``summary()``, ``to_frame()`` and ``plot()``;
:func:`run_analysis` runs one by name (Chinese names such as ``泰尔指数`` too).
"""

from .._lazy import exports

_NAMES = {
    "dagum": ".disparity", "theil": ".disparity", "gini": ".disparity",
    "kernel_density": ".dynamics", "markov": ".dynamics", "kde_bandwidth": ".dynamics",
    "sigma_convergence": ".convergence", "beta_convergence": ".convergence",
    "phillips_sul": ".convergence",
    "moran": ".spatial", "lisa": ".spatial", "spatial_weights": ".spatial",
    "coupling_degree": ".coupling", "CouplingResult": ".coupling",
    "ObstacleResult": ".obstacle", "TypologyResult": ".typology",
    "run_analysis": ".run", "write_result": ".run",
    "steady_states": ".chains", "first_passage_times": ".chains", "homogeneity": ".chains",
    "chi2_test": ".chains",
}
# coupling(), obstacle() and typology() share their modules' names: use
# nqpf.analysis.coupling.coupling (and so on) or run_analysis("coupling", ...).
__all__ = [
    "CouplingResult", "ObstacleResult", "TypologyResult", "beta_convergence", "chi2_test",
    "coupling_degree", "dagum", "first_passage_times", "gini", "homogeneity", "kde_bandwidth",
    "kernel_density", "lisa", "markov", "moran", "phillips_sul", "run_analysis",
    "sigma_convergence", "spatial_weights", "steady_states", "theil", "write_result",
]
__getattr__, __dir__ = exports(__name__, _NAMES)
