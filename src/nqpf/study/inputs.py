"""What a study reads besides its data: input files recorded for the manifest, unit groups.

Shared by the runner and the sections (which record the files they read, such as a map or a
groups table), so that no section imports the runner.
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path
from typing import Any

from ..errors import DataError, NqpfError
from .sections_common import Context

__all__ = ["groups_mapping", "record_input"]


def _sha256(p: Path) -> str:
    h = hashlib.sha256()
    with p.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def record_input(ctx: Context, p: Path, role: str) -> None:
    if p.is_file():
        shown = str(p.resolve())
        with contextlib.suppress(ValueError):
            shown = str(p.resolve().relative_to(ctx.study.base_dir.resolve()))
        if any(i["path"] == shown for i in ctx.inputs):
            return  # one entry per file, under the role that read it first
        ctx.inputs.append(
            {"role": role, "path": shown, "sha256": _sha256(p), "bytes": p.stat().st_size}
        )


def groups_mapping(ctx: Context, g: Any, key: str) -> dict[str, str]:
    """unit → group label for the study's units, from a grouping given in the study."""
    from ..analysis._input import BUILTIN_GROUPS, groups_for

    units = list(ctx.indicators.units)
    try:
        if g == "continents":
            return _continents(units, ctx.lang)
        if isinstance(g, str) and g not in BUILTIN_GROUPS:
            p = ctx.study.resolve_path(g, key)
            record_input(ctx, p, key)
            return groups_for(units, p, lang=ctx.lang)
        return groups_for(units, g, lang=ctx.lang)
    except NqpfError as e:
        raise DataError(f"study section {key}: {e}") from e


_CONTINENT_ZH = {
    "Asia": "亚洲",
    "Europe": "欧洲",
    "Africa": "非洲",
    "America": "美洲",
    "Oceania": "大洋洲",
    "Antarctica": "南极洲",
}


def _continents(units: list[str], lang: str) -> dict[str, str]:
    from ..datasets.reference import countries

    data = countries()
    cont = dict(zip(data["iso3"], data["continent"], strict=False))
    lacking = [u for u in units if not cont.get(u)]
    if lacking:
        raise DataError(
            f"groups 'continents' needs countries as ISO3 codes; {lacking[:10]} are not"
        )
    return {u: (_CONTINENT_ZH.get(cont[u], cont[u]) if lang == "zh" else cont[u]) for u in units}
