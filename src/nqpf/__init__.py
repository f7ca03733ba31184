"""nqpf: measure and evaluate new quality productive forces and high-quality development."""

from importlib.metadata import PackageNotFoundError, version

from .errors import DataError, FrameworkError, NqpfError, UnitNameError
from .panel import Panel

try:
    __version__ = version("nqpf")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0+unknown"

__all__ = ["DataError", "FrameworkError", "NqpfError", "Panel", "UnitNameError", "__version__"]
