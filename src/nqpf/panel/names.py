"""Resolve the unit names found in data files to canonical unit ids.

Canonical ids are the ISO 3166-2:CN codes of the 2017 revision for Chinese provinces
(``"CN-BJ"``) and ISO 3166-1 alpha-3 codes for countries (``"CHN"``).

Provinces are matched, after :func:`normalise_name` and case folding, against every column of
the bundled province table (:func:`nqpf.datasets.reference.provinces`): short and full Chinese
names, English names, pinyin, the two-letter code, the ISO code, the six-digit adcode (as text,
integer or float) and the pre-2017 numeric ISO form (``CN-11``), plus traditional characters
and a few customary English forms (``Nei Mongol``, ``Xinjiang Uygur``). Administrative suffixes
(省, 市, 自治区, ``Province``, ``Municipality``, ``Autonomous Region``) are ignored. Shaanxi (陕西)
and Shanxi (山西) are kept apart by their conventional spellings.

Countries are matched against the bundled country table
(:func:`nqpf.datasets.reference.countries`): ISO3, ISO2 and ISO numeric codes and exact names
(English, Chinese, official and customary forms) first, then loose keys of the names (accents,
case, punctuation, "the", "St." and inverted forms such as ``Korea, Rep.`` or ``Iran (Islamic
Republic of)`` do not matter).

Aggregates are rows that are not units: for provinces the national total and the regional
groups (全国, 合计, 总计, 中国, 东部地区, National, China/Total, Eastern region, ...); for
countries the World Bank aggregates of the World Development Indicators
(:data:`nqpf.datasets.reference.WB_AGGREGATES`: ``WLD``, ``EAS``, ``High income``, ...), which
are exactly the WDI codes that are not ISO 3166-1 alpha-3 codes in the country table,
plus ``World``/``Total``/世界/全球. Names are recognised as aggregates only when they are on
these lists, so an unknown name is never dropped silently.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from functools import cache
from numbers import Integral, Real
from typing import Any

import pandas as pd

from ..datasets import reference as ref
from ..errors import DataError, UnitNameError

__all__ = ["UnitMatch", "known_units", "normalise_name", "resolve_units"]

_WS = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
_PUNCT = re.compile(r"[-_'’‘`.·・,，、/\\()（）\[\]【】\"“”:;：；]+")
_NUMERIC_FLOAT = re.compile(r"(\d+)\.0*")

# Traditional-character names where they differ from the simplified short name.
_TRADITIONAL = {
    "CN-NM": "內蒙古",
    "CN-LN": "遼寧",
    "CN-HL": "黑龍江",
    "CN-JS": "江蘇",
    "CN-SD": "山東",
    "CN-GD": "廣東",
    "CN-GX": "廣西",
    "CN-CQ": "重慶",
    "CN-GZ": "貴州",
    "CN-YN": "雲南",
    "CN-SX": "山西",
    "CN-SN": "陝西",
    "CN-GS": "甘肅",
    "CN-NX": "寧夏",
}
# Customary forms not derivable from the table columns.
_EXTRA_PROVINCE_ALIASES = {
    "CN-NM": ("内蒙", "Nei Mongol", "Nei Monggol", "Inner Mongolia Autonomous Region"),
    "CN-GX": ("Guangxi Zhuang",),
    "CN-NX": ("Ningxia Hui",),
    "CN-XJ": ("Xinjiang Uygur", "Xinjiang Uyghur", "Xinjiang Uighur"),
    "CN-XZ": ("Tibet Autonomous Region",),
}
# Administrative suffixes stripped when a province key has no exact match.
_PROVINCE_SUFFIX = re.compile(
    r"(?:(?:壮族|壯族|回族|维吾尔|維吾爾)?(?:自治区|自治區)|省|市"
    r"|(?:zhuang|hui|uygur|uyghur|uighur)?autonomousregion|province|municipality|sar)$"
)
_NATIONAL = re.compile(
    r"^(?:全国|全國|中国|中國|全国各地区|全国各省)?(?:合计|合計|总计|總計|总和|總和|总量|總量"
    r"|小计|小計|平均|平均值|均值)?$"
)
_REGION_ZH = re.compile(
    r"^(?:东部|東部|中部|西部|东北|東北|东北部|東北部)(?:地区|地區|区域|區域|省份|各省)?"
    r"(?:合计|合計|总计|總計|平均|平均值|小计|小計)?$"
)
_AGGREGATE_EN = re.compile(
    r"^(?:(?:national|nationwide|china|wholecountry|allprovinces|all)"
    r"(?:total|average|mean|sum)?|total|average|mean|sum"
    r"|(?:east|eastern|central|west|western|northeast|northeastern)"
    r"(?:region|regions|china|area|belt|zone)?(?:total|average|mean)?)$"
)
# Older or variant World Bank aggregate names (matched after "&" -> "and" and dropping
# everything that is not a letter or digit).
_WB_AGGREGATE_OLD_NAMES = (
    "Middle East & North Africa",
    "Middle East & North Africa (excluding high income)",
    "Middle East & North Africa (IDA & IBRD countries)",
    "Fragile and conflict-affected situations",
    "Latin America & Caribbean (IDA & IBRD countries)",
    "Euro Area",
    "European Union (27)",
    "World total",
    "Total",
    "Global",
    "世界",
    "全球",
    "全世界",
    "合计",
    "总计",
)

_WORLD_KEYS = frozenset({"worldtotal", "global", "世界", "全球", "全世界"})
_KINDS = ("auto", "province", "country")
_SHOWN_POSITIONS = 5
_SHOWN_NAMES = 20  # unmatched names described one by one (with suggestions) in an error


def normalise_name(s: object) -> str:
    """Unicode-normalise a unit name and remove all whitespace.

    Applies NFKC (full-width letters and digits become ASCII; the ideographic space U+3000
    becomes a space) and then deletes every whitespace character, including spaces inside the
    name and zero-width characters, as statistical yearbooks pad short names to a fixed width
    (``"北   京"`` -> ``"北京"``, ``"内蒙 古"`` -> ``"内蒙古"``).

    Parameters
    ----------
    s : object
        The name; non-strings are converted with ``str``.

    Returns
    -------
    str
    """
    return _WS.sub("", unicodedata.normalize("NFKC", str(s)))


@dataclass(frozen=True)
class UnitMatch:
    """The outcome of :func:`resolve_units`.

    Attributes
    ----------
    kind : {"province", "country"}
        The kind of unit the names were resolved as.
    mapping : dict
        Raw name (as given) -> canonical id, for every unique name that is kept. Several raw
        names may map to the same id (``北京`` and ``北京市``).
    dropped : list
        Raw names recognised as aggregates and dropped (only with ``drop_aggregates=True``).
    how : dict
        Raw name -> ``"matched"``, ``"alias"`` (from the user's ``aliases``) or
        ``"aggregate"`` (an aggregate kept because ``drop_aggregates=False``).
    """

    kind: str
    mapping: dict[Any, str]
    dropped: list[Any] = field(default_factory=list)
    how: dict[Any, str] = field(default_factory=dict)

    @property
    def units(self) -> tuple[str, ...]:
        """The distinct canonical ids, sorted."""
        return tuple(sorted(set(self.mapping.values())))

    def to_frame(self) -> pd.DataFrame:
        """One row per unique raw name: ``raw`` (as text), ``unit`` and ``status``.

        ``status`` is ``matched``, ``alias``, ``aggregate`` (kept) or ``dropped``; ``unit`` is
        missing for dropped names.
        """
        raws = [str(r) for r in self.mapping] + [str(r) for r in self.dropped]
        units: list[str | None] = list(self.mapping.values()) + [None] * len(self.dropped)
        status = [self.how.get(r, "matched") for r in self.mapping]
        status += ["dropped"] * len(self.dropped)
        return pd.DataFrame({"raw": raws, "unit": units, "status": status})


# ---------------------------------------------------------------------------------------------
# provinces


def _scalar_text(raw: object) -> str:
    """Text of a raw name; integral floats (110000.0) lose their ``.0``."""
    if isinstance(raw, bool):
        return str(raw)
    if isinstance(raw, Integral):
        return str(int(raw))
    if isinstance(raw, Real) and float(raw).is_integer():
        return str(int(float(raw)))
    return str(raw)


def _province_key(raw: object) -> str:
    s = normalise_name(_scalar_text(raw)).casefold()
    m = _NUMERIC_FLOAT.fullmatch(s)
    if m:
        s = m.group(1)
    return _PUNCT.sub("", s)


@cache
def _province_index() -> dict[str, str]:
    """Province key -> ISO 3166-2 code, over every accepted form."""
    index: dict[str, str] = {}

    def add(form: object, iso: str) -> None:
        key = _province_key(form)
        if index.setdefault(key, iso) != iso:  # pragma: no cover - guards the tables
            raise RuntimeError(f"province alias {form!r} is ambiguous")

    df = ref.provinces()
    for row in df.itertuples(index=False):
        iso = str(row.iso)
        adcode = str(int(row.adcode))
        for form in (iso, row.abbr, row.name_zh, row.name_zh_full, row.name_en, row.pinyin):
            add(form, iso)
        add(adcode, iso)
        add(f"CN-{adcode[:2]}", iso)
        if iso in _TRADITIONAL:
            add(_TRADITIONAL[iso], iso)
        for form in _EXTRA_PROVINCE_ALIASES.get(iso, ()):
            add(form, iso)
    return index


def _lookup_province(key: str) -> str | None:
    index = _province_index()
    if key in index:
        return index[key]
    stripped = _PROVINCE_SUFFIX.sub("", key)
    if stripped and stripped != key:
        return index.get(stripped)
    return None


def _is_province_aggregate(key: str) -> bool:
    if not key:
        return False
    return bool(_NATIONAL.match(key) or _REGION_ZH.match(key) or _AGGREGATE_EN.match(key))


# ---------------------------------------------------------------------------------------------
# countries


def _country_text(raw: object) -> str:
    return " ".join(unicodedata.normalize("NFKC", _scalar_text(raw)).split())


def _agg_key(s: str) -> str:
    s = unicodedata.normalize("NFKC", s).casefold().replace("&", "and")
    return "".join(ch for ch in s if ch.isalnum())


def _name_keys(text: str) -> list[str]:
    """Loose keys of a country name: accents, case, punctuation, "the", "of", "St." and the
    "Korea, Rep." / "Bolivia (Plurinational State of)" forms do not matter."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(ch for ch in t if not unicodedata.combining(ch)).casefold()
    t = t.replace("&", " and ").replace("’", "'")
    forms = [t]
    bare = re.sub(r"\s*\([^)]*\)", "", t).strip()
    if bare and bare != t:
        forms.append(bare)
    heads = []
    for f in list(forms):
        if f.count(",") == 1:
            head, tail = (x.strip() for x in f.split(","))
            forms.append(f"{tail} {head}")
            heads.append(head)  # "Somalia, Fed. Rep." -> "somalia", tried last
    forms += heads
    keys = []
    for f in forms:
        words = re.findall(r"[^\W_]+", f)
        words = ["saint" if w in ("st", "ste") else w for w in words if w not in ("the", "of")]
        k = " ".join(words)
        if k and k not in keys:
            keys.append(k)
    return keys


@cache
def _country_tables() -> tuple[dict[str, str], dict[str, str], dict[int, str], dict[str, str]]:
    """(ISO3, ISO2, ISO numeric, exact name) -> ISO3 lookups from the bundled country table.

    Current countries come first, so a name or code shared with a withdrawn one (Zaire's
    numeric 180 is also the Democratic Republic of the Congo's) goes to the current one.
    """
    data = ref._country_table()
    iso3 = {str(c): str(c) for c in data["iso3"] if c}
    iso2: dict[str, str] = {}
    for code, c3 in zip(data["iso2"], data["iso3"], strict=True):
        if code:
            iso2.setdefault(str(code), str(c3))
    numeric: dict[int, str] = {}
    for n, c3 in zip(data["isonumeric"], data["iso3"], strict=True):
        if not pd.isna(n):
            numeric.setdefault(int(n), str(c3))
    names: dict[str, str] = {}
    for c3, all_names in ref.country_names().items():
        for name in all_names:
            names.setdefault(_country_text(name).casefold(), c3)
    return iso3, iso2, numeric, names


@cache
def _country_keys() -> dict[str, list[str]]:
    """Loose name key -> ISO3 codes (more than one: the key is ambiguous)."""
    out: dict[str, list[str]] = {}
    for c3, all_names in ref.country_names().items():
        for name in all_names:
            for k in _name_keys(name):
                hits = out.setdefault(k, [])
                if c3 not in hits:
                    hits.append(c3)
    return out


@cache
def _country_aggregates() -> dict[str, str]:
    """Aggregate key -> World Bank code (or the generic name) for country data."""
    iso3 = _country_tables()[0]
    out: dict[str, str] = {}
    for code, name in ref.WB_AGGREGATES.items():
        if code in iso3:  # pragma: no cover - guards the table
            raise RuntimeError(f"World Bank aggregate code {code} is a country code")
        out[_agg_key(code)] = code
        out[_agg_key(name)] = code
    for name in _WB_AGGREGATE_OLD_NAMES:
        out.setdefault(_agg_key(name), "WLD" if _agg_key(name) in _WORLD_KEYS else name)
    return out



def known_units(names: Iterable[Hashable]) -> int:
    """How many distinct names are a Chinese province or a country as written.

    Exact look-ups only (every accepted province form, country codes and names), no fuzzy
    matching: a cheap test of whether a column holds regions at all, or firm or other
    names that :func:`resolve_units` is not meant for.
    """
    texts = {_country_text(n) for n in dict.fromkeys(names) if not _is_missing(n)}
    hits = {t for t in texts if _lookup_province(_province_key(t)) is not None}
    found, _ = _match_countries(sorted(texts - hits))
    return len(hits) + len(found)


def _match_countries(texts: list[str]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Resolve country texts; returns (text -> ISO3, text -> ambiguous candidates)."""
    iso3, iso2, numeric, names = _country_tables()
    found: dict[str, str] = {}
    rest: list[str] = []
    for t in texts:
        up = t.upper()
        if up in iso3:
            found[t] = iso3[up]
        elif len(up) == 2 and up in iso2:
            found[t] = iso2[up]
        elif t.isdigit() and len(t) <= 3 and int(t) in numeric:
            found[t] = numeric[int(t)]
        elif t.casefold() in names:
            found[t] = names[t.casefold()]
        elif t:
            rest.append(t)
    ambiguous: dict[str, list[str]] = {}
    current = set(ref.countries().query("obsolete.isna()")["iso3"])
    keys = _country_keys()
    for t in rest:
        hits: list[str] = []
        for k in _name_keys(t):
            hits = keys.get(k, [])
            if hits:
                break
        if len(hits) > 1:  # a current country wins over a withdrawn code of the same name
            hits = [h for h in hits if h in current] or hits
        if len(hits) == 1:
            found[t] = hits[0]
        elif len(hits) > 1:
            ambiguous[t] = hits
    return found, ambiguous


# ---------------------------------------------------------------------------------------------
# suggestions and errors


def _similarity(a: str, b: str) -> tuple[float, int, int]:
    ratio = difflib.SequenceMatcher(None, a, b).ratio()
    prefix = len(_common_prefix(a, b))
    return ratio, prefix, -abs(len(a) - len(b))


def _common_prefix(a: str, b: str) -> str:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return a[:n]


def _has_cjk(s: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in s)


def _suggest(raw: object, kind: str, n: int = 3) -> list[str]:
    """Closest known units to ``raw``, formatted as ``名称 (ID)``."""
    lang = "zh" if _has_cjk(str(raw)) else "en"
    if kind == "province":
        key = _province_key(raw)
        pool = _province_index()
    else:
        key = _country_text(raw).casefold()
        iso3, _, _, names = _country_tables()
        pool = {**names, **{c.casefold(): c for c in iso3}}
    if not key:
        return []
    close = difflib.get_close_matches(key, list(pool), n=12, cutoff=0.5)
    close.sort(key=lambda c: _similarity(key, c), reverse=True)
    out: list[str] = []
    for c in close:
        unit = pool[c]
        label = f"{ref.unit_label(unit, lang)} ({unit})"
        if label not in out:
            out.append(label)
        if len(out) == n:
            break
    return out


def _positions(names: list[Any], raw: object) -> str:
    pos = [i for i, x in enumerate(names) if x == raw and not _is_missing(x)]
    shown = ", ".join(str(p) for p in pos[:_SHOWN_POSITIONS])
    more = f", … ({len(pos)} in all)" if len(pos) > _SHOWN_POSITIONS else ""
    word = "position" if len(pos) == 1 else "positions"
    return f"{word} {shown}{more}"


def _raise_unmatched(
    names: list[Any],
    unmatched: list[Any],
    missing: list[int],
    ambiguous: dict[Any, list[str]],
    kinds: tuple[str, ...],
    where: str | None,
) -> None:
    what = " or ".join({"province": "a Chinese province", "country": "a country"}[k] for k in kinds)
    lines = []
    example: tuple[object, str] | None = None
    if missing:
        shown = ", ".join(str(p) for p in missing[:_SHOWN_POSITIONS])
        more = f", … ({len(missing)} in all)" if len(missing) > _SHOWN_POSITIONS else ""
        word = "position" if len(missing) == 1 else "positions"
        lines.append(f"  missing unit name (empty or NaN) at {word} {shown}{more}")
    for raw in unmatched[:_SHOWN_NAMES]:
        at = _positions(names, raw)
        if raw in ambiguous:
            cands = ", ".join(f"{ref.unit_label(c, 'en')} ({c})" for c in ambiguous[raw])
            lines.append(f"  ambiguous unit {raw!r} ({at}) matches several countries: {cands}")
            example = example or (raw, ambiguous[raw][0])
            continue
        sugg = [s for k in kinds for s in _suggest(raw, k)][:3]
        if sugg:
            example = example or (raw, sugg[0].rsplit("(", 1)[1].rstrip(")"))
        hint = f"; did you mean {' or '.join(sugg)}?" if sugg else "; no close match"
        lines.append(f"  unknown unit {raw!r} ({at}){hint}")
    if len(unmatched) > _SHOWN_NAMES:
        rest = ", ".join(repr(r) for r in unmatched[_SHOWN_NAMES : 2 * _SHOWN_NAMES])
        more = ", …" if len(unmatched) > 2 * _SHOWN_NAMES else ""
        lines.append(f"  and {len(unmatched) - _SHOWN_NAMES} more unknown: {rest}{more}")
    if unmatched and example is None:
        example = (unmatched[0], "CHN" if kinds == ("country",) else "CN-BJ")
    todo = []
    if unmatched:
        todo.append(
            f"fix the names in the data, or pass aliases={{{example[0]!r}: {example[1]!r}}} "
            "mapping each name to a unit id (ISO 3166-2 such as 'CN-BJ' for provinces, ISO3 "
            "such as 'CHN' for countries)"
        )
    if missing:
        todo.append("fill in or drop the rows without a unit name")
    n = len(unmatched) + len(missing)
    prefix = f"{where}: " if where else ""
    msg = (
        f"{prefix}{n} unit name{'s' if n != 1 else ''} could not be resolved to {what} "
        "(positions count from 0 in the names given):\n"
        + "\n".join(lines)
        + "\nTo go on, "
        + "; and ".join(todo)
        + "."
    )
    raise UnitNameError(msg)


# ---------------------------------------------------------------------------------------------
# main entry


def _is_missing(x: object) -> bool:
    if x is None:
        return True
    if isinstance(x, float) and math.isnan(x):
        return True
    if x is pd.NA or x is pd.NaT:
        return True
    try:
        return bool(pd.isna(x)) if not isinstance(x, str) else normalise_name(x) == ""
    except (TypeError, ValueError):
        return False


def _resolve_one(
    raw: object, kind: str, country_found: dict[str, str]
) -> tuple[str | None, bool]:
    """(canonical id or None, is_aggregate) of one raw name for a given kind."""
    if kind == "province":
        key = _province_key(raw)
        hit = _lookup_province(key)
        if hit is not None:
            return hit, False
        return None, _is_province_aggregate(key)
    text = _country_text(raw)
    agg = _country_aggregates().get(_agg_key(text))
    if agg is not None:
        return agg, True
    return country_found.get(text), False


def resolve_units(
    names: Iterable[Hashable] | str,
    kind: str = "auto",
    drop_aggregates: bool = True,
    aliases: dict[str, str] | None = None,
    where: str | None = None,
) -> UnitMatch:
    """Resolve raw unit names to canonical ids (ISO 3166-2 provinces, ISO3 countries).

    Only the unique names are matched, so a long column costs little more than its distinct
    values.

    Parameters
    ----------
    names : iterable of str, int or float
        The unit column as read (list, Series, array). Integers and integral floats such as
        ``110000.0`` (an adcode read by a spreadsheet) are accepted.
    kind : {"auto", "province", "country"}
        ``auto`` resolves as provinces when more than half of the distinct names that are not
        province aggregates match a province; otherwise as countries if more names match
        countries (or World Bank aggregates) than provinces, else as provinces. Names covered
        by ``aliases`` are left out of this count (their targets are used when every name is
        aliased).
    drop_aggregates : bool
        If True, names recognised as aggregates (national or regional totals, World Bank
        aggregates; see the module docstring) are left out of ``mapping`` and listed in
        ``dropped``. If False they are kept: World Bank aggregates under their WB code
        (``"World"`` -> ``"WLD"``), province aggregates under their normalised name
        (``"全  国"`` -> ``"全国"``).
    aliases : dict, optional
        User mapping consulted first, keys compared after :func:`normalise_name`. A value that
        names a known unit of the resolved kind is resolved like any name (``{"山两": "山西"}``
        gives ``CN-SX``); any other value is taken verbatim as the canonical id, which keeps
        units outside the reference tables.
    where : str, optional
        Context for error messages, e.g. ``"RDIntense.csv, column 'province'"``.

    Returns
    -------
    UnitMatch

    Raises
    ------
    UnitNameError
        Listing every name that matches nothing (with its positions and the closest known
        units), every name that matches several countries, and missing names.
    """
    if kind not in _KINDS:
        raise DataError(f"unknown unit kind {kind!r}; use one of {list(_KINDS)}")
    seq = [names] if isinstance(names, str) else list(names)
    missing: list[int] = []
    unique: dict[Any, None] = {}
    for i, x in enumerate(seq):
        if _is_missing(x):
            missing.append(i)
        else:
            unique.setdefault(x, None)
    user = {normalise_name(k): v for k, v in (aliases or {}).items()}
    alias_hits = {r: user[normalise_name(_scalar_text(r))] for r in unique if _alias_key(r, user)}
    plain = [r for r in unique if r not in alias_hits]

    country_found: dict[str, str] = {}
    ambiguous: dict[str, list[str]] = {}

    def countries_for(raws: Iterable[object]) -> None:
        texts = [_country_text(r) for r in raws]
        aggs = _country_aggregates()
        todo = [
            t for t in dict.fromkeys(texts) if t not in country_found and _agg_key(t) not in aggs
        ]
        found, amb = _match_countries(todo)
        country_found.update(found)
        ambiguous.update(amb)

    requested = kind
    if kind == "auto":
        pool = plain or [str(v) for v in alias_hits.values()]
        kind = _detect_kind(pool, countries_for, country_found)
    if kind == "country":
        countries_for(list(plain) + [str(v) for v in alias_hits.values()])

    mapping: dict[Any, str] = {}
    how: dict[Any, str] = {}
    dropped: list[Any] = []
    unmatched: list[Any] = []
    for raw, target in alias_hits.items():
        unit, is_agg = _resolve_one(target, kind, country_found)
        mapping[raw] = unit if unit is not None and not is_agg else str(target)
        how[raw] = "alias"
    for raw in plain:
        unit, is_agg = _resolve_one(raw, kind, country_found)
        if is_agg:
            if drop_aggregates:
                dropped.append(raw)
            else:
                mapping[raw] = unit if unit is not None else normalise_name(_scalar_text(raw))
                how[raw] = "aggregate"
        elif unit is None:
            unmatched.append(raw)
        else:
            mapping[raw] = unit
            how[raw] = "matched"
    if unmatched or missing:
        amb = {r: ambiguous[_country_text(r)] for r in unmatched if _country_text(r) in ambiguous}
        kinds = (kind,)
        if requested == "auto" and not mapping and not dropped:
            kinds = ("province", "country")
        _raise_unmatched(seq, unmatched, missing, amb, kinds, where)
    return UnitMatch(kind=kind, mapping=mapping, dropped=dropped, how=how)


def _alias_key(raw: object, user: dict[str, str]) -> bool:
    return bool(user) and normalise_name(_scalar_text(raw)) in user


def _detect_kind(pool: list[Any], countries_for: Any, country_found: dict[str, str]) -> str:
    keys = [_province_key(r) for r in pool]
    n_prov = sum(_lookup_province(k) is not None for k in keys)
    n_units = sum(not _is_province_aggregate(k) for k in keys)
    if n_prov > 0 and 2 * n_prov > n_units:
        return "province"
    countries_for(pool)
    aggs = _country_aggregates()
    texts = [_country_text(r) for r in pool]
    n_ctry = sum(t in country_found or _agg_key(t) in aggs for t in texts)
    return "country" if n_ctry > n_prov else "province"
