"""Composite index engine: normalise, weight, aggregate over the framework tree."""

from .audit import AuditResult, audit, cronbach_alpha
from .engine import IndexResult, build_index, compare
from .recipe import Recipe

__all__ = [
    "AuditResult",
    "IndexResult",
    "Recipe",
    "audit",
    "build_index",
    "compare",
    "cronbach_alpha",
]
