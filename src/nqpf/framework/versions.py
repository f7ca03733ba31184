"""Versions of a framework over time: validity periods that must not overlap.

An office revises its framework every few years; each version carries
``valid_from`` and ``valid_to`` (inclusive; either may be open). Versions of the
same framework id must not be in force at the same time, so that every period
is assessed under exactly one version: :func:`check_versions` says which two
overlap, :func:`version_for` picks the version in force on a date or in a year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ..errors import FrameworkError
from .spec import Framework

__all__ = ["check_versions", "version_for"]


def _span(fw: Framework) -> tuple[dt.date, dt.date]:
    return (fw.valid_from or dt.date.min, fw.valid_to or dt.date.max)


def _text(fw: Framework) -> str:
    a = fw.valid_from.isoformat() if fw.valid_from else "open"
    b = fw.valid_to.isoformat() if fw.valid_to else "open"
    return f"{a} … {b}"


def check_versions(frameworks: Sequence[Framework], names: Sequence[str] | None = None) -> None:
    """Raise FrameworkError when two versions of one framework overlap in validity.

    ``names`` (e.g. the file names) are used in the message; versions of
    different framework ids are independent.
    """
    names = list(names) if names is not None else [f"{f.id} {f.version}" for f in frameworks]
    items = list(zip(frameworks, names, strict=True))
    for i, (a, na) in enumerate(items):
        for b, nb in items[i + 1:]:
            if a.id != b.id:
                continue
            if a.version == b.version:
                raise FrameworkError(
                    f"{na} and {nb} are both version {a.version} of framework {a.id}; give each "
                    "revision its own version"
                )
            (a0, a1), (b0, b1) = _span(a), _span(b)
            if a0 <= b1 and b0 <= a1:
                first, second = (a, b) if a0 <= b0 else (b, a)
                raise FrameworkError(
                    f"versions {a.version} ({na}, valid {_text(a)}) and {b.version} ({nb}, valid "
                    f"{_text(b)}) of framework {a.id} overlap; end version {first.version} "
                    f"(valid_to) before version {second.version} starts"
                )


def version_for(frameworks: Sequence[Framework], when: Any) -> Framework:
    """The version in force on a date (a ``date``, ``"2024-06-30"`` or a year ``2024``).

    A year picks the version in force on 31 December of that year.
    """
    check_versions(frameworks)
    if isinstance(when, dt.date):
        day = when
    elif isinstance(when, int) or (isinstance(when, str) and when.strip().isdigit()):
        day = dt.date(int(when), 12, 31)
    else:
        try:
            day = dt.date.fromisoformat(str(when).strip())
        except ValueError:
            raise FrameworkError(f"cannot read {when!r} as a date or a year") from None
    hits = [f for f in frameworks if _span(f)[0] <= day <= _span(f)[1]]
    if not hits:
        spans = "; ".join(f"{f.version}: {_text(f)}" for f in frameworks)
        raise FrameworkError(f"no version is in force on {day.isoformat()} ({spans})")
    return hits[0]
