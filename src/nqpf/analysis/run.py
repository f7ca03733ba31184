"""Run one analysis by name, as ``nqpf analyze`` and studies do.

:func:`run_analysis` maps a method name to the analysis function, builds the
groups and spatial weights it needs from simple options, and returns the
analysis result (every result has ``tables()``, ``summary()`` and ``params``).
:func:`write_result` writes the tables as CSV files and the figure as PNG.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..aliases import canonical
from ..errors import DataError

#: Analyses of an index that studies run and report (``analyses:`` of a study file).
STUDY_METHODS = (
    "dagum",
    "theil",
    "kernel",
    "markov",
    "convergence",
    "moran",
    "lisa",
    "coupling",
    "obstacle",
    "typology",
)
#: Spatio-temporal patterns, from ``nqpf analyze`` and Python.
PATTERN_METHODS = ("centre", "sde", "hotspots", "estda")
METHODS = STUDY_METHODS + PATTERN_METHODS
NEEDS_GROUPS = ("dagum",)
SPATIAL = ("moran", "lisa", "hotspots")


@dataclass
class Combined:
    """Several results of one analysis (for example sigma, beta and club convergence)."""

    parts: dict[str, Any]
    params: dict[str, Any] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        out: dict[str, pd.DataFrame] = {}
        for part in self.parts.values():
            out.update(part.tables())
        return out

    def summary(self) -> pd.DataFrame:
        frames = []
        for name, part in self.parts.items():
            s = part.summary()
            frames.append(s.assign(part=name) if "part" not in s.columns else s)
        return pd.concat(frames, ignore_index=True)

    def to_frame(self) -> pd.DataFrame:
        return next(iter(self.parts.values())).to_frame()


def run_analysis(method: str, data: Any, **opts: Any) -> Any:
    """Run analysis ``method`` on ``data`` (a values table, an index result or a panel).

    Options by method (all optional unless said):

    * dagum: ``groups`` (required: ``cn-four-regions``, ``cn-three-belts``, a
      unit,group CSV or a mapping).
    * theil: ``groups``, ``kind`` (``T`` or ``L``).
    * kernel: ``bandwidth`` (silverman, scott, nrd0, normal or a number).
    * markov: ``classes`` (4), ``k`` (1), ``spatial`` (False), ``weights``.
    * convergence: ``kind`` (``absolute`` or ``cross_section``), ``k``, ``spatial``
      (spatial-lag beta with panel fixed effects, through spreg) and ``weights``.
    * moran, lisa, hotspots (Getis-Ord Gi*): ``weights`` (contiguity, inverse_distance,
      economic_distance, nested, or a libpysal W), ``permutations``, ``seed``.
    * coupling: ``data`` is a mapping system name → values (or a wide table);
      ``variant`` (standard or wang2021).
    * obstacle: ``data`` is an index result; ``panel`` and ``framework`` if it
      was built without ``explain``.
    * typology: ``data`` is an index result or a wide table of dimension
      scores; ``k``, ``cluster`` (kmeans or ward), ``seed``.
    * estda (LISA time paths, space-time transitions): ``weights``.
    * centre, sde: ``points`` (a table unit, lon, lat; default the province centroids);
      sde also ``convention`` (yuill, arcgis or crimestat).
    """
    method = canonical("analysis", method, METHODS)
    if method not in METHODS:
        raise DataError(f"unknown analysis {method!r}; choose one of {', '.join(METHODS)}")
    lang = opts.get("lang", "en")
    if method == "dagum":
        from .disparity import dagum

        if opts.get("groups") is None:
            raise DataError("Dagum's decomposition needs groups (e.g. --groups cn-four-regions)")
        return dagum(data, _groups(data, opts["groups"], lang))
    if method == "theil":
        from .disparity import theil

        groups = _groups(data, opts["groups"], lang) if opts.get("groups") is not None else None
        return theil(data, groups, kind=opts.get("kind") or "T")
    if method == "kernel":
        from .dynamics import kernel_density

        return kernel_density(data, bandwidth=_bandwidth(opts.get("bandwidth")))
    if method == "markov":
        from .dynamics import markov

        spatial = bool(opts.get("spatial"))
        w = _weights(data, opts.get("weights") or "contiguity") if spatial else None
        return markov(
            data, classes=_int_opt(opts, "classes", 4, 2), k=_int_opt(opts, "k", 1, 1),
            spatial=spatial, w=w,
        )
    if method == "convergence":
        from .convergence import beta_convergence, phillips_sul, sigma_convergence

        spatial: dict[str, Any] = {}
        if opts.get("spatial"):
            spatial = {"spatial": "lag", "w": _weights(data, opts.get("weights") or "contiguity")}
        parts = {
            "sigma": sigma_convergence(data),
            "beta": beta_convergence(
                data, kind=opts.get("kind") or "absolute", k=_int_opt(opts, "k", 1, 1), **spatial
            ),
            "clubs": phillips_sul(data),
        }
        return Combined(parts, {"method": "convergence"})
    if method in SPATIAL:
        from . import spatial as sp

        w = _weights(data, opts.get("weights") or "contiguity")
        if method == "hotspots":
            from .hotspot import hotspots as fn
        else:
            fn = sp.moran if method == "moran" else sp.lisa
        return fn(
            data,
            w,
            permutations=_int_opt(opts, "permutations", 999, 99),
            seed=_int_opt(opts, "seed", 0, 0),
        )
    if method == "coupling":
        from .coupling import coupling

        return coupling(data, variant=opts.get("variant") or "standard")
    if method == "obstacle":
        from .obstacle import obstacle

        return obstacle(data, panel=opts.get("panel"), framework=opts.get("framework"))
    if method == "estda":
        from .estda import estda

        return estda(data, _weights(data, opts.get("weights") or "contiguity"))
    if method in ("centre", "sde"):
        from .centrography import gravity_centre, sde

        if method == "centre":
            return gravity_centre(data, points=opts.get("points"))
        return sde(data, points=opts.get("points"), convention=opts.get("convention") or "yuill")
    from .typology import typology

    return typology(
        data, method=opts.get("cluster") or "kmeans", k=_int_opt(opts, "k", None, 2),
        seed=_int_opt(opts, "seed", 0, 0),
    )


def _int_opt(opts: dict[str, Any], name: str, default: Any, minimum: int) -> Any:
    """An integer option, ``default`` when not given; 0 or a negative is refused, not replaced.

    The bounds are those of the study file (classes ≥ 2, k ≥ 1, permutations ≥ 99).
    """
    v = opts.get(name)
    if v is None:
        return default
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < minimum:
        raise DataError(
            f"{name}={v!r}: must be a whole number ≥ {minimum} (--{name} on the command line)"
        )
    return int(v)


def _groups(data: Any, groups: Any, lang: str) -> dict[str, str]:
    from ._input import groups_for, values_frame

    return groups_for(values_frame(data)["unit"], groups, lang=lang)


def _bandwidth(b: Any) -> Any:
    if b is None:
        return "silverman"
    try:
        return float(b)
    except (TypeError, ValueError):
        return b


_WEIGHT_FILES = (".gal", ".gwt", ".csv", ".xlsx", ".txt")


def _weights(data: Any, spec: Any) -> Any:
    """A kind name (contiguity, …), a .gal/.gwt/CSV/xlsx weights file, or weights as given."""
    if not isinstance(spec, str | Path):
        return spec
    from ._input import values_frame
    from .spatial import as_weights, spatial_weights

    units = sorted(pd.unique(values_frame(data)["unit"]))
    if Path(spec).suffix.lower() in _WEIGHT_FILES:
        if not Path(spec).is_file():
            raise DataError(f"weights file {str(spec)!r} not found; check the path")
        return as_weights(Path(spec), units=units)
    return spatial_weights(kind=str(spec), units=units)


def write_result(result: Any, out_dir: str | Path, overwrite: bool = False) -> list[Path]:
    """Write every table of ``result`` as ``<stem>.csv`` (UTF-8 with BOM) and its figure.

    Returns the paths written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = result.tables()
    paths = {f"{stem}.csv": df for stem, df in tables.items()}
    names = list(paths) + (["figure.png"] if hasattr(result, "plot") else [])
    clash = [n for n in names if (out / n).exists()]
    if clash and not overwrite:
        raise DataError(f"{out / clash[0]} exists; choose another --out or pass --force")
    written = []
    for name, df in paths.items():
        df.to_csv(out / name, index=False, encoding="utf-8-sig")
        written.append(out / name)
    if hasattr(result, "plot"):
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig = result.plot()
        fig.savefig(out / "figure.png", dpi=150, bbox_inches="tight")
        plt.close(fig)
        written.append(out / "figure.png")
    return written
