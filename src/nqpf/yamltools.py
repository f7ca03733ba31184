"""YAML files that users write: parsing with line numbers for error messages.

Data packs (``pack.yaml``) and study files (``study.yaml``) are validated with
pydantic; a validation error carries a location such as ``("files", 0, "path")``.
The helpers here keep the YAML node tree beside the data so that the location
can be turned into the line of the file where the key (or item) stands, and the
message can say ``study.yaml, line 12: index.weigths: unknown key``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import yaml

from .errors import DataError

__all__ = ["key_line", "loc_text", "node_at", "parse_yaml"]


def parse_yaml(
    text: str,
    where: str,
    *,
    empty: str = "it must describe the pack (name, source, files, …)",
    mapping: str = "a pack description is a mapping of fields (name: …, source: …, files: …)",
) -> tuple[Any, Any]:
    """The data and the node tree (for line numbers) of a YAML text.

    Parameters
    ----------
    text : str
        The YAML text.
    where : str
        The file name used in messages.
    empty, mapping : str
        What the messages say when the file is empty (``"{where} is empty; {empty}"``) and
        when it is not a mapping (``"{where}, line 1: {mapping}, not a list"``).

    Raises
    ------
    DataError
        Malformed YAML (with line, column and a hint for tabs or a bare ``-``), an empty
        file, or a top level that is not a mapping.
    """
    try:
        data = yaml.safe_load(text)
        node = yaml.compose(text)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        at = f", line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = err.problem or err.context or "malformed YAML"
        hint = ""
        if mark is not None:
            lines = text.splitlines()
            line = lines[mark.line] if mark.line < len(lines) else ""
            if "\t" in line:
                hint = " (YAML indentation must use spaces, not tabs)"
            elif re.search(r":\s*-\s*$", line):
                hint = ' (a bare "-" starts a list in YAML: write direction: "-")'
        raise DataError(
            f"{where}{at}: malformed YAML: {problem}{hint}; fix the file and read it again"
        ) from None
    except yaml.YAMLError as err:
        raise DataError(f"{where}: malformed YAML: {err}") from None
    if data is None:
        raise DataError(f"{where} is empty; {empty}")
    if not isinstance(data, dict):
        raise DataError(f"{where}, line 1: {mapping}, not a {type(data).__name__}")
    return data, node


def node_at(node: Any, loc: Sequence[Any]) -> Any:
    """The YAML value node at a pydantic location (as deep as the file goes)."""
    cur = node
    for key in loc:
        nxt = None
        if isinstance(cur, yaml.MappingNode):
            nxt = next((v for k, v in cur.value if getattr(k, "value", None) == key), None)
        elif isinstance(cur, yaml.SequenceNode) and isinstance(key, int):
            nxt = cur.value[key] if 0 <= key < len(cur.value) else None
        if nxt is None:
            return cur
        cur = nxt
    return cur


def key_line(node: Any, loc: Sequence[Any]) -> int | None:
    """1-based line of the key (or item) a location names, None without a node tree."""
    if node is None:
        return None
    parent = node_at(node, loc[:-1]) if loc else node
    if loc and isinstance(parent, yaml.MappingNode):
        for k, _v in parent.value:
            if getattr(k, "value", None) == loc[-1]:
                return int(k.start_mark.line) + 1
    target = node_at(node, loc)
    return int(target.start_mark.line) + 1


def loc_text(loc: Sequence[Any]) -> str:
    """A location as ``files[0].path``."""
    out = ""
    for key in loc:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


def problems_error(where: str, lines: Sequence[str]) -> DataError:
    """One DataError listing ``lines`` (problems, each naming its line) of the file ``where``."""
    if len(lines) == 1:
        return DataError(f"{where}, {lines[0]}")
    return DataError(
        f"{where}: {len(lines)} problems:\n  " + "\n  ".join(lines[:20])
        + (f"\n  … and {len(lines) - 20} more" if len(lines) > 20 else "")
    )
