"""Data packs: a folder of data files described by a ``pack.yaml``.

A data pack keeps published statistics together with what a study must cite
and know about them: who published them, under which licence, when they were
retrieved, and, per indicator, its names, unit and direction. ``nqpf`` reads a
pack as one :class:`~nqpf.panel.core.Panel` whose ``meta`` carries the source,
licence, citation and retrieval date.

Layout of a pack folder::

    my-pack/
      pack.yaml        the description (below)
      data.csv         one or more data files, paths relative to the folder

``pack.yaml``::

    name: wdi-countries                  # identifier of the pack
    title_zh: 世界发展指标 (国家, 2015-2020)
    title_en: World Development Indicators (countries, 2015-2020)
    source: World Bank, World Development Indicators
    licence: CC BY 4.0
    citation: World Bank (2025). World Development Indicators. Washington, DC.
    retrieved: 2025-06-30                # date the data were downloaded
    url: https://datacatalog.worldbank.org/dataset/world-development-indicators
    files:
      - path: data.csv
        layout: wide                     # auto, long, wide or years
        unit: unit                       # column names; guessed when left out
        period: period
        units: country                   # province, country, none (or auto)
    indicators:
      - id: GB.XPD.RSDV.GD.ZS            # the indicator name used in the data
        name_zh: R&D经费支出占GDP比重
        name_en: Research and development expenditure (% of GDP)
        unit: "%"
        direction: "+"                   # + benefit, - cost; leave out for
        source: UNESCO UIS via WDI       #   denominators such as population

Each entry of ``files`` is read with :func:`nqpf.panel.io.read_panel` and its
options (``layout``, ``unit``, ``period``, ``indicator``, ``value``,
``indicator_name`` for a long file without an indicator column, ``units``,
``encoding``, ``sheet``); the panels are merged with
:meth:`~nqpf.panel.core.Panel.merge`, so two files may hold different
indicators, units or years but never two different values for one cell.

Problems in ``pack.yaml`` (malformed YAML, unknown or missing fields, a file
that is not there) raise a :class:`~nqpf.errors.DataError` naming the line.
A mismatch between the indicator metadata and the data is not an error: it is
listed in :attr:`Pack.notes`, so that a pack with a dropped series still reads.

:func:`load_data` is the single entry point for reading data by path: a pack
folder goes through :func:`read_pack`, anything else through
:func:`~nqpf.panel.io.read_panel` (which knows nothing of packs).
"""

from __future__ import annotations

import codecs
import datetime as _dt
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from ..errors import DataError
from ..output import atomic_write
from ..panel.core import Panel
from ..yamltools import key_line as _key_line
from ..yamltools import loc_text as _loc_text
from ..yamltools import parse_yaml as _parse_yaml
from ..yamltools import problems_error

__all__ = [
    "DATA_FILE",
    "PACK_FILE",
    "Pack",
    "PackFile",
    "PackIndicator",
    "PackMetadata",
    "is_pack",
    "load_data",
    "read_pack",
    "write_pack",
]

#: Name of the description file that makes a folder a data pack.
PACK_FILE = "pack.yaml"
#: Name of the data file :func:`write_pack` writes.
DATA_FILE = "data.csv"

_CONFIG = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
_NAME = re.compile(r"^[^\W_][\w.\-]*$")
# read_panel's defaults: options equal to them are "not given" in load_data
_READ_DEFAULTS: dict[str, Any] = {
    "layout": "auto", "unit": None, "period": None, "indicator": None, "value": None,
    "indicators": None, "indicator_name": None, "encoding": None, "sheet": None,
    "units": "auto", "aliases": None, "duplicates": "error", "non_numeric": "error",
    "parentheses_negative": False, "progress": None,
}


def _nonempty(v: Any, what: str) -> str:
    if v is None or isinstance(v, bool) or not isinstance(v, str | int | float):
        raise ValueError(f"{what} must be text, got {v!r}")
    s = str(v).strip()
    if not s:
        raise ValueError(f"{what} is empty")
    return s


