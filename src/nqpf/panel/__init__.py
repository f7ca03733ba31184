"""Panel data model (units × periods × indicators), readers, writers, validation, imputation."""

from .clean import ConversionReport, coerce_numeric
from .core import Panel

__all__ = ["ConversionReport", "Panel", "coerce_numeric"]
