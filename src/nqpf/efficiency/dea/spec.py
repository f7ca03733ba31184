"""The specification of one DEA model: model family, returns to scale, orientation, direction.

:class:`DEASpec` is a frozen, validated description that :func:`nqpf.efficiency.dea.solve`
and :func:`nqpf.efficiency.dea.dea` accept. Names are normalised on construction
(``"ccr"`` is the radial model under constant returns, ``"bcc"`` the radial model under
variable returns, Banker, Charnes & Cooper 1984).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...aliases import canonical
from ...errors import DataError

MODELS = ("radial", "ccr", "bcc", "super-radial", "fdh", "sbm", "super-sbm", "ddf", "nddf")
#: models solved by the radial (theta/phi) programs
RADIAL_MODELS = ("radial", "super-radial", "fdh")
RTS = ("crs", "vrs", "nirs", "ndrs")
BAD_DISPOSAL = ("weak", "free")
ORIENTATIONS = ("input", "output", "non")
SUPER_MODES = ("efficient", "all")
OUTSIDE = ("super", "infeasible")
NAMED_DIRECTIONS = ("output", "proportional", "input")

_ALIASES = {
    "super_sbm": "super-sbm",
    "super_radial": "super-radial",
    "ap": "super-radial",
    "andersen-petersen": "super-radial",
    "supersbm": "super-sbm",
    "ssbm": "super-sbm",
    "non-oriented": "non",
    "nonoriented": "non",
    "non_oriented": "non",
    "none": "non",
    "in": "input",
    "out": "output",
}


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        v = value.strip().lower()
        return _ALIASES.get(v, v)
    return value


def _choices(what: str, value: Any, choices: tuple[str, ...]) -> DataError:
    return DataError(f"unknown {what} {value!r}; choose one of: {', '.join(choices)}")


@dataclass(frozen=True, eq=False)
class DEASpec:
    """A validated DEA model specification.

    Parameters
    ----------
    model : str
        ``"radial"`` (envelopment CCR/BCC with the Cooper–Seiford–Tone two-phase max-slack
        stage), ``"ccr"`` (= radial, crs), ``"bcc"`` (= radial, vrs), ``"super-radial"``
        (radial super-efficiency, Andersen & Petersen 1993: the evaluated unit is removed
        from its reference set; input theta or output 1/phi above 1 for efficient units;
        under VRS the program can be infeasible, reported with status ``"infeasible"``),
        ``"fdh"`` (free disposal hull, Deprins, Simar & Tulkens 1984: radial efficiency
        against single dominating observations, no convexity; ``rts`` is ignored and stored
        as ``"fdh"``), ``"sbm"`` (Tone 2001,
        undesirable outputs as in Tone 2004), ``"super-sbm"`` (Tone 2002), ``"ddf"``
        (Chambers, Chung & Färe 1996; Chung, Färe & Grosskopf 1997), ``"nddf"`` (Zhou, Ang &
        Wang 2012).
    rts : str or None
        ``"crs"``, ``"vrs"``, ``"nirs"`` (non-increasing, ``sum lam <= 1``) or ``"ndrs"``
        (non-decreasing, ``sum lam >= 1``); Färe, Grosskopf & Lovell (1994). ``None``
        means ``"crs"`` except for ``"bcc"``. Giving
        ``"vrs"`` with ``"ccr"`` (or ``"crs"`` with ``"bcc"``) is an error.
    orientation : str or None
        ``"input"``, ``"output"`` or ``"non"`` (non-oriented). ``None`` means ``"input"`` for
        radial models and ``"non"`` for SBM models; DDF models take their orientation from
        ``direction`` and store ``"non"``. Radial models cannot be non-oriented.
    direction : str or array-like or None
        DDF/NDDF direction ``g = (g_x, g_y, g_b)``: the evaluated point moves to
        ``(x + beta g_x, y + beta g_y, b + beta g_b)``. Names: ``"output"`` (the default,
        ``g = (0, y, -b)``, Chung et al. 1997), ``"proportional"`` (``g = (-x, y, -b)``),
        ``"input"`` (``g = (-x, 0, 0)``). An array of length ``m + s1 + s2`` is one direction
        for every unit; an array of shape ``(n_eval, m + s1 + s2)`` gives one per unit (its
        shape is checked against the data in :func:`solve`).
    super_mode : str
        For ``"super-sbm"``: ``"efficient"`` (default; the MaxDEA convention: units that are
        SBM-efficient get their super-SBM score >= 1, inefficient units keep their SBM score
        < 1) or ``"all"`` (the super-SBM program for every unit; inefficient units then score
        1 exactly, Tone 2002 Theorem 1).
    weights : array-like or None
        NDDF weights on the ``m + s1 + s2`` dimensions, used as given (the objective is
        ``sum w_d beta_d``; the Stata ``nddf`` convention), so with weights that do not sum
        to 1 the reported ``beta`` scales with them. ``None``: equal weights on the
        dimensions the direction moves (nonzero component), summing to 1.
    normalise_weights : bool
        Divide the given NDDF weights by their sum (so ``beta`` is a weighted mean of the
        per-dimension betas). Default ``False``.
    nondiscretionary : sequence of int
        Radial models: positions of non-discretionary inputs (Banker & Morey 1986), not
        contracted under input orientation and left out of the max-slack phase.
    bad_disposal : str
        DDF/NDDF bad-output rows: ``"weak"`` (default; ``B lam = b0 + beta g_b``, Chung,
        Färe & Grosskopf 1997) or ``"free"`` (``B lam <= b0 + beta g_b``).
    outside : str
        SBM only, for evaluated points outside the reference technology (cross-period
        evaluations): ``"super"`` (default) solves the super-SBM program against the full
        reference set where the SBM program is infeasible, giving a score > 1 (the convention
        of Tone 2004 and Fukuyama & Weber 2009 for SBM distance functions in Malmquist
        indices); ``"infeasible"`` reports status ``"infeasible"`` and NaN.
    """

    model: str = "sbm"
    rts: str | None = None
    orientation: str | None = None
    direction: Any = None
    super_mode: str = "efficient"
    weights: Any = None
    outside: str = "super"
    bad_disposal: str = "weak"
    normalise_weights: bool = False
    nondiscretionary: Any = ()
    _dir: np.ndarray | None = field(default=None, init=False, repr=False)
    _w: np.ndarray | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        model = _norm(canonical("dea_model", self.model, MODELS))
        if model not in MODELS:
            raise _choices("DEA model", self.model, MODELS)
        rts = _norm(self.rts)
        if model == "ccr":
            if rts not in (None, "crs"):
                raise DataError("model 'ccr' has constant returns; use model='bcc' for 'vrs' "
                                "or model='radial' with rts='vrs', 'nirs' or 'ndrs'")
            model, rts = "radial", "crs"
        elif model == "bcc":
            if rts not in (None, "vrs"):
                raise DataError("model 'bcc' has variable returns; use model='ccr' for 'crs'")
            model, rts = "radial", "vrs"
        if model == "fdh":
            rts = "fdh"
        if rts is None:
            rts = "crs"
        if rts not in RTS and model != "fdh":
            raise _choices("returns to scale", self.rts, RTS)
        orientation = _norm(self.orientation)
        if orientation is None:
            orientation = "input" if model in RADIAL_MODELS else "non"
        if orientation not in ORIENTATIONS:
            raise _choices("orientation", self.orientation, ORIENTATIONS)
        if model in RADIAL_MODELS and orientation == "non":
            raise DataError(
                "radial (CCR/BCC) models need orientation 'input' or 'output'; "
                "use model='sbm' for a non-oriented measure"
            )
        if model in ("ddf", "nddf"):
            orientation = "non"
        super_mode = _norm(self.super_mode)
        if super_mode not in SUPER_MODES:
            raise _choices("super_mode", self.super_mode, SUPER_MODES)
        outside = _norm(self.outside)
        if outside not in OUTSIDE:
            raise _choices("outside", self.outside, OUTSIDE)
        bad_disposal = _norm(self.bad_disposal)
        if bad_disposal not in BAD_DISPOSAL:
            raise _choices("bad_disposal", self.bad_disposal, BAD_DISPOSAL)
        direction = _norm(self.direction)
        d_arr: np.ndarray | None = None
        if model in ("ddf", "nddf"):
            if direction is None:
                direction = "output"
            if isinstance(direction, str):
                if direction not in NAMED_DIRECTIONS:
                    raise _choices("direction", self.direction, NAMED_DIRECTIONS)
            else:
                try:
                    d_arr = np.array(direction, dtype=float)
                except (TypeError, ValueError) as exc:
                    raise DataError(f"direction must be a name or numbers: {exc}") from exc
                if d_arr.ndim not in (1, 2) or d_arr.size == 0:
                    raise DataError(
                        "direction must be a vector of length m + s1 + s2 or an array of "
                        f"shape (n_eval, m + s1 + s2); got shape {d_arr.shape}"
                    )
                if not np.all(np.isfinite(d_arr)):
                    raise DataError("direction contains missing or infinite values")
                d_arr.setflags(write=False)
                direction = "custom"
        elif direction is not None:
            raise DataError(f"direction is for models 'ddf' and 'nddf', not {model!r}")
        w_arr: np.ndarray | None = None
        if self.weights is not None:
            if model != "nddf":
                raise DataError(f"weights are for model 'nddf', not {model!r}")
            w_arr = np.array(self.weights, dtype=float)
            if w_arr.ndim != 1 or not np.all(np.isfinite(w_arr)) or np.any(w_arr < 0):
                raise DataError("NDDF weights must be a vector of non-negative numbers")
            if w_arr.sum() <= 0:
                raise DataError("NDDF weights must not all be zero")
            w_arr.setflags(write=False)
        object.__setattr__(self, "model", model)
        object.__setattr__(self, "rts", rts)
        object.__setattr__(self, "orientation", orientation)
        object.__setattr__(self, "direction", direction)
        object.__setattr__(self, "super_mode", super_mode)
        object.__setattr__(self, "outside", outside)
        object.__setattr__(self, "bad_disposal", bad_disposal)
        try:
            nd = tuple(sorted({int(i) for i in (self.nondiscretionary or ())}))
        except (TypeError, ValueError) as exc:
            raise DataError("nondiscretionary must be input positions (whole numbers)") from exc
        if nd and model not in ("radial", "super-radial"):
            raise DataError(f"non-discretionary inputs are for radial models, not {model!r}")
        if any(i < 0 for i in nd):
            raise DataError("nondiscretionary input positions must be >= 0")
        object.__setattr__(self, "nondiscretionary", nd)
        object.__setattr__(self, "_dir", d_arr)
        object.__setattr__(self, "_w", w_arr)

    @property
    def direction_array(self) -> np.ndarray | None:
        """The custom direction as a read-only array (``None`` for a named direction)."""
        return self._dir

    @property
    def weights_array(self) -> np.ndarray | None:
        """The NDDF weights as a read-only array (``None``: equal weights)."""
        return self._w

    @property
    def label(self) -> str:
        """A short name such as ``"sbm-crs-non"`` or ``"radial-vrs-input"``."""
        return f"{self.model}-{self.rts}-{self.orientation}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description of every choice."""
        d: dict[str, Any] = {
            "model": self.model,
            "rts": self.rts,
            "orientation": self.orientation,
            "super_mode": self.super_mode,
            "outside": self.outside,
            "direction": self.direction,
        }
        if self.bad_disposal != "weak":
            d["bad_disposal"] = self.bad_disposal
        if self.nondiscretionary:
            d["nondiscretionary"] = list(self.nondiscretionary)
        if self._dir is not None:
            d["direction_values"] = self._dir.tolist()
        if self._w is not None:
            d["weights"] = self._w.tolist()
            d["normalise_weights"] = bool(self.normalise_weights)
        return d

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DEASpec):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(repr(sorted(self.to_dict().items(), key=lambda kv: kv[0])))
