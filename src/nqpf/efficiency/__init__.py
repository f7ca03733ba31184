"""Efficiency and productivity: DEA (the subpackage :mod:`nqpf.efficiency.dea`: ``dea``,
``productivity``), production-function TFP and growth accounting."""

from .._lazy import exports

_NAMES = {
    "estimate_tfp": ".production", "estimate": ".prodfn",
    "olley_pakes": ".prodfn_op", "wooldridge": ".prodfn_op",
    "growth_accounting": ".growth",
}
__all__ = ["estimate", "estimate_tfp", "growth_accounting", "olley_pakes", "wooldridge"]
__getattr__, __dir__ = exports(__name__, _NAMES)
