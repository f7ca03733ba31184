"""Panel data model (units × periods × indicators), readers, writers, validation, imputation."""

from .clean import ConversionReport, coerce_numeric
from .core import Panel
from .impute import impute, impute_report
from .io import as_panel, read_panel, read_table, write_dta, write_panel
from .names import resolve_units
from .validate import ValidationReport, validate, validate_file

__all__ = [
    "ConversionReport",
    "Panel",
    "ValidationReport",
    "as_panel",
    "coerce_numeric",
    "impute",
    "impute_report",
    "read_panel",
    "read_table",
    "resolve_units",
    "validate",
    "validate_file",
    "write_dta",
    "write_panel",
]
