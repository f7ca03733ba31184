"""Optional parts of nqpf and the error that names the pip command installing them.

The core install covers the demo and a provincial index study. Specialist parts come
with extras (``pip install "nqpf[spatial]"``); :func:`require` imports a module of an
extra and, when it is missing, raises :class:`MissingExtraError` saying which command
to run.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from .errors import NqpfError

__all__ = ["EXTRAS", "MissingExtraError", "pip_command", "require"]

#: Extra name → what it brings (for messages and the documentation).
EXTRAS: dict[str, str] = {
    "spatial": "spatial weights, Moran's I, LISA, spatial Markov chains (libpysal, esda, spreg)",
    "dask": "DEA and robustness runs on a Dask cluster (dask[distributed])",
    "maps": "maps of Chinese provinces on the standard map (cnmaps)",
    "cjk": "a Chinese font for figure labels (mplfonts: Noto Sans CJK SC)",
    "stata": "reading Stata .dta files, GBK-encoded ones included (pyreadstat)",
    "wdi": "downloading World Bank WDI series (wbgapi)",
    "parquet": "reading and writing Parquet files (pyarrow)",
    "office": "the evaluation office's server (FastAPI, SQLAlchemy, Alembic)",
    "docs": "building the documentation site (MkDocs Material, mkdocstrings)",
}


class MissingExtraError(NqpfError, ImportError):
    """A feature needs an optional package that is not installed."""

    def __init__(self, feature: str, extra: str, module: str) -> None:
        self.feature = feature
        self.extra = extra
        self.module = module
        super().__init__(
            f"{feature} needs the optional package {module.split('.')[0]}, which is not "
            f"installed; install it with: {pip_command(extra)}"
        )


def pip_command(extra: str) -> str:
    """The command that installs an extra, e.g. ``pip install "nqpf[spatial]"``."""
    if extra not in EXTRAS:
        raise KeyError(f"unknown extra {extra!r}; known: {', '.join(EXTRAS)}")
    return f'pip install "nqpf[{extra}]"'


def require(module: str, extra: str, feature: str | None = None) -> ModuleType:
    """Import ``module`` of the extra ``extra``, or raise :class:`MissingExtraError`.

    ``feature`` names what needs it in the message (default: the module).
    Only a missing top-level package becomes :class:`MissingExtraError`; an import error
    inside an installed package propagates as it is.
    """
    pip_command(extra)  # unknown extras are a programming error
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as e:
        top = module.split(".")[0]
        if e.name is not None and e.name.split(".")[0] != top:
            raise
        raise MissingExtraError(feature or module, extra, module) from e
