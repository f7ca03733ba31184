"""Bundled real data and reference tables: the demo data, provinces, countries, maps."""

from .demo import (
    DEMO_FRAMEWORK,
    DEMO_PERIODS,
    DEMO_SERIES,
    demo_data_path,
    demo_study_path,
    load_demo_panel,
)

__all__ = [
    "DEMO_FRAMEWORK",
    "DEMO_PERIODS",
    "DEMO_SERIES",
    "demo_data_path",
    "demo_study_path",
    "load_demo_panel",
]