# ====================================================================== models
class PackFile(BaseModel):
    """One data file of a pack and the options to read it.

    Parameters
    ----------
    path : str
        Relative to the pack folder, with ``/`` between folders; it may not
        leave the folder (no absolute paths, no ``..``).
    layout : {"auto", "long", "wide", "years"}
        Table layout (see :func:`nqpf.panel.io.to_long_table`).
    unit, period, indicator, value : str, optional
        Column names; guessed when left out.
    indicator_name : str, optional
        Indicator of a long file with a value column but no indicator column
        (one file per indicator, as World Bank downloads); defaults to the
        file name without extension.
    units : {"auto", "province", "country", "none"}
        How unit names are resolved to ids (ISO 3166-2 provinces, ISO3
        countries) or kept as written.
    encoding : str, optional
        Text encoding; detected when left out.
    sheet : str or int, optional
        Excel sheet name or 0-based number.
    """

    model_config = _CONFIG

    path: str
    layout: Literal["auto", "long", "wide", "years"] = "auto"
    unit: str | None = None
    period: str | None = None
    indicator: str | None = None
    value: str | None = None
    indicator_name: str | None = None
    units: Literal["auto", "province", "country", "none"] = "auto"
    encoding: str | None = None
    sheet: str | int | None = None

    @field_validator("path", mode="before")
    @classmethod
    def _path(cls, v: Any) -> str:
        s = _nonempty(v, "path").replace("\\", "/")
        p = PurePosixPath(s)
        if p.is_absolute() or re.match(r"^[A-Za-z]:", s) or ".." in p.parts:
            raise ValueError(
                f"path {v!r} must be relative to the pack folder and stay inside it "
                "(no absolute path, no '..')"
            )
        return str(p)

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, v: str | None) -> str | None:
        if v is None:
            return None
        try:
            codecs.lookup(v)
        except LookupError:
            raise ValueError(
                f"unknown text encoding {v!r}; use e.g. utf-8, utf-8-sig, gbk or gb18030"
            ) from None
        return v


class PackIndicator(BaseModel):
    """Metadata of one indicator of a pack.

    Parameters
    ----------
    id : str
        The indicator's name in the data (e.g. a WDI code ``GB.XPD.RSDV.GD.ZS``).
    name_zh, name_en : str
        Names in Chinese and English.
    unit : str
        Unit of the values as stored (``%``, ``persons``, ``万元``).
    direction : {"+", "-"}, optional
        ``+`` benefit (larger is better), ``-`` cost; any spelling that
        :func:`nqpf.framework.spec.parse_direction` reads (``benefit``,
        ``正向``, ``-1``…) is accepted and stored as ``+``/``-``. Left out for
        series that are not evaluated by themselves (population used as a
        denominator).
    source : str, optional
        Producer of this series when it differs from the pack's source.
    description : str, optional
        Definition or notes.
    """

    model_config = _CONFIG

    id: str
    name_zh: str
    name_en: str
    unit: str
    direction: Literal["+", "-"] | None = None
    source: str | None = None
    description: str | None = None

    @field_validator("id", "name_zh", "name_en", mode="before")
    @classmethod
    def _text(cls, v: Any, info: ValidationInfo) -> str:
        return _nonempty(v, str(info.field_name))

    @field_validator("unit", mode="before")
    @classmethod
    def _unit(cls, v: Any) -> str:
        if v is None:
            return ""
        if isinstance(v, bool) or not isinstance(v, str | int | float):
            raise ValueError(f"unit must be text, got {v!r}")
        return str(v).strip()

    @field_validator("direction", mode="before")
    @classmethod
    def _direction(cls, v: Any, info: ValidationInfo) -> str | None:
        if v is None or (isinstance(v, str) and not v.strip()):
            return None
        from ..framework.spec import parse_direction

        return "+" if parse_direction(v, str(info.data.get("id", "?"))) > 0 else "-"


