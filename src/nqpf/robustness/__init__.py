"""Uncertainty and sensitivity analysis of composite indices."""
