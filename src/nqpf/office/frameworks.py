"""Frameworks and their versions in the office database.

A version is imported once from YAML or a flat xlsx/csv table (read by
:func:`nqpf.framework.load_framework`, with its errors) and kept verbatim as
YAML, so that a run years later uses exactly the framework its period was
pinned to. Its indicators are copied into the ``indicators`` table with the
fields submissions are checked against: unit, direction, plausible bounds,
the department that provides it and its target. Provider and target are read
from the framework when it carries them and can be set by the admin for a
version no period has used yet.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import FrameworkError
from ..framework import load_framework
from ..framework.spec import Framework
from .errors import Conflict, Invalid, NotFound
from .models import FrameworkVersion, Indicator, Period

FRAMEWORK_SUFFIXES = (".yaml", ".yml", ".xlsx", ".csv")


def parse_framework(content: bytes, filename: str) -> Framework:
    """Read a framework file sent to the server; FrameworkError names the problem."""
    suffix = Path(filename).suffix.lower()
    if suffix not in FRAMEWORK_SUFFIXES:
        raise Invalid(f"framework file {filename!r}: use .yaml, .yml, .xlsx or .csv")
    if suffix == ".xlsx":
        from .uploads import check_xlsx_container

        check_xlsx_container(content, filename)
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / Path(filename).name
        p.write_bytes(content)
        try:
            return load_framework(p)
        except FrameworkError as e:
            raise Invalid(str(e)) from None


def _dimension_of(fw: Framework) -> dict[str, str]:
    out: dict[str, str] = {}
    for dim in fw.dimensions:
        for ind in fw.leaves_of(dim.id):
            out[ind] = dim.name_zh
    return out


def import_version(
    s: Session,
    fw: Framework,
    *,
    version: str | None = None,
    valid_from: str | None = None,
    valid_to: str | None = None,
) -> FrameworkVersion:
    """Store ``fw`` as a new version; a (code, version) pair already there is a conflict."""
    ver = version or fw.version
    code = fw.id
    if s.scalar(select(FrameworkVersion).where(FrameworkVersion.code == code,
                                               FrameworkVersion.version == ver)):
        raise Conflict(f"framework {code} version {ver} exists already; give a new version")
    text = fw.to_yaml()
    row = FrameworkVersion(
        code=code, version=ver, name=fw.name_zh,
        valid_from=str(fw.valid_from) if fw.valid_from else valid_from,
        valid_to=str(fw.valid_to) if fw.valid_to else valid_to,
        spec_yaml=text, spec_sha256=hashlib.sha256(text.encode()).hexdigest(),
    )
    s.add(row)
    s.flush()
    dims = _dimension_of(fw)
    for pos, ind in enumerate(fw.indicators):
        lo, hi = ind.effective_bounds
        target = ind.target  # a range a..b has no single target to print in a template
        s.add(Indicator(
            version_id=row.id, code=ind.id, name_zh=ind.name_zh, name_en=ind.name_en,
            unit=ind.unit, direction=ind.direction, dimension=dims.get(ind.id, ""),
            provider=ind.provider or None,
            target=float(target) if isinstance(target, int | float) else None,
            lo=lo, hi=hi, position=pos,
        ))
    s.flush()
    return row


def get_version(s: Session, code: str, version: str) -> FrameworkVersion:
    row = s.scalar(select(FrameworkVersion).where(FrameworkVersion.code == code,
                                                  FrameworkVersion.version == version))
    if row is None:
        raise NotFound(f"no framework {code} version {version}")
    return row


def indicators_of(s: Session, version_id: int) -> list[Indicator]:
    return list(s.scalars(select(Indicator).where(Indicator.version_id == version_id)
                          .order_by(Indicator.position)))


def framework_of(row: FrameworkVersion) -> Framework:
    return load_framework_text(row.spec_yaml)


def load_framework_text(text: str) -> Framework:
    import yaml

    return Framework.from_dict(yaml.safe_load(text))


def framework_for_run(s: Session, row: FrameworkVersion) -> Framework:
    """The version's framework with the providers and targets the admin set in the office."""
    import yaml

    data = yaml.safe_load(row.spec_yaml)
    inds = {i.code: i for i in indicators_of(s, row.id)}

    def walk(node: dict) -> None:
        for child in node.get("children") or node.get("dimensions") or []:
            walk(child)
        for ind in node.get("indicators") or []:
            mine = inds.get(ind.get("id"))
            if mine is None:
                continue
            if mine.provider != (ind.get("provider") or None):
                ind["provider"] = mine.provider
            if mine.target is not None and not isinstance(ind.get("target"), str) \
                    and ind.get("target") != mine.target:
                ind["target"] = mine.target
                ind.pop("target_op", None)

    walk(data)
    try:
        return Framework.from_dict(data)
    except FrameworkError as e:
        raise Invalid(f"framework {row.code} version {row.version}: {e}") from None


def set_indicator(s: Session, row: FrameworkVersion, code: str, **fields: Any) -> Indicator:
    """Change provider or target of an indicator of a version that no period uses yet."""
    if s.scalar(select(Period.id).where(Period.version_id == row.id).limit(1)):
        raise Conflict(
            f"framework {row.code} version {row.version} is used by a period already; "
            "import a new version to change its providers or targets"
        )
    ind = s.scalar(select(Indicator).where(Indicator.version_id == row.id,
                                           Indicator.code == code))
    if ind is None:
        raise NotFound(f"framework {row.code} version {row.version} has no indicator {code}")
    for k, v in fields.items():
        if k not in ("provider", "target"):
            raise Invalid(f"unknown indicator field {k}; only provider and target can be set")
        setattr(ind, k, v)
    return ind


def version_dict(row: FrameworkVersion, inds: list[Indicator] | None = None) -> dict[str, Any]:
    d: dict[str, Any] = {
        "code": row.code, "version": row.version, "name": row.name,
        "valid_from": row.valid_from, "valid_to": row.valid_to,
        "sha256": row.spec_sha256, "created_at": row.created_at.isoformat(),
    }
    if inds is not None:
        d["indicators"] = [indicator_dict(i) for i in inds]
    return d


def indicator_dict(i: Indicator) -> dict[str, Any]:
    return {
        "code": i.code, "name_zh": i.name_zh, "name_en": i.name_en, "unit": i.unit,
        "direction": i.direction, "dimension": i.dimension, "provider": i.provider,
        "target": i.target, "lo": i.lo, "hi": i.hi,
    }