class PackMetadata(BaseModel):
    """The content of ``pack.yaml``.

    Parameters
    ----------
    name : str
        Identifier of the pack: letters, digits, ``_``, ``-`` and ``.``.
    title_zh, title_en : str
        Titles in Chinese and English.
    source : str
        Publisher of the data (``World Bank, World Development Indicators``).
    licence : str
        Licence of the data (``CC BY 4.0``).
    citation : str
        How to cite the data.
    retrieved : date
        When the data were downloaded (``YYYY-MM-DD``).
    url : str, optional
        Where the data come from.
    files : list of PackFile
        At least one; paths unique.
    indicators : list of PackIndicator
        Indicator metadata; ids unique. May be empty (every data indicator is
        then reported in :attr:`Pack.notes`).
    """

    model_config = _CONFIG

    name: str
    title_zh: str
    title_en: str
    source: str
    licence: str
    citation: str
    retrieved: _dt.date
    url: str | None = None
    files: list[PackFile] = Field(min_length=1)
    indicators: list[PackIndicator] = Field(default_factory=list)

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, v: Any) -> str:
        s = _nonempty(v, "name")
        if not _NAME.match(s):
            raise ValueError(
                f"name {v!r} must start with a letter or digit and hold only letters, digits, "
                "'_', '-' and '.' (e.g. 'wdi-countries')"
            )
        return s

    @field_validator("title_zh", "title_en", "source", "licence", "citation", mode="before")
    @classmethod
    def _text(cls, v: Any, info: ValidationInfo) -> str:
        return _nonempty(v, str(info.field_name))

    @field_validator("retrieved", mode="before")
    @classmethod
    def _date(cls, v: Any) -> Any:
        if isinstance(v, _dt.datetime):
            return v.date()
        if isinstance(v, str):
            try:
                return _dt.date.fromisoformat(v.strip())
            except ValueError:
                raise ValueError(
                    f"retrieved {v!r} is not a date; write it as YYYY-MM-DD, e.g. 2025-06-30"
                ) from None
        return v

    @field_validator("files")
    @classmethod
    def _unique_paths(cls, v: list[PackFile]) -> list[PackFile]:
        seen = [f.path for f in v]
        dup = sorted({p for p in seen if seen.count(p) > 1})
        if dup:
            raise ValueError(f"files listed twice: {dup}")
        return v

    @field_validator("indicators")
    @classmethod
    def _unique_ids(cls, v: list[PackIndicator]) -> list[PackIndicator]:
        seen = [i.id for i in v]
        dup = sorted({i for i in seen if seen.count(i) > 1})
        if dup:
            raise ValueError(f"indicator ids described twice: {dup}")
        return v

    def to_yaml(self) -> str:
        """The metadata as ``pack.yaml`` text (fields left at their default are omitted)."""
        data = self.model_dump(mode="json", exclude_none=True)
        data["retrieved"] = self.retrieved  # written as a plain YAML date, 2025-06-30
        data["files"] = [
            f.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
            for f in self.files
        ]
        return yaml.safe_dump(
            data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100
        )


# ====================================================================== the pack
@dataclass(frozen=True, eq=False)
class Pack:
    """A data pack as read by :func:`read_pack`.

    Attributes
    ----------
    panel : Panel
        The data of every file, merged. ``meta`` holds ``source``,
        ``licence``, ``citation``, ``retrieved`` (ISO date text) and ``url``
        from ``pack.yaml``, ``pack`` (``name``, ``title_zh``, ``title_en``,
        ``folder``, ``files``), ``indicator_meta`` (id → names, unit,
        direction), plus what :func:`~nqpf.panel.io.read_panel` records
        (``unit_kind``, ``unit_mapping``, ``dropped_units``, …).
    metadata : PackMetadata
        The parsed ``pack.yaml``.
    indicators : DataFrame
        One row per indicator, described or in the data: ``id, name_zh,
        name_en, unit, direction, source, description, described`` (has
        metadata), ``in_data`` (is in the panel) and ``coverage`` (share of
        the panel's unit-periods observed; NaN when not in the data). Described
        indicators come first, in ``pack.yaml`` order, then the others in data
        order.
    notes : tuple of str
        Mismatches between metadata and data, for the user to read.
    folder : Path
        The pack folder.
    """

    panel: Panel
    metadata: PackMetadata
    indicators: pd.DataFrame
    notes: tuple[str, ...]
    folder: Path

    def __repr__(self) -> str:
        return f"Pack({self.metadata.name!r}, {self.panel!r}, {len(self.notes)} notes)"

    def to_frame(self) -> pd.DataFrame:
        """The indicator table (a copy)."""
        return self.indicators.copy()

    def summary(self) -> pd.DataFrame:
        """The pack at a glance: columns ``field, value`` (text)."""
        m = self.metadata
        n_u, n_t, n_k = self.panel.shape
        span = f"{self.panel.periods[0]}–{self.panel.periods[-1]}" if n_t else "none"
        rows = [
            ("name", m.name), ("title_zh", m.title_zh), ("title_en", m.title_en),
            ("source", m.source), ("licence", m.licence), ("citation", m.citation),
            ("retrieved", m.retrieved.isoformat()), ("url", m.url or ""),
            ("files", ", ".join(f.path for f in m.files)),
            ("units", str(n_u)), ("periods", f"{n_t} ({span})"), ("indicators", str(n_k)),
            ("notes", str(len(self.notes))),
        ]
        return pd.DataFrame(rows, columns=["field", "value"])


