"""Load an indicator framework from a built-in name, a YAML file, a flat table or a dict.

Two file forms are read:

- **YAML** (``.yaml``/``.yml``): the tree as written by
  :meth:`Framework.to_yaml <nqpf.framework.spec.Framework.to_yaml>`.
- **Flat table** (``.csv``/``.xlsx``): one row per indicator, as evaluation
  systems are printed in papers. Columns (English or Chinese headers):

  - ``dimension`` (required): 维度, 一级指标, 准则层, 一级维度
  - ``subdimension``: 子维度, 二级指标, 二级维度, 分维度
  - ``indicator`` (required): 指标, 三级指标, 具体指标, 指标层
  - ``name_zh``: 中文名, 中文名称, 指标名称; ``name_en``: 英文名, 英文名称
  - ``unit``: 单位, 计量单位
  - ``direction`` (required): 方向, 属性, 指标属性, 指标方向 (cells ``+``/``-``,
    正向/负向, or any spelling :func:`~nqpf.framework.spec.parse_direction` reads)
  - ``weight``: 权重, 指标权重 (the indicator's expert weight)
  - optional ``series`` (数据列), ``denominator`` (分母), ``scale``, ``log``
    (取对数), ``source`` (来源, 数据来源)
  - optional ``dimension_id`` (维度编号), ``dimension_en`` (维度英文名),
    ``dimension_weight`` (维度权重), and the same for sub-dimensions
    (``subdimension_id`` 子维度编号, ``subdimension_en`` 子维度英文名,
    ``subdimension_weight`` 子维度权重), given on any row of the group.

  Dimension and sub-dimension cells may be filled only on the first row of
  their group and left blank below it (as in merged cells of a printed
  table): a blank cell continues the group above, and a new dimension starts
  without a sub-dimension until one is given. Dimension and sub-dimension ids
  are made from their names (letters, digits and ``_``; English names
  lower-cased) unless an id column is given. An indicator cell that is not an
  identifier (``R&D经费投入强度(%)``) is turned into one the same way; the cell
  also serves as the Chinese name when ``name_zh`` is empty and, when no ``series``
  is given, as the name of the data column (matched as written, symbols included).
  Rows above the header (a title such as "表1 …") are skipped: the header is the
  first of the top ten rows that names the indicator and direction columns. Columns for remarks
  (说明, 备注, 计算方法, 指标说明, note, description, 序号, no) are ignored; any
  other unknown column is an error. CSV files are read as UTF-8 (with or
  without BOM), then GB18030.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ..errors import FrameworkError
from .cascade import resolve
from .spec import Framework, parse_direction

__all__ = ["framework_from_table", "list_builtin", "load_framework"]

_TABLE_SUFFIXES = {".csv", ".xlsx", ".xlsm"}
_YAML_SUFFIXES = {".yaml", ".yml"}

# canonical column -> accepted headers (compared lower-cased, spaces/hyphens -> "_")
_ALIASES: dict[str, tuple[str, ...]] = {
    "dimension": ("dimension", "dim", "维度", "一级指标", "准则层", "一级维度"),
    "subdimension": ("subdimension", "sub_dimension", "subdim", "子维度", "二级指标", "二级维度",
                     "分维度"),
    "indicator": ("indicator", "indicator_id", "指标", "三级指标", "具体指标", "指标层"),
    "name_zh": ("name_zh", "中文名", "中文名称", "指标名称"),
    "name_en": ("name_en", "英文名", "英文名称"),
    "unit": ("unit", "units", "单位", "计量单位"),
    "direction": ("direction", "sign", "方向", "属性", "指标属性", "指标方向"),
    "weight": ("weight", "权重", "指标权重"),
    "series": ("series", "数据列"),
    "denominator": ("denominator", "分母"),
    "scale": ("scale",),
    "log": ("log", "取对数"),
    "source": ("source", "来源", "数据来源"),
    "dimension_id": ("dimension_id", "维度编号"),
    "dimension_en": ("dimension_en", "维度英文名"),
    "dimension_weight": ("dimension_weight", "维度权重"),
    "subdimension_id": ("subdimension_id", "子维度编号"),
    "subdimension_en": ("subdimension_en", "子维度英文名"),
    "subdimension_weight": ("subdimension_weight", "子维度权重"),
    "provider": ("provider", "数据提供部门", "提供部门", "责任单位", "牵头部门"),
    "formula": ("formula", "计算公式", "计算方法"),
    "frequency": ("frequency", "频率", "统计频率", "采集频率"),
    "target": ("target", "目标值", "目标"),
    "target_op": ("target_op", "目标方向", "目标类型"),
    "low": ("low", "不允许值"),
    "high": ("high", "满意值"),
    "bands": ("bands", "分档", "评分档次"),
    "mandatory": ("mandatory", "必选", "是否必选", "约束性"),
}
_FREQUENCY = {"year": "year", "annual": "year", "yearly": "year", "年": "year", "年度": "year",
              "quarter": "quarter", "quarterly": "quarter", "季": "quarter", "季度": "quarter"}
_IGNORED = {"note", "notes", "description", "remark", "remarks", "no", "说明", "备注",
            "指标说明", "指标解释", "序号", "编号"}
_TRUE = {"true", "yes", "y", "1", "是", "对数", "t"}
_FALSE = {"false", "no", "n", "0", "否", "f", ""}


# ---------------------------------------------------------------------- built-ins
def _builtin_dir() -> Any:
    return resources.files("nqpf.framework") / "builtin"


def list_builtin() -> list[str]:
    """Names of the built-in frameworks (the stems of ``nqpf/framework/builtin/*.yaml``)."""
    return sorted(
        p.name[: -len(".yaml")] for p in _builtin_dir().iterdir() if p.name.endswith(".yaml")
    )


# ---------------------------------------------------------------------- entry point
def load_framework(
    spec: Framework | Mapping[str, Any] | str | Path | pd.DataFrame,
    *,
    sheet_name: str | int = 0,
    id: str | None = None,
    name_zh: str | None = None,
    name_en: str | None = None,
    unit_kind: str = "any",
    version: str = "1",
) -> Framework:
    """Load an indicator framework.

    Parameters
    ----------
    spec : Framework, dict, str, Path or DataFrame
        A :class:`~nqpf.framework.spec.Framework` (returned as is); a dict in
        the YAML layout; the name of a built-in framework (see
        :func:`list_builtin`); the path of a ``.yaml``/``.yml`` file or of a
        flat table ``.csv``/``.xlsx``; or a flat table as a DataFrame.
    sheet_name : str or int, default 0
        Sheet of an Excel table.
    id, name_zh, name_en, unit_kind, version
        Framework-level fields for a flat table, which has no place for them.
        ``id`` defaults to the file name without suffix (``"table"`` for a
        DataFrame), the names to the id.

    Returns
    -------
    Framework

    Raises
    ------
    FrameworkError
        Unknown name (listing the built-ins), missing file, malformed YAML (with
        its line), an unreadable table (with its row) or an invalid framework
        (with its place in the tree).
    """
    meta = {"id": id, "name_zh": name_zh, "name_en": name_en, "unit_kind": unit_kind,
            "version": version}
    if isinstance(spec, Framework):
        return spec
    if isinstance(spec, pd.DataFrame):
        return framework_from_table(spec, source="table", **meta)
    if isinstance(spec, Mapping):
        data = dict(spec)
        if data.get("extends") is not None:
            data = resolve(data, "framework dict", _parent_loader(Path.cwd(), ()))
        return Framework.from_dict(data, source="framework dict")
    if isinstance(spec, str) and spec in list_builtin():
        res = _builtin_dir() / f"{spec}.yaml"
        return _from_yaml_text(res.read_text(encoding="utf-8"), f"built-in {spec}.yaml")
    if not isinstance(spec, str | Path):
        raise FrameworkError(
            f"cannot load a framework from {type(spec).__name__}; give a built-in name, "
            "a .yaml/.csv/.xlsx path, a dict or a Framework"
        )
    path = Path(spec)
    suffix = path.suffix.lower()
    if suffix in _YAML_SUFFIXES | _TABLE_SUFFIXES or suffix == ".xls":
        if not path.is_file():
            raise FrameworkError(f"framework file {str(path)!r} not found")
        if suffix in _YAML_SUFFIXES:
            return _from_yaml_text(_read_text(path), path.name, path.parent, (path.resolve(),))
        if suffix == ".xls":
            raise FrameworkError(f"{path.name}: old .xls files are not read; save it as .xlsx")
        table = _read_table(path, sheet_name)
        meta["id"] = meta["id"] or re.sub(r"\s+", "-", path.stem.strip())
        return framework_from_table(table, source=path.name, **meta)
    builtins = list_builtin()
    close = difflib.get_close_matches(str(spec), builtins, n=1, cutoff=0.5)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise FrameworkError(
        f"unknown framework {str(spec)!r}.{hint} Built-in frameworks: {', '.join(builtins)}. "
        "To load your own, give the path of a .yaml, .csv or .xlsx file."
    )


# ---------------------------------------------------------------------- YAML
def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise FrameworkError(f"{path.name}: cannot decode the file as UTF-8 or GB18030")


def _parent_loader(base_dir: Path, chain: tuple[Path, ...]) -> Any:
    """Load the parent a cascaded framework names: a path beside it or a built-in name."""

    def load(name: str) -> Framework:
        p = (base_dir / name) if not Path(name).is_absolute() else Path(name)
        if p.suffix.lower() in _YAML_SUFFIXES and p.is_file():
            if p.resolve() in chain:
                cycle = " -> ".join(c.name for c in chain + (p.resolve(),))
                raise FrameworkError(f"frameworks extend each other in a cycle: {cycle}")
            return _from_yaml_text(_read_text(p), p.name, p.parent, chain + (p.resolve(),))
        if p.suffix.lower() in _TABLE_SUFFIXES and p.is_file():
            return load_framework(p)
        if name in list_builtin():
            return load_framework(name)
        raise FrameworkError(
            f"extends: parent framework {name!r} not found (looked for {p} and among the "
            f"built-in frameworks {', '.join(list_builtin())})"
        )

    return load


def _from_yaml_text(
    text: str, source: str, base_dir: Path | None = None, chain: tuple[Path, ...] = ()
) -> Framework:
    try:
        data = yaml.safe_load(text)
        node = yaml.compose(text)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = err.problem or err.context or "malformed YAML"
        ctx = err.context_mark
        if (
            err.problem and err.context and ctx is not None and mark is not None
            and ctx.line != mark.line
        ):
            problem += f" ({err.context} started at line {ctx.line + 1})"
        hint = ""
        if mark is not None:
            lines = text.splitlines()
            line = lines[mark.line] if mark.line < len(lines) else ""
            if re.search(r":\s*-\s*$", line):
                hint = (
                    ' (a bare "-" starts a list in YAML: quote it, direction: "-", or write cost)'
                )
            elif "\t" in line:
                hint = " (YAML indentation must use spaces, not tabs)"
        raise FrameworkError(f"{source}{where}: malformed YAML: {problem}{hint}") from None
    except yaml.YAMLError as err:
        raise FrameworkError(f"{source}: malformed YAML: {err}") from None
    if data is None:
        raise FrameworkError(f"{source}: the file is empty")
    if isinstance(data, dict) and data.get("extends") is not None:
        data = resolve(data, source, _parent_loader(base_dir or Path.cwd(), chain))
        node = None  # the resolved tree has no lines of its own
    return Framework.from_dict(data, source=source, node=node)


# ---------------------------------------------------------------------- tables
def _read_table(path: Path, sheet_name: str | int) -> pd.DataFrame:
    if path.suffix.lower() == ".csv":
        last: Exception | None = None
        for enc in ("utf-8-sig", "gb18030"):
            try:
                raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=enc,
                                  header=None)
                return _with_header(raw)
            except UnicodeDecodeError as err:
                last = err
            except pd.errors.ParserError as err:
                raise FrameworkError(f"{path.name}: cannot read the CSV: {err}") from None
        raise FrameworkError(f"{path.name}: cannot decode the CSV as UTF-8 or GB18030 ({last})")
    try:
        raw = pd.read_excel(path, sheet_name=sheet_name, dtype=object, header=None)
    except ValueError as err:  # unknown sheet
        raise FrameworkError(f"{path.name}: {err}") from None
    return _with_header(raw)


def _with_header(raw: pd.DataFrame, look: int = 10) -> pd.DataFrame:
    """The table under its header row: the first of the top ``look`` rows that names the
    indicator and direction columns (a title such as "表1 …" above it is skipped); the first
    row when none does (the column check then says what is missing)."""
    lookup = {_norm_header(a): canon for canon, al in _ALIASES.items() for a in al}
    at = 0
    for i in range(min(look, len(raw))):
        canon = {lookup.get(_norm_header(_cell(v))) for v in raw.iloc[i]}
        if {"indicator", "direction"} <= canon:
            at = i
            break
    header = [_cell(v) or f"Unnamed: {j}" for j, v in enumerate(raw.iloc[at])] if len(raw) \
        else []
    body = raw.iloc[at + 1:].reset_index(drop=True)
    body.columns = header
    return body


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        return str(int(v)) if v.is_integer() else repr(v)
    try:
        if pd.isna(v):
            return ""
    except (TypeError, ValueError):
        pass
    return str(v).strip()


def _norm_header(h: Any) -> str:
    return re.sub(r"[\s\-]+", "_", str(h).strip().lower())


def _slug(text: str) -> str:
    """An identifier made from a name: ``Means of labour`` → ``means_of_labour``."""
    s = text.strip()
    if s.isascii():
        s = s.lower()
    if s.isidentifier():
        return s
    s = re.sub(r"\W+", "_", s).strip("_")
    if not s:
        return "x"
    return s if s.isidentifier() else "x" + s


def _number(text: str, what: str, where: str) -> float | None:
    if text == "":
        return None
    try:
        return float(text.replace(",", ""))
    except ValueError:
        raise FrameworkError(f"{where}: {what} {text!r} is not a number") from None


def _columns(df: pd.DataFrame, source: str) -> dict[str, Any]:
    lookup = {_norm_header(a): canon for canon, al in _ALIASES.items() for a in al}
    found: dict[str, Any] = {}
    unknown = []
    for col in df.columns:
        key = _norm_header(col)
        if key in lookup:
            canon = lookup[key]
            if canon in found:
                raise FrameworkError(
                    f"{source}: columns {found[canon]!r} and {col!r} both give {canon}; keep one"
                )
            found[canon] = col
        elif key in _IGNORED or key.startswith("unnamed:"):
            continue
        else:
            unknown.append(str(col))
    if unknown:
        accepted = sorted(lookup)
        tips = []
        for u in unknown:
            close = difflib.get_close_matches(_norm_header(u), accepted, n=1, cutoff=0.6)
            tips.append(f"{u!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise FrameworkError(
            f"{source}: unknown column(s) {', '.join(tips)}. Accepted: {', '.join(_ALIASES)} "
            "(or their Chinese forms, see nqpf.framework.load); remark columns such as 说明 "
            "or note are ignored."
        )
    missing = [c for c in ("dimension", "indicator", "direction") if c not in found]
    if missing:
        raise FrameworkError(
            f"{source}: the table needs column(s) {missing}; its columns are "
            f"{[str(c) for c in df.columns]}"
        )
    return found


def framework_from_table(
    df: pd.DataFrame,
    *,
    source: str = "table",
    id: str | None = None,
    name_zh: str | None = None,
    name_en: str | None = None,
    unit_kind: str = "any",
    version: str = "1",
) -> Framework:
    """Build a framework from a flat table (one row per indicator).

    See the module docstring for the columns. Rows are numbered as in a
    spreadsheet (the header is row 1) in error messages.
    """
    cols = _columns(df, source)
    records = [{k: _cell(r[c]) for k, c in cols.items()} for r in df.to_dict("records")]
    dims: dict[str, dict[str, Any]] = {}
    cur_dim: str | None = None
    cur_sub: str | None = None
    n_rows = 0
    for i, rec in enumerate(records):
        row = f"{source}, row {i + 2}"
        if not any(rec.values()):
            continue  # blank separator line
        if rec["dimension"]:
            cur_dim, cur_sub = rec["dimension"], None
        elif cur_dim is None:
            raise FrameworkError(
                f"{row}: the dimension is empty and there is no row above to take it from"
            )
        if rec.get("subdimension"):
            cur_sub = rec["subdimension"]
        if not rec["indicator"]:
            raise FrameworkError(f"{row}: the indicator is empty")
        if not rec["direction"]:
            raise FrameworkError(
                f"{row}: indicator {rec['indicator']!r} has no direction; write + (benefit) "
                "or - (cost)"
            )
        dim = dims.setdefault(cur_dim, {"attrs": {}, "subs": {}, "inds": [], "rows": []})
        _merge_attrs(dim["attrs"], rec, "dimension", row)
        ind = _indicator(rec, row)
        if cur_sub is None:
            dim["inds"].append(ind)
            dim["rows"].append(("direct", i + 2))
        else:
            sub = dim["subs"].setdefault(cur_sub, {"attrs": {}, "inds": []})
            _merge_attrs(sub["attrs"], rec, "subdimension", row)
            sub["inds"].append(ind)
            dim["rows"].append(("sub", i + 2))
        n_rows += 1
    if n_rows == 0:
        raise FrameworkError(f"{source}: the table has no indicator rows")

    dimensions = []
    for dname, dim in dims.items():
        if dim["inds"] and dim["subs"]:
            direct = [r for k, r in dim["rows"] if k == "direct"]
            with_sub = [r for k, r in dim["rows"] if k == "sub"]
            raise FrameworkError(
                f"{source}: dimension {dname!r} has rows without a sub-dimension (rows "
                f"{direct[:5]}) and rows with one (rows {with_sub[:5]}); give every indicator "
                "of a dimension a sub-dimension, or none"
            )
        node = _node(dname, dim["attrs"], source)
        if dim["subs"]:
            node["children"] = []
            for sname, sub in dim["subs"].items():
                child = _node(sname, sub["attrs"], source)
                child["indicators"] = sub["inds"]
                node["children"].append(child)
        else:
            node["indicators"] = dim["inds"]
        dimensions.append(node)

    fid = id or "table"
    data = {
        "id": fid,
        "name_zh": name_zh or fid,
        "name_en": name_en or fid,
        "unit_kind": unit_kind,
        "version": version,
        "dimensions": dimensions,
    }
    return Framework.from_dict(data, source=source)


def _merge_attrs(attrs: dict[str, str], rec: dict[str, str], level: str, row: str) -> None:
    for key in ("id", "en", "weight"):
        v = rec.get(f"{level}_{key}", "")
        if not v:
            continue
        if key in attrs and attrs[key] != v:
            raise FrameworkError(
                f"{row}: {level}_{key} {v!r} differs from {attrs[key]!r} given above for the "
                f"same {level}"
            )
        attrs[key] = v


def _node(name: str, attrs: dict[str, str], source: str) -> dict[str, Any]:
    ident = attrs.get("id") or _slug(name)
    node: dict[str, Any] = {"id": ident, "name_zh": name}
    en = attrs.get("en")
    node["name_en"] = en or (name if name.isascii() else ident)
    if attrs.get("weight"):
        node["weight"] = _number(attrs["weight"], "weight", f"{source}, {name}")
    return node


def _indicator(rec: dict[str, str], row: str) -> dict[str, Any]:
    cell = rec["indicator"]
    ident = cell if cell.isidentifier() else _slug(cell)
    d: dict[str, Any] = {
        "id": ident,
        "name_zh": rec.get("name_zh") or cell,
        "direction": rec["direction"],
        "unit": rec.get("unit", ""),
    }
    if ident != cell and not rec.get("series"):
        d["series"] = cell  # the data column is named as the indicator is written
    for key in ("name_en", "series", "denominator", "source"):
        if rec.get(key):
            d[key] = rec[key]
    for key in ("weight", "scale"):
        val = _number(rec.get(key, ""), key, row)
        if val is not None:
            d[key] = val
    log = rec.get("log", "").lower()
    if log in _TRUE:
        d["log"] = True
    elif log not in _FALSE:
        raise FrameworkError(f"{row}: log {rec['log']!r} is not true/false (or 是/否)")
    _governance(rec, d, row)
    return d


def _governance(rec: dict[str, str], d: dict[str, Any], row: str) -> None:
    """Provider, formula, frequency, target, low/high, bands and mandatory of a table row.

    Bands in a cell are written ``threshold:score`` pairs separated by ``;``
    (``60:60; 80:80; 100:100``). Values are checked here so that the message
    names the row.
    """
    from .targets import parse_bands, parse_target

    for key in ("provider", "formula"):
        if rec.get(key):
            d[key] = rec[key]
    freq = rec.get("frequency", "")
    if freq:
        if freq.lower() not in _FREQUENCY:
            raise FrameworkError(f"{row}: frequency {freq!r} is not year (年) or quarter (季)")
        d["frequency"] = _FREQUENCY[freq.lower()]
    if not any(rec.get(k) for k in ("target", "target_op", "bands")):
        sign = 1
    else:
        try:
            sign = parse_direction(d["direction"], d["id"])
        except ValueError as err:
            raise FrameworkError(f"{row}: {err}") from None
    try:
        parse_target(rec.get("target") or None, rec.get("target_op") or None, sign, d["id"])
        if rec.get("bands"):
            pairs = [p.replace("：", ":").split(":") for p in re.split(r"[;；]", rec["bands"])
                     if p.strip()]
            d["bands"] = [list(p) for p in parse_bands(pairs, sign, d["id"])]
    except ValueError as err:
        raise FrameworkError(f"{row}: {err}") from None
    for key in ("target", "target_op"):
        if rec.get(key):
            d[key] = rec[key]
    for key in ("low", "high"):
        val = _number(rec.get(key, ""), key, row)
        if val is not None:
            d[key] = val
    if d.get("low") is not None and d.get("high") is not None and not d["low"] < d["high"]:
        raise FrameworkError(
            f"{row}: indicator {d['id']}: low ({d['low']:g}) must be below high ({d['high']:g})"
        )
    mand = rec.get("mandatory", "").lower()
    if mand in _TRUE or mand in ("约束性", "必选"):
        d["mandatory"] = True
    elif mand not in _FALSE and mand not in ("预期性", "可选"):
        raise FrameworkError(f"{row}: mandatory {rec['mandatory']!r} is not 是/否 (true/false)")
