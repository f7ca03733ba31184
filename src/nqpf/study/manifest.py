"""The manifest of a study run (``manifest.json``): what made the outputs, for reproduction.

Contents: nqpf version, Python and platform, versions of the packages the
engines use, the resolved study (after ``vars`` and ``--set``), every input file
with its SHA-256 and size, the seeds, the run's parameters (units left out,
imputed cells, recipe), timings per section and the list of outputs. Timings
and the date are the only entries that change between two runs of the same
study; they are kept apart (``timings``, ``created``) so that a comparison can
drop them.
"""

from __future__ import annotations

import datetime as _dt
import json
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from .. import __version__

#: Packages whose versions the manifest records (absent ones are recorded as null).
PACKAGES = (
    "numpy",
    "pandas",
    "scipy",
    "highspy",
    "statsmodels",
    "matplotlib",
    "libpysal",
    "esda",
    "pydantic",
    "pyyaml",
    "openpyxl",
    "pyreadstat",
    "pyarrow",
    "cnmaps",
    "mplfonts",
)


def package_versions() -> dict[str, str | None]:
    """Installed versions of :data:`PACKAGES` (None where not installed)."""
    out: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, Path):
        return str(v)
    if hasattr(v, "item") and callable(v.item):  # numpy scalars
        return v.item()
    if v is None or isinstance(v, str | int | float | bool):
        return v
    return str(v)


def build_manifest(ctx: Any, timings: dict[str, float], outputs: list[str]) -> dict[str, Any]:
    """The manifest dictionary of a finished run (see the module docstring)."""
    study = ctx.study
    spec = study.spec
    rob = spec.robustness
    seeds = {
        "study": spec.seed,
        "robustness": (spec.seed if rob is None or rob.seed is None else rob.seed)
        if rob is not None
        else None,
        "analyses": spec.seed,
    }
    ind = ctx.indicators
    return _jsonable(
        {
            "nqpf": __version__,
            "created": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "packages": package_versions(),
            "study": {
                "path": str(study.path) if study.path is not None else None,
                "sha256": study.sha256,
                "overrides": study.overrides,
                "resolved": study.resolved,
            },
            "lang": ctx.lang,
            "inputs": ctx.inputs,
            "seeds": seeds,
            "parameters": {
                "framework": ctx.framework.id,
                "recipe": ctx.index.recipe.to_dict(),
                "units": list(ind.units),
                "periods": list(ind.periods),
                "indicators": list(ind.indicators),
                "units_left_out": ctx.params.get("units_left_out", []),
                "imputed_cells": ctx.params.get("imputed_cells", 0),
                "impute": spec.cleaning.impute,
            },
            "timings": timings,
            "outputs": sorted(outputs),
        }
    )


def write_manifest(manifest: dict[str, Any], path: Path) -> Path:
    """Write the manifest as indented UTF-8 JSON."""
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