# ====================================================================== pack.yaml
def _pack_file(folder: str | os.PathLike[str]) -> tuple[Path, Path]:
    """(folder, pack.yaml) for a pack folder or the path of its pack.yaml."""
    p = Path(folder)
    if p.is_file() and p.name == PACK_FILE:
        return p.parent, p
    if not p.exists():
        raise DataError(f"{p}: pack folder not found; check the path and the working directory")
    if not p.is_dir():
        raise DataError(
            f"{p} is a file, not a data pack; a pack is a folder holding {PACK_FILE} and its "
            "data files (read plain files with nqpf.panel.io.read_panel)"
        )
    y = p / PACK_FILE
    if not y.is_file():
        raise DataError(
            f"{p}: no {PACK_FILE} in this folder, so it is not a data pack. Write one with "
            f"nqpf.sources.pack.write_pack, or add a {PACK_FILE} naming the source, licence, "
            "citation, retrieval date and data files (see the nqpf.sources.pack docs)"
        )
    return p, y


def _metadata_error(err: ValidationError, node: Any, where: str) -> DataError:
    lines = []
    for e in err.errors(include_url=False):
        loc = tuple(e["loc"])
        msg = str(e["msg"]).removeprefix("Value error, ")
        if e["type"] == "missing":
            msg = "missing (required)"
        elif e["type"] == "extra_forbidden":
            holder = _field_names(loc[:-1])
            msg = f"unknown field {loc[-1]!r}; allowed: {', '.join(holder)}"
        elif e["type"] == "too_short" and loc == ("files",):
            msg = "no data file listed; give at least one entry with a path"
        line = _key_line(node, loc)
        at = f"line {line}: " if line is not None else ""
        text = f"{at}{_loc_text(loc) or 'pack'}: {msg}"
        if text not in lines:
            lines.append(text)
    return problems_error(where, lines)


def _field_names(loc: Sequence[Any]) -> list[str]:
    keys = [k for k in loc if isinstance(k, str)]
    if keys[-1:] == ["files"]:
        return list(PackFile.model_fields)
    if keys[-1:] == ["indicators"]:
        return list(PackIndicator.model_fields)
    return list(PackMetadata.model_fields)


def _read_metadata(yaml_path: Path) -> tuple[PackMetadata, Any]:
    raw = yaml_path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise DataError(
            f"{yaml_path}: not UTF-8 text (bad byte at offset {e.start}); save {PACK_FILE} "
            "as UTF-8"
        ) from None
    data, node = _parse_yaml(text, str(yaml_path))
    try:
        return PackMetadata.model_validate(data), node
    except ValidationError as err:
        raise _metadata_error(err, node, str(yaml_path)) from None


