"""Bundled real data and reference tables."""
