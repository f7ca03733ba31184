"""The recipe of a composite index: which method at which step and level.

A :class:`Recipe` is a frozen record of every choice that makes an index:
normalisation, panel mode, weights, aggregation, the tree structure, per-level
overrides and method parameters. Results keep their recipe, so any variant is
rebuilt with :meth:`Recipe.replace` and compared with :func:`nqpf.index.compare`.

Defaults follow the most common practice of the NQPF and high-quality
development literature: min-max normalisation over the pooled panel ("global"
min-max, so that scores compare over years), entropy weights over all
unit-years, and the weighted arithmetic mean.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..aliases import canonical
from ..errors import DataError
from .aggregate import METHODS as aggregate_methods
from .normalise import METHODS as normalise_methods
from .normalise import PANEL_MODES as normalise_panel_modes
from .weights import COMBINE_METHODS as combine_methods
from .weights import METHODS as weight_methods

NORMALISE = normalise_methods
PANEL_MODES = normalise_panel_modes
WEIGHTS = weight_methods
AGGREGATE = aggregate_methods
LEVELS = ("index", "dimension", "subdimension")
STRUCTURES = ("flat", "hierarchical")
COMBINE = combine_methods


@dataclass(frozen=True)
class Recipe:
    """Every choice that makes a composite index.

    Parameters
    ----------
    normalise : str
        Normalisation of indicators: minmax, zscore, goalpost, target, rank,
        percentile, log, vector. Every method name of the recipe also takes the
        Chinese names of the literature and other forms (``极差标准化``,
        ``熵权法``, ``变异系数法``, ``TOPSIS``, ``灰色关联``; :mod:`nqpf.aliases`),
        stored as the own name.
    panel_mode : str
        Reference set of normalisation and of ideal points (TOPSIS, GRA, VIKOR):
        ``pooled`` (all unit-periods together, the literature's "global" mode),
        ``per-period`` (each period its own cross-section) or ``base-year``.
    base_period : optional
        The base period for ``panel_mode="base-year"``.
    shift : tuple, optional
        Shift after min-max to keep entropy's logarithm defined: ``("add", 1e-4)``,
        ``("rescale", a, b)`` onto [a, b], or ``("affine", 0.996, 0.002)`` for the
        literature's 0.996·z + 0.002. Default None: no shift, with the
        convention 0·ln 0 = 0.
    weights : str
        equal, expert, entropy, critic, cv, sd, pca, ahp, independence, factor,
        fahp, or a combination of a subjective and an objective method written
        ``"expert+entropy"``.
    combine, alpha : str, float
        How a combination is made: ``linear`` (alpha × first + (1 − alpha) × second),
        ``multiplicative`` or ``game`` (game-theory combination).
    weights_by : str
        ``pooled``: data-driven weights from all unit-periods at once (panel
        entropy); ``per-period`` is not offered because it makes scores of
        different years incomparable.
    aggregate : str
        sum, geometric, harmonic, generalised, topsis, gra, vikor, mpi, copeland.
    structure : str
        ``flat`` (default): the leaf weights are computed once over all
        indicators and every node aggregates the indicators beneath it with
        those weights, renormalised (so with ``sum`` the index equals
        Σ_j w_j z_j, as in entropy-weight papers). ``hierarchical``: every node
        computes weights over its children (indicators or child-node scores)
        and aggregates the children's scores, level by level (OECD/JRC 2008).
    levels : dict
        Per-level overrides, e.g. ``{"index": {"aggregate": "geometric",
        "weights": "equal"}}``. Levels are ``index``, ``dimension``,
        ``subdimension``. In the flat structure only ``aggregate`` may be
        overridden.
    ahp : dict
        Pairwise comparison matrices for ``weights="ahp"`` (or ``"fahp"``, with
        triangular fuzzy judgements ``[l, m, u]`` as entries; ``params``
        ``fahp_method``: ``buckley`` or ``chang``), keyed by node id
        (``"index"`` for the dimensions), each a square list of lists over the
        node's children in framework order.
    params : dict
        Method parameters: ``rho`` (GRA, 0.5), ``v`` (VIKOR, 0.5), ``r``
        (generalised mean), ``zeros`` (geometric/harmonic: ``error`` or
        ``shift``), ``min_share`` (missing cells), ``var_threshold`` (PCA),
        ``goalposts``/``targets`` (dict indicator → value(s)), ``constant``.
    missing : str
        ``renormalise`` (default: a unit-period's score uses its observed
        indicators, weights renormalised) or ``error``.
    treat : bool or dict, optional
        Outlier treatment of the raw indicators before normalisation
        (:mod:`nqpf.index.treat`, COINr's Treat): True for the defaults
        (winsorise up to 5 points when |skewness| > 2 and kurtosis > 3.5, else
        ``log_CT``), or a mapping of :class:`~nqpf.index.treat.TreatSpec`
        settings. None (default): no treatment.
    """

    normalise: str = "minmax"
    panel_mode: str = "pooled"
    base_period: Any = None
    shift: tuple | None = None
    weights: str = "entropy"
    combine: str = "linear"
    alpha: float = 0.5
    weights_by: str = "pooled"
    aggregate: str = "sum"
    structure: str = "flat"
    levels: dict[str, dict[str, str]] = field(default_factory=dict)
    ahp: dict[str, list[list[Any]]] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    missing: str = "renormalise"
    treat: Any = None

    def __post_init__(self) -> None:
        self._canonical_names()
        from .treat import TreatSpec

        spec = TreatSpec.parse(self.treat)
        object.__setattr__(self, "treat", None if spec is None else spec.to_dict())
        _one_of("normalise", self.normalise, NORMALISE)
        _one_of("panel mode", self.panel_mode, PANEL_MODES)
        _one_of("structure", self.structure, STRUCTURES)
        _one_of("combine", self.combine, COMBINE)
        _one_of("missing", self.missing, ("renormalise", "error"))
        if self.weights_by != "pooled":
            raise DataError("weights_by must be 'pooled' (panel weights over all unit-periods)")
        if self.panel_mode == "base-year" and self.base_period is None:
            raise DataError("panel mode 'base-year' needs a base_period")
        if not 0.0 <= float(self.alpha) <= 1.0:
            raise DataError(f"alpha must lie in [0, 1], got {self.alpha}")
        if self.shift is not None:
            object.__setattr__(self, "shift", tuple(self.shift))
        parse_weights(self.weights)
        _one_of("aggregation", self.aggregate, AGGREGATE)
        for level, over in self.levels.items():
            _one_of("level", level, LEVELS)
            for key, val in over.items():
                if key == "aggregate":
                    _one_of("aggregation", val, AGGREGATE)
                elif key == "weights":
                    if self.structure == "flat":
                        raise DataError(
                            f"level {level!r}: weights per level need structure='hierarchical'; "
                            "the flat structure computes one set of indicator weights"
                        )
                    parse_weights(val)
                else:
                    raise DataError(
                        f"level {level!r}: unknown setting {key!r}; use weights or aggregate"
                    )

    def _canonical_names(self) -> None:
        """Chinese and other names of methods (熵权法, TOPSIS, 灰色关联) become own names."""
        def put(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)

        put("normalise", canonical("normalise", self.normalise, NORMALISE))
        put("panel_mode", canonical("panel_mode", self.panel_mode, PANEL_MODES))
        put("weights", _canonical_weights(self.weights))
        put("aggregate", canonical("aggregate", self.aggregate, AGGREGATE))
        if isinstance(self.levels, dict):
            levels = {}
            for level, over in self.levels.items():
                over = dict(over) if isinstance(over, dict) else over
                if isinstance(over, dict):
                    if "weights" in over:
                        over["weights"] = _canonical_weights(over["weights"])
                    if "aggregate" in over:
                        over["aggregate"] = canonical("aggregate", over["aggregate"], AGGREGATE)
                levels[level] = over
            put("levels", levels)

    def at(self, level: str, key: str) -> str:
        """The method for ``key`` (weights or aggregate) at a level, with overrides."""
        return self.levels.get(level, {}).get(key, getattr(self, key))

    def replace(self, **changes: Any) -> Recipe:
        """A variant of this recipe with some choices changed."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["shift"] = list(self.shift) if self.shift else None
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Recipe:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise DataError(f"unknown recipe setting(s) {sorted(unknown)}; known: {sorted(known)}")
        return cls(**d)

    @classmethod
    def from_file(cls, path: str | Path) -> Recipe:
        """Read a recipe from a YAML or JSON file of the fields above."""
        p = Path(path)
        if not p.is_file():
            raise DataError(f"recipe file {p} not found")
        try:
            d = yaml.safe_load(p.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as e:
            raise DataError(f"{p}: not a readable YAML or JSON recipe ({e})") from e
        if not isinstance(d, dict):
            raise DataError(f"{p}: a recipe is a mapping of settings, e.g. 'weights: critic'")
        return cls.from_dict(d)

    def describe(self) -> str:
        """One line: 'minmax (pooled) · entropy weights · sum'."""
        extra = "".join(
            f"; {lv}: " + ", ".join(f"{k} {v}" for k, v in o.items())
            for lv, o in self.levels.items()
        )
        treat = ""
        if self.treat:
            treat = f"treated ({self.treat['transform']}, winmax {self.treat['winmax']}) · "
        return (
            f"{treat}{self.normalise} ({self.panel_mode}) · {self.weights} weights · "
            f"{self.aggregate} · {self.structure}{extra}"
        )


def _canonical_weights(spec: Any) -> Any:
    if not isinstance(spec, str):
        return spec
    parts = [canonical("weights", p.strip(), WEIGHTS) for p in spec.split("+")]
    return "+".join(parts)


def parse_weights(spec: str) -> tuple[str, ...]:
    """Split ``"expert+entropy"`` into its methods, checking each name."""
    parts = tuple(p.strip() for p in str(spec).split("+"))
    if len(parts) > 2:
        raise DataError(f"weights {spec!r}: combine at most two methods, e.g. expert+entropy")
    for p in parts:
        _one_of("weighting", p, WEIGHTS)
    return parts


def _one_of(what: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise DataError(f"unknown {what} method {value!r}; choose one of {', '.join(allowed)}")