# ====================================================================== read_pack
def read_pack(folder: str | os.PathLike[str]) -> Pack:
    """Read a data pack folder into a :class:`Pack`.

    Parameters
    ----------
    folder : str or Path
        The pack folder (or the path of its ``pack.yaml``).

    Returns
    -------
    Pack
        The merged panel with the pack's provenance in ``panel.meta``, the
        parsed metadata, the indicator table and the notes.

    Raises
    ------
    DataError
        No such folder; no ``pack.yaml``; malformed YAML (line and column);
        invalid or unknown fields (each with its line); a listed data file
        that is not in the folder (with the line that lists it); a data file
        that cannot be read (the reader's message, naming the file and row);
        two files giving different values for one cell.

    Notes
    -----
    Not errors, but listed in :attr:`Pack.notes`: indicators described in
    ``pack.yaml`` that no data file holds, and data indicators without a
    description.
    """
    from ..panel.io import read_panel

    root, yaml_path = _pack_file(folder)
    md, node = _read_metadata(yaml_path)

    missing = []
    for i, f in enumerate(md.files):
        p = root / f.path
        if not p.is_file():
            line = _key_line(node, ("files", i, "path"))
            present = sorted(q.name for q in root.iterdir() if q.name != PACK_FILE)
            missing.append(
                f"line {line}: files[{i}].path {f.path!r}: "
                + ("is a folder, not a file" if p.is_dir() else "not found")
                + f" (files in the folder: {present[:10]}{' …' if len(present) > 10 else ''})"
            )
    if missing:
        raise DataError(
            f"{yaml_path}: " + "; ".join(missing)
            + ". Put the data file(s) in the pack folder or correct the paths in "
            f"{PACK_FILE}"
        )

    panels = []
    for f in md.files:
        panels.append(
            read_panel(
                root / f.path, layout=f.layout, unit=f.unit, period=f.period,
                indicator=f.indicator, value=f.value, indicator_name=f.indicator_name,
                encoding=f.encoding, sheet=f.sheet, units=f.units,
            )
        )
    try:
        panel = reduce(lambda a, b: a.merge(b), panels)
    except DataError as e:
        raise DataError(
            f"{yaml_path}: the data files of pack {md.name!r} disagree: {e}; keep each cell "
            "in one file only"
        ) from e

    described = [ind.id for ind in md.indicators]
    have = list(panel.indicators)
    notes: list[str] = []
    absent = [i for i in described if i not in have]
    for ind in absent:
        k = described.index(ind)
        line = _key_line(node, ("indicators", k, "id"))
        close = _close(ind, have)
        notes.append(
            f"indicator {ind!r} is described in {PACK_FILE} (line {line}) but no data file "
            f"holds it{close}"
        )
    undescribed = [i for i in have if i not in described]
    if undescribed:
        shown = ", ".join(map(repr, undescribed[:10])) + (" …" if len(undescribed) > 10 else "")
        notes.append(
            f"{len(undescribed)} indicator(s) in the data have no metadata in {PACK_FILE}: "
            f"{shown}; add them under 'indicators:' with names, unit and direction"
        )

    table = _indicator_table(md, panel)
    meta = dict(panel.meta)
    files = [str(root / f.path) for f in md.files]
    if len(panels) > 1:
        meta.update(
            unit_kind="; ".join(dict.fromkeys(str(p.meta.get("unit_kind")) for p in panels)),
            unit_mapping={k: v for p in panels for k, v in p.meta.get("unit_mapping", {}).items()},
            dropped_units=list(
                dict.fromkeys(u for p in panels for u in p.meta.get("dropped_units", []))
            ),
            dropped_rows=sum(int(p.meta.get("dropped_rows", 0)) for p in panels),
            n_rows=sum(int(p.meta.get("n_rows", 0)) for p in panels),
            files=[{k: v for k, v in p.meta.items() if k != "conversions"} for p in panels],
        )
    meta.update(
        source=md.source,
        licence=md.licence,
        citation=md.citation,
        retrieved=md.retrieved.isoformat(),
        url=md.url,
        pack={
            "name": md.name, "title_zh": md.title_zh, "title_en": md.title_en,
            "folder": str(root), "files": files,
        },
        indicator_meta={
            ind.id: ind.model_dump(exclude={"id"}) for ind in md.indicators
        },
    )
    return Pack(
        panel=panel.replace(meta=meta), metadata=md, indicators=table,
        notes=tuple(notes), folder=root,
    )


