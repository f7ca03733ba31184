"""Errors raised by nqpf.

Every error a user can cause derives from :class:`NqpfError`; the command line
turns these into a one-paragraph message and exit status 2, and shows the
traceback only with ``--debug``. Messages name the file, row, unit, period or
indicator at fault and, where possible, say what to do next.
"""

from __future__ import annotations


class NqpfError(Exception):
    """Base class of errors caused by user input (data, framework, options)."""


class DataError(NqpfError, ValueError):
    """A data file or table cannot be read or does not make a valid panel."""


class FrameworkError(NqpfError, ValueError):
    """An indicator framework is malformed or does not fit the data."""


class UnitNameError(NqpfError, KeyError):
    """A unit name (province, country) matches no known unit."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else ""
