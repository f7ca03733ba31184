"""Which observations span the technology (the reference set) of a period.

Conventions (periods are ordered; "position" is the index in the sorted distinct periods):

* ``"contemporaneous"``: the observations of period ``t`` (Färe et al. 1994).
* ``"sequential"``: every period up to and including ``t`` (Tulkens & Vanden Eeckaut
  1995; Shestalova 2003): technology never regresses.
* ``"window"``: the ``window`` periods ending at ``t`` (positions ``t - w + 1 .. t``),
  fewer at the start of the panel. Charnes, Clark, Cooper & Golany (1985) move a window
  of width ``w`` through the panel and evaluate each period in every window containing
  it; nqpf evaluates period ``t`` in the one window that ends at ``t`` (the backward
  window used for productivity indices), so each observation gets one score.
* ``"global"``: all periods (Pastor & Lovell 2005; Oh 2010).
* ``"biennial"``: periods ``t`` and ``t + 1`` (Pastor, Asmild & Lovell 2011); for the
  last period, ``t - 1`` and ``t`` (the last biennial pair), or ``t`` alone if the panel has
  one period.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ...errors import DataError

FRONTIERS = ("contemporaneous", "sequential", "window", "global", "biennial")


def check_frontier(frontier: str, window: int | None) -> str:
    """Normalise and validate a frontier name and its window."""
    f = str(frontier).strip().lower()
    if f not in FRONTIERS:
        raise DataError(f"unknown frontier {frontier!r}; choose one of: {', '.join(FRONTIERS)}")
    if f == "window":
        if window is None or int(window) != window or int(window) < 1:
            raise DataError("frontier 'window' needs window=W, a whole number of periods >= 1")
    elif window is not None:
        raise DataError(f"window is only used with frontier='window', not {f!r}")
    return f


def reference_periods(periods: Sequence[Any], frontier: str, t: Any,
                      window: int | None = None) -> list[Any]:
    """The periods whose observations form the technology of period ``t``.

    Parameters
    ----------
    periods : sequence
        The distinct periods of the panel (any order; sorted here).
    frontier : str
        One of ``contemporaneous``, ``sequential``, ``window``, ``global``, ``biennial``.
    t : period label
    window : int, optional
        Width for ``frontier="window"``.
    """
    f = check_frontier(frontier, window)
    ps = sorted(set(periods), key=_key)
    if t not in ps:
        raise DataError(f"period {t!r} is not in the data; periods are {ps[:10]}")
    i = ps.index(t)
    if f == "contemporaneous":
        return [t]
    if f == "sequential":
        return ps[: i + 1]
    if f == "window":
        return ps[max(0, i - int(window) + 1) : i + 1]  # type: ignore[arg-type]
    if f == "global":
        return ps
    if i + 1 < len(ps):
        return [ps[i], ps[i + 1]]
    return ps[max(0, i - 1) : i + 1]


def reference_rows(periods_of_rows: Sequence[Any] | np.ndarray, frontier: str, t: Any,
                   window: int | None = None) -> np.ndarray:
    """Row indices of the observations that form the technology of period ``t``.

    Parameters
    ----------
    periods_of_rows : sequence
        The period of each observation (row).
    frontier, t, window
        See :func:`reference_periods`.

    Returns
    -------
    ndarray of int
        Sorted row positions.

    Examples
    --------
    >>> reference_rows([2000, 2000, 2001, 2002], "sequential", 2001).tolist()
    [0, 1, 2]
    """
    p = list(periods_of_rows)
    keep = set(reference_periods(p, frontier, t, window))
    return np.asarray([i for i, v in enumerate(p) if v in keep], dtype=np.int64)


def _key(p: Any) -> tuple[int, Any]:
    return (0, p) if isinstance(p, int | np.integer | float) else (1, str(p))