def _close(name: str, have: Sequence[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(have), n=1, cutoff=0.6)
    if not close:
        low = {h.lower(): h for h in have}
        if name.lower() in low:
            close = [low[name.lower()]]
    return f" (did you mean {close[0]!r}?)" if close else ""


def _indicator_table(md: PackMetadata, panel: Panel) -> pd.DataFrame:
    have = list(panel.indicators)
    cov = (~np.isnan(panel.values)).mean(axis=(0, 1)) if panel.values.size else np.zeros(len(have))
    cov_of = dict(zip(have, cov.tolist(), strict=True))
    rows = []
    for ind in md.indicators:
        rows.append(
            {
                "id": ind.id, "name_zh": ind.name_zh, "name_en": ind.name_en, "unit": ind.unit,
                "direction": ind.direction, "source": ind.source,
                "description": ind.description, "described": True,
                "in_data": ind.id in cov_of, "coverage": cov_of.get(ind.id, np.nan),
            }
        )
    described = {ind.id for ind in md.indicators}
    for name in have:
        if name not in described:
            rows.append(
                {
                    "id": name, "name_zh": None, "name_en": None, "unit": None,
                    "direction": None, "source": None, "description": None,
                    "described": False, "in_data": True, "coverage": cov_of[name],
                }
            )
    cols = ["id", "name_zh", "name_en", "unit", "direction", "source", "description",
            "described", "in_data", "coverage"]
    df = pd.DataFrame(rows, columns=cols)
    df["described"] = df["described"].astype(bool)
    df["in_data"] = df["in_data"].astype(bool)
    df["coverage"] = df["coverage"].astype(float)
    return df


# ====================================================================== write_pack
def write_pack(
    panel: Panel,
    folder: str | os.PathLike[str],
    metadata: PackMetadata | Mapping[str, Any],
    overwrite: bool = False,
    *,
    units: Literal["province", "country", "none"] | None = None,
) -> Path:
    """Write a panel as a data pack: ``data.csv`` (wide) and ``pack.yaml``.

    Parameters
    ----------
    panel : Panel
        The data. Imputation flags, if any cell is marked, are written as
        ``<indicator>__imputed`` columns and read back by :func:`read_pack`.
    folder : str or Path
        The pack folder; made when missing. Other files in it are left alone.
    metadata : PackMetadata or mapping
        The fields of ``pack.yaml`` (``name``, ``title_zh``, ``title_en``,
        ``source``, ``licence``, ``citation``, ``retrieved``, optional
        ``url`` and ``indicators``). ``files`` may be left out: it is set to
        the one file written, ``data.csv`` in wide layout (any ``files`` given
        are replaced, since only ``data.csv`` is written).
    overwrite : bool
        ``data.csv`` or ``pack.yaml`` already in the folder is refused unless
        True.
    units : {"province", "country", "none"}, optional
        How the unit ids are to be resolved when read back; default: the
        panel's ``meta["unit_kind"]`` when it is one of these, else ``"none"``
        (ids kept as written).

    Returns
    -------
    Path
        The pack folder.

    Raises
    ------
    DataError
        Invalid metadata (each problem named), a folder path that is a file,
        or existing pack files without ``overwrite=True``.

    Notes
    -----
    ``data.csv`` is written by :func:`nqpf.panel.io.write_panel` (UTF-8 with
    a byte-order mark, full float precision, every unit × period row, missing
    cells empty). Both files go through a temporary file in the folder, so a
    failed write leaves no half-written file; the data file is written first.
    """
    from ..panel.io import write_panel

    if not isinstance(panel, Panel):
        raise DataError(f"write_pack needs a Panel, got {type(panel).__name__}")
    if units is not None and units not in ("province", "country", "none"):
        raise DataError(f"unknown units={units!r}; use province, country or none")
    kind = units or (
        panel.meta.get("unit_kind")
        if panel.meta.get("unit_kind") in ("province", "country", "none") else "none"
    )
    entry = {"path": DATA_FILE, "layout": "wide", "unit": "unit", "period": "period",
             "units": kind}
    if isinstance(metadata, PackMetadata):
        data = metadata.model_dump()
    elif isinstance(metadata, Mapping):
        data = dict(metadata)
    else:
        raise DataError(
            f"metadata must be a PackMetadata or a mapping of pack.yaml fields, got "
            f"{type(metadata).__name__}"
        )
    data["files"] = [entry]
    try:
        md = PackMetadata.model_validate(data)
    except ValidationError as err:
        raise _metadata_error(err, None, "pack metadata") from None

    root = Path(folder)
    if root.exists() and not root.is_dir():
        raise DataError(f"{root} is a file; give the path of a (new or existing) pack folder")
    targets = [root / DATA_FILE, root / PACK_FILE]
    there = [str(t) for t in targets if t.exists()]
    if there and not overwrite:
        raise DataError(
            f"{', '.join(there)} already exist(s); pass overwrite=True (--force) to replace "
            "the pack, or choose another folder"
        )
    root.mkdir(parents=True, exist_ok=True)
    write_panel(panel, root / DATA_FILE, layout="wide", overwrite=True,
                imputed=bool(panel.imputed.any()))
    text = (
        f"# nqpf data pack {md.name}: data files and what to cite "
        "(read with nqpf.sources.pack.read_pack)\n" + md.to_yaml()
    )
    atomic_write(root / PACK_FILE, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return root


# ====================================================================== load_data
def is_pack(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is a folder holding ``pack.yaml``, or a ``pack.yaml`` file."""
    p = Path(path)
    return (p.is_dir() and (p / PACK_FILE).is_file()) or (p.is_file() and p.name == PACK_FILE)


def load_data(
    path: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | pd.DataFrame,
    **read_opts: Any,
) -> Panel:
    """Read data by path: a data pack folder or plain data file(s).

    Parameters
    ----------
    path : path, list of paths, or DataFrame
        A pack folder (or its ``pack.yaml``) is read with :func:`read_pack`;
        a data file or a DataFrame with :func:`nqpf.panel.io.read_panel`. Several paths may
        mix packs and files: each is read and the panels are merged with
        :meth:`~nqpf.panel.core.Panel.merge` (with files only, the list goes
        to ``read_panel`` as it is).
    **read_opts
        Options of :func:`~nqpf.panel.io.read_panel` (``layout``, ``unit``,
        ``units``, ``encoding``, …) for the plain files. A pack names its own
        options in ``pack.yaml``: options other than ``read_panel``'s defaults
        given with packs only raise a DataError rather than being ignored.

    Returns
    -------
    Panel
        For a pack, :attr:`Pack.panel` (provenance in ``meta``); its notes are
        in ``meta["pack_notes"]``.

    Raises
    ------
    DataError
        A folder without ``pack.yaml``; reading options given for packs only;
        whatever :func:`read_pack` or ``read_panel`` raise.
    """
    from ..panel.io import read_panel

    unknown = sorted(set(read_opts) - set(_READ_DEFAULTS))
    if unknown:
        raise DataError(
            f"unknown reading option(s) {unknown}; known: {', '.join(_READ_DEFAULTS)}"
        )
    if isinstance(path, pd.DataFrame):
        return read_panel(path, **read_opts)
    single = isinstance(path, str | os.PathLike)
    paths = [path] if single else list(path)  # type: ignore[list-item, arg-type]
    if not paths:
        raise DataError("no data given; pass a data file, a pack folder or a list of them")
    for p in paths:
        q = Path(p)
        if q.is_dir() and not (q / PACK_FILE).is_file():
            raise DataError(
                f"{q} is a folder without {PACK_FILE}, so it is neither a data file nor a data "
                f"pack; give the path of a data file inside it, or add a {PACK_FILE} (see "
                "nqpf.sources.pack.write_pack)"
            )
    packs = [p for p in paths if is_pack(p)]
    if not packs:
        return read_panel(path if single else paths, **read_opts)
    plain = [p for p in paths if not is_pack(p)]
    given = {k: v for k, v in read_opts.items()
             if v is not None and v != _READ_DEFAULTS[k] and k != "progress"}
    if given and not plain:
        raise DataError(
            f"reading options {sorted(given)} do not apply to a data pack: its {PACK_FILE} "
            "names the layout, columns and unit kind of each file; drop the options or edit "
            f"{PACK_FILE}"
        )
    panels = []
    for p in paths:
        if is_pack(p):
            pk = read_pack(p)
            meta = dict(pk.panel.meta)
            meta["pack_notes"] = list(pk.notes)
            panels.append(pk.panel.replace(meta=meta))
    if plain:
        panels.append(read_panel(plain if len(plain) > 1 else plain[0], **read_opts))
    if len(panels) == 1:
        return panels[0]
    try:
        merged = reduce(lambda a, b: a.merge(b), panels)
    except DataError as e:
        raise DataError(f"the data given disagree: {e}; keep each cell in one source") from e
    meta = dict(merged.meta)
    meta["sources"] = [
        {k: p.meta.get(k) for k in ("source", "licence", "citation", "retrieved", "url")
         if p.meta.get(k) is not None}
        for p in panels
    ]
    return merged.replace(meta=meta)
