"""Read a study file: YAML → validated :class:`~nqpf.study.spec.StudySpec`, errors with lines.

:func:`load_study` parses the YAML keeping its node tree, applies ``--set``
overrides, substitutes ``{var}`` references from ``vars:`` and validates the
result. Every problem is one :class:`~nqpf.errors.DataError` whose message
names the file, the line, the key (``index.weigths``) and, for an unknown key,
the closest valid one.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import DataError
from ..yamltools import key_line, loc_text, parse_yaml, problems_error
from .spec import StudySpec

__all__ = ["Study", "load_study", "parse_overrides", "study_from_text"]

_VAR = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass
class Study:
    """A validated study file and where it came from.

    Attributes
    ----------
    spec : StudySpec
        The validated study (``vars`` substituted, overrides applied).
    path : Path or None
        The study file (None for a study given as text).
    base_dir : Path
        Folder against which relative paths in the study are resolved (the study file's).
    resolved : dict
        The study as plain data after overrides and substitution (what the manifest records).
    sha256 : str
        Hash of the study file's bytes.
    overrides : dict
        The ``--set`` values applied.
    """

    spec: StudySpec
    path: Path | None
    base_dir: Path
    resolved: dict[str, Any]
    sha256: str
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return str(self.path) if self.path is not None else "study"

    def resolve_path(self, p: str | Path, key: str) -> Path:
        """A path of the study, relative to the study file's folder; checked for ``{var}``."""
        text = str(p)
        left = _VAR.findall(text)
        if left:
            raise DataError(
                f"{self.where}: {key}: unknown variable {{{left[0]}}} in {text!r}; define it "
                f"under vars: or pass --set {left[0]}=VALUE"
            )
        q = Path(text).expanduser()
        return q if q.is_absolute() else (self.base_dir / q)


def parse_overrides(items: Sequence[str] | Mapping[str, Any] | None) -> dict[str, Any]:
    """``["data_dir=/x", "robustness.replications=200"]`` → a dict (values read as YAML)."""
    if items is None:
        return {}
    if isinstance(items, Mapping):
        return dict(items)
    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise DataError(f"--set {item!r}: write KEY=VALUE, e.g. --set data_dir=/path/to/data")
        k, v = item.split("=", 1)
        k = k.strip()
        if not k:
            raise DataError(f"--set {item!r}: the key is empty")
        try:
            out[k] = yaml.safe_load(v) if v.strip() else ""
        except yaml.YAMLError:
            out[k] = v
    return out


def load_study(
    path: str | Path, overrides: Sequence[str] | Mapping[str, Any] | None = None
) -> Study:
    """Read and validate a study file.

    Parameters
    ----------
    path : str or Path
        The study YAML file.
    overrides : list of "KEY=VALUE" or mapping, optional
        ``--set`` values: a key named under ``vars:`` (or any plain name that is not a study
        key) sets that variable; a study key, or a dotted path such as
        ``robustness.replications``, sets that setting.

    Raises
    ------
    DataError
        A missing or unreadable file, malformed YAML, unknown keys (with line and closest
        key), wrong values (with line), or a ``{var}`` without a value.
    """
    p = Path(path)
    if not p.is_file():
        raise DataError(f"study file {p} not found; check the path")
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise DataError(
            f"{p}: not UTF-8 text (bad byte at offset {e.start}); save it as UTF-8"
        ) from None
    return study_from_text(text, where=str(p), base_dir=p.resolve().parent, overrides=overrides,
                           path=p, sha256=hashlib.sha256(raw).hexdigest())


def study_from_text(
    text: str,
    where: str = "study",
    base_dir: str | Path = ".",
    overrides: Sequence[str] | Mapping[str, Any] | None = None,
    path: Path | None = None,
    sha256: str | None = None,
) -> Study:
    """Validate a study given as YAML text (paths relative to ``base_dir``)."""
    data, node = parse_yaml(
        text,
        where,
        empty="it must describe the study (title, data, framework, index, …)",
        mapping="a study file is a mapping of keys (title: …, data: …, framework: …)",
    )
    ov = parse_overrides(overrides)
    data = _apply_overrides(data, ov, where)
    variables = {str(k): str(v) for k, v in (data.get("vars") or {}).items()} if isinstance(
        data.get("vars"), dict) else {}
    resolved = {k: (v if k == "vars" else _substitute(v, variables)) for k, v in data.items()}
    try:
        spec = StudySpec.model_validate(resolved)
    except ValidationError as err:
        raise _study_error(err, node, where, resolved) from None
    return Study(
        spec=spec,
        path=path,
        base_dir=Path(base_dir),
        resolved=resolved,
        sha256=sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest(),
        overrides=ov,
    )


# ---------------------------------------------------------------------- overrides and vars
def _apply_overrides(data: dict[str, Any], ov: dict[str, Any], where: str) -> dict[str, Any]:
    out = dict(data)
    variables = dict(out.get("vars") or {}) if isinstance(out.get("vars"), dict) else {}
    for key, value in ov.items():
        if "." not in key and (key in variables or key not in StudySpec.model_fields):
            variables[key] = "" if value is None else str(value)
            continue
        parts = key.split(".")
        if parts[0] not in StudySpec.model_fields:
            raise DataError(
                f"--set {key}: {parts[0]!r} is not a study key{_closest(parts[0], StudySpec)}"
            )
        cur = out
        for i, part in enumerate(parts[:-1]):
            nxt = cur.get(part)
            if not isinstance(nxt, dict):
                if nxt is not None:
                    raise DataError(f"--set {key}: {'.'.join(parts[: i + 1])} is not a mapping")
                nxt = {}
            nxt = dict(nxt)
            cur[part] = nxt
            cur = nxt
        cur[parts[-1]] = value
    if variables:
        out["vars"] = variables
    return out


def _substitute(v: Any, variables: dict[str, str]) -> Any:
    if isinstance(v, str):
        return _VAR.sub(lambda m: variables.get(m.group(1), m.group(0)), v)
    if isinstance(v, list):
        return [_substitute(x, variables) for x in v]
    if isinstance(v, dict):
        return {k: _substitute(x, variables) for k, x in v.items()}
    return v


# ---------------------------------------------------------------------- error messages
def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    out: list[type[BaseModel]] = []
    for a in typing.get_args(annotation):
        out += _models_in(a)
    return out


def _model_for(loc: Sequence[Any]) -> type[BaseModel] | None:
    """The model holding the key at the end of ``loc`` (None where it is no model)."""
    cls: type[BaseModel] | None = StudySpec
    for item in loc:
        if isinstance(item, int) or cls is None:
            continue
        f = cls.model_fields.get(item)
        if f is None:
            return None
        models = _models_in(f.annotation)
        cls = models[0] if models else None
        if cls is None:
            return None
    return cls


def _closest(name: str, cls: type[BaseModel] | None) -> str:
    if cls is None:
        return ""
    keys = [f.alias or k for k, f in cls.model_fields.items()]
    close = difflib.get_close_matches(str(name), keys, n=1, cutoff=0.5)
    if not close:
        low = {k.lower(): k for k in keys}
        close = [low[str(name).lower()]] if str(name).lower() in low else []
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"{hint} Valid keys here: {', '.join(keys)}"


def _yaml_loc(loc: Sequence[Any], data: Any) -> tuple[Any, ...]:
    """Drop the union tags pydantic puts in locations (``Title``, ``str``) that are no keys."""
    out: list[Any] = []
    cur = data
    for i, item in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(cur, dict):
            if item in cur or (last and isinstance(item, str) and not _is_tag(item)):
                out.append(item)
                cur = cur.get(item)
            continue
        if isinstance(cur, list) and isinstance(item, int):
            out.append(item)
            cur = cur[item] if 0 <= item < len(cur) else None
            continue
        # inside a scalar: only union tags remain
    return tuple(out)


def _is_tag(item: str) -> bool:
    return bool(re.match(r"^[A-Z]\w*$|^(str|int|float|bool|list|dict)\b|\[", item))


def _study_error(err: ValidationError, node: Any, where: str, data: dict) -> DataError:
    found: dict[tuple, list[tuple[str, str]]] = {}
    for e in err.errors(include_url=False):
        loc = _yaml_loc(tuple(e["loc"]), data)
        msg = str(e["msg"]).removeprefix("Value error, ")
        typ = e["type"]
        if typ == "missing":
            msg = "missing (required)"
        elif typ == "extra_forbidden":
            msg = f"unknown key {loc[-1]!r}{_closest(str(loc[-1]), _model_for(loc[:-1]))}"
        elif typ == "literal_error":
            msg = f"{msg}, got {e.get('input')!r}"
        found.setdefault(loc, []).append((typ, msg))
    lines: list[str] = []
    for loc, items in found.items():
        deeper = any(o[: len(loc)] == loc and len(o) > len(loc) for o in found)
        if deeper and all(t.endswith("_type") for t, _m in items):
            continue  # the other branch of a union (title: a string or zh/en) said more
        # a union reports a type mismatch for each branch; keep the informative messages
        good = [m for t, m in items if not t.endswith("_type")] or [items[0][1]]
        line = key_line(node, loc)
        at = f"line {line}: " if line is not None else ""
        for m in dict.fromkeys(good):
            text = f"{at}{loc_text(loc) or 'study'}: {m}"
            if text not in lines:
                lines.append(text)
    return problems_error(where, lines)


