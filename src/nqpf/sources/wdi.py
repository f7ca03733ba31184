"""World Development Indicators (World Bank) through ``wbgapi``, cached locally.

:func:`fetch_wdi` downloads WDI series with the World Bank's maintained client
`wbgapi <https://pypi.org/project/wbgapi>`_ and returns a :class:`WdiResult`:
a panel of countries (ISO 3166-1 alpha-3 units, years, indicator codes) and,
kept apart, a panel of the World Bank aggregates (``WLD``, ``EAS``, ``HIC``, …).

Cache
-----
Every indicator is downloaded whole (all economies, all years) and stored as
one CSV file ``<CODE>.csv`` (columns ``economy, year, value, aggregate``; only
non-empty observations) next to a JSON sidecar ``<CODE>.json`` holding the
source ("World Bank, World Development Indicators"), the licence (CC BY 4.0),
the retrieval time (UTC, ISO 8601), the ``wbgapi`` version, the indicator's
title and unit when the API gives them, and the query sent. Later calls read the
cache, whatever countries and years they ask for, and say so
(``from_cache=True``, ``retrieved``); ``refresh=True`` downloads again and
``offline=True`` never touches the network. The cache folder is, in order:
``cache_dir``, ``$NQPF_CACHE/wdi``, ``wdi`` in the platform's cache folder
(:func:`default_cache_dir`).

Conventions
-----------
* Aggregates are the economies that the API flags as aggregates (wbgapi's
  ``aggregate`` flag, from the region field ``NA`` of the World Bank country
  list) together with the codes in
  :data:`nqpf.datasets.reference.WB_AGGREGATES`; they never enter the country
  panel. Country codes go through :func:`nqpf.panel.names.resolve_units`, as in
  :func:`nqpf.panel.io.read_panel`, so that a WDI CSV downloaded by hand and
  read with ``read_panel`` gives the same units. A code that is neither (an
  economy newer than nqpf's tables) is kept as written and listed in the
  panel's ``meta["unknown_codes"]``.
* Periods are calendar years. A panel spans, without gaps, the first to the
  last year in which any of its units has a value (within ``years`` when
  given); cells without an observation are NaN.
* With ``countries="all"`` a panel holds the economies with at least one value
  in the years asked for; with a list, it holds exactly the economies listed,
  in that order, and those without any value are named in
  :attr:`WdiResult.no_data`.
* Indicator titles and units are the API's; when the series metadata has no
  "Unit of measure", the unit is the last parenthesised part of the title
  (``"Research and development expenditure (% of GDP)"`` → ``"% of GDP"``).

Source: World Bank, *World Development Indicators*, Washington, DC,
https://datacatalog.worldbank.org/search/dataset/0037712, licence CC BY 4.0.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..datasets import reference as ref
from ..errors import DataError, UnitNameError
from ..extras import pip_command
from ..output import atomic_write
from ..panel.core import Panel
from ..panel.io import SUPPORTED_WRITE, write_panel
from ..panel.names import resolve_units

__all__ = [
    "LICENCE",
    "LICENCE_URL",
    "SOURCE",
    "WdiResult",
    "default_cache_dir",
    "fetch_wdi",
    "parse_years",
]

#: Name of the source, as recorded in every sidecar.
SOURCE = "World Bank, World Development Indicators"
#: Licence of WDI data.
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
_CATALOG_URL = "https://datacatalog.worldbank.org/search/dataset/0037712"
_INDICATOR_URL = "https://data.worldbank.org/indicator/{code}"
_WDI_DB = 2  # the WDI database number in the World Bank API
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_.]*$")
_YEAR_KEY = re.compile(r"^(?:YR)?(\d{4})$")
_TITLE_UNIT = re.compile(r"\(([^()]+)\)\s*$")
_CACHE_COLUMNS = ["economy", "year", "value", "aggregate"]


# ---------------------------------------------------------------------------------------------
# cache location
def default_cache_dir() -> Path:
    """Folder of the WDI cache when none is given.

    ``$NQPF_CACHE/wdi`` when the environment variable ``NQPF_CACHE`` is set (it
    names nqpf's cache root), else ``wdi`` in the platform's cache folder for nqpf
    (platformdirs' ``user_cache_dir``: ``$XDG_CACHE_HOME/nqpf`` or ``~/.cache/nqpf`` on
    Linux, ``%LOCALAPPDATA%\\nqpf\\Cache`` on Windows, ``~/Library/Caches/nqpf`` on
    macOS). The folder is created only when something is cached.
    """
    root = os.environ.get("NQPF_CACHE")
    if root:
        return Path(root).expanduser() / "wdi"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("nqpf", appauthor=False)) / "wdi"


# ---------------------------------------------------------------------------------------------
# result
@dataclass(frozen=True, eq=False)
class WdiResult:
    """WDI data for countries, with the aggregates kept apart.

    Attributes
    ----------
    panel : Panel
        Countries (ISO 3166-1 alpha-3) × years × indicator codes. ``meta`` holds
        ``source``, ``licence``, ``retrieved``, ``indicators`` (title and unit
        per code), ``unit_kind="country"``, ``dropped_units`` (the aggregates
        set apart) and ``unknown_codes`` (World Bank codes kept as written).
    aggregates : Panel or None
        World Bank aggregates (``WLD``, ``EAS``, …) × years × indicator codes:
        all of them with ``countries="all"``, those named in the list otherwise;
        None when none was asked for or none has a value.
    meta : dict
        Indicator code → the cache sidecar (source, licence, retrieved, wbgapi
        version, title, unit, query, file).
    from_cache : bool
        True when every indicator was read from the cache (no download).
    retrieved : dict
        Indicator code → retrieval time (UTC, ISO 8601) of the data used.
    cached : tuple of str
        Indicator codes read from the cache (the others were downloaded now).
    no_data : tuple of str
        Economies asked for by name that have no value in the years asked for.
    query : dict
        ``indicators``, ``countries`` and ``years`` as resolved.
    cache_dir : Path
        The cache folder used.
    """

    panel: Panel
    aggregates: Panel | None
    meta: dict[str, dict[str, Any]]
    from_cache: bool
    retrieved: dict[str, str]
    cached: tuple[str, ...] = ()
    no_data: tuple[str, ...] = ()
    query: dict[str, Any] = field(default_factory=dict)
    cache_dir: Path | None = None

    @property
    def provenance(self) -> str:
        """One sentence on where the data come from, for a command line or a report.

        For example ``"World Bank, World Development Indicators (CC BY 4.0); using cached
        data retrieved on 2025-03-01 (GB.XPD.RSDV.GD.ZS)"``.
        """
        head = f"{SOURCE} ({LICENCE})"
        fresh = [c for c in self.retrieved if c not in self.cached]
        parts = []
        if self.cached:
            by_day: dict[str, list[str]] = {}
            for c in self.cached:
                by_day.setdefault(self.retrieved[c][:10], []).append(c)
            parts.append(
                "using cached data retrieved on "
                + "; ".join(f"{d} ({', '.join(cs)})" for d, cs in sorted(by_day.items()))
            )
        if fresh:
            day = min(self.retrieved[c] for c in fresh)[:10]
            parts.append(f"downloaded on {day} ({', '.join(fresh)})")
        return head + "; " + "; ".join(parts)

    def to_frame(self, aggregates: bool = False) -> pd.DataFrame:
        """Tidy table ``unit, period, indicator, value`` of the countries' observed cells.

        Parameters
        ----------
        aggregates : bool
            Append the aggregates' cells too, with a boolean column ``aggregate``
            telling the two apart.
        """
        df = self.panel.to_long(dropna=True)
        if not aggregates:
            return df
        df = df.assign(aggregate=False)
        if self.aggregates is None:
            return df
        agg = self.aggregates.to_long(dropna=True).assign(aggregate=True)
        return pd.concat([df, agg], ignore_index=True)

    def sidecar(self) -> dict[str, Any]:
        """The provenance record that :meth:`write` stores as ``<stem>.source.json``."""
        return {
            "source": SOURCE,
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
            "citation": _citation(self.retrieved),
            "retrieved": dict(self.retrieved),
            "from_cache": self.from_cache,
            "cached": list(self.cached),
            "wbgapi_version": sorted(
                {str(m.get("wbgapi_version")) for m in self.meta.values()}
            ),
            "query": _jsonable(self.query),
            "units": "ISO 3166-1 alpha-3 country codes; World Bank aggregates kept apart",
            "no_data": list(self.no_data),
            "indicators": {c: _jsonable(m) for c, m in self.meta.items()},
        }

    def write(
        self,
        path: str | os.PathLike[str],
        overwrite: bool = False,
        layout: Literal["wide", "long"] = "wide",
        aggregates: bool = True,
    ) -> list[Path]:
        """Write the countries, the aggregates and a provenance sidecar.

        Parameters
        ----------
        path : str or Path
            Data file for the countries (``.csv``, ``.xlsx``, ``.parquet`` or
            ``.dta``), written with :func:`nqpf.panel.io.write_panel`.
        overwrite : bool
            Replace existing files; otherwise any existing target is refused
            before anything is written.
        layout : {"wide", "long"}
            Layout of the data files (see :func:`~nqpf.panel.io.write_panel`).
        aggregates : bool
            Also write the aggregates panel, when there is one, to
            ``<stem>.aggregates<suffix>`` beside ``path``.

        Returns
        -------
        list of Path
            The files written: the data file, the aggregates file (if any) and
            the sidecar ``<stem>.source.json``.

        Raises
        ------
        DataError
            A target exists and ``overwrite`` is False, or the format is not supported.
        """
        p = Path(path)
        ext = p.suffix.lower()
        if ext not in SUPPORTED_WRITE:
            raise DataError(
                f"{p}: cannot write {ext or '(no extension)'!r} files; supported: "
                f"{', '.join(SUPPORTED_WRITE)}"
            )
        agg_path = p.with_name(f"{p.stem}.aggregates{p.suffix}")
        side_path = p.with_name(f"{p.stem}.source.json")
        with_aggs = aggregates and self.aggregates is not None
        targets = [p, side_path] + ([agg_path] if with_aggs else [])
        existing = [str(t) for t in targets if t.exists()]
        if existing and not overwrite:
            raise DataError(
                f"{', '.join(existing)} already exist(s); pass overwrite=True / --force or "
                "choose another name"
            )
        out = [write_panel(self.panel, p, layout=layout, overwrite=overwrite)]
        record = self.sidecar()
        record["files"] = {"countries": p.name, "aggregates": agg_path.name if with_aggs else None}
        if with_aggs:
            assert self.aggregates is not None
            out.append(write_panel(self.aggregates, agg_path, layout=layout, overwrite=overwrite))
        _write_json(side_path, record)
        out.append(side_path)
        return out


# ---------------------------------------------------------------------------------------------
# main entry
def fetch_wdi(
    indicators: Sequence[str] | str,
    countries: Sequence[str] | str = "all",
    years: tuple[int, int] | None = None,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    refresh: bool = False,
    offline: bool = False,
    client: Any = None,
) -> WdiResult:
    """World Development Indicators for countries, years and indicator codes.

    Parameters
    ----------
    indicators : list of str
        WDI series codes such as ``"GB.XPD.RSDV.GD.ZS"`` (case-insensitive; a
        comma-separated string is split).
    countries : list of str or "all"
        ISO3 or ISO2 codes or names (resolved with
        :func:`nqpf.panel.names.resolve_units`, ``kind="country"``); World Bank
        aggregates named here (``"WLD"``, ``"World"``, ``"East Asia & Pacific"``)
        go to :attr:`WdiResult.aggregates`. ``"all"``: every country, and every
        aggregate in the aggregates panel.
    years : (int, int), optional
        Inclusive range ``(first, last)``; all years when omitted.
    cache_dir : path, optional
        Cache folder; see :func:`default_cache_dir`.
    refresh : bool
        Download again even when the cache holds the indicator.
    offline : bool
        Never use the network: read the cache or fail.
    client : object, optional
        The ``wbgapi`` module (default) or an object offering the part of its
        interface used here: ``data.fetch(series, economy, time, skipBlanks=,
        numericTimeKeys=)`` yielding dicts with ``value, series, economy,
        aggregate, time``; ``series.get(code)`` (a dict with ``value``, the
        title) and ``series.metadata.get(code)`` (an object with a ``metadata``
        dict) — both optional; ``__version__``; ``APIError`` (optional).

    Returns
    -------
    WdiResult

    Raises
    ------
    UnitNameError
        A country name or code matches no country (with suggestions).
    DataError
        Bad codes or years; no network (or ``offline=True``) and no cache, with
        what to do instead; an indicator the API does not know or returns empty;
        a damaged cache file used offline; no value for the countries and years.
    """
    codes = _check_codes(indicators)
    span = _check_years(years)
    if offline and refresh:
        raise DataError("offline=True and refresh=True contradict each other; drop one of them")
    cdir = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    wanted = _check_countries(countries)
    selection = _resolve_selection(wanted)

    frames: dict[str, pd.DataFrame] = {}
    metas: dict[str, dict[str, Any]] = {}
    cached: list[str] = []
    missing: list[str] = []
    damaged: dict[str, str] = {}
    for code in codes:
        hit = None
        if not refresh:
            try:
                hit = _read_cache(cdir, code)
            except DataError as e:
                damaged[code] = str(e)
        if hit is not None:
            frames[code], metas[code] = hit
            cached.append(code)
        elif offline:
            missing.append(code)
    if offline and missing:
        raise DataError(_offline_message(missing, cdir, damaged))

    todo = [c for c in codes if c not in frames]
    if todo:
        cl = _client(client, todo, cdir)
        for code in todo:
            df, meta = _download(cl, code, cdir)
            _write_cache(cdir, code, df, meta)
            frames[code], metas[code] = df, meta

    return _build_result(codes, wanted, selection, span, frames, metas, tuple(cached), cdir)


# ---------------------------------------------------------------------------------------------
# argument checks
def parse_years(text: str) -> tuple[int, int]:
    """Read a year range written on a command line: ``"2015:2020"`` or ``"2019"``.

    Returns
    -------
    (int, int)
        Inclusive first and last year.

    Raises
    ------
    DataError
        Text that is not ``YYYY`` or ``YYYY:YYYY``, or a first year after the last.
    """
    m = re.fullmatch(r"\s*(\d{4})\s*(?::\s*(\d{4})\s*)?", str(text))
    if m is None:
        raise DataError(
            f"years {text!r}: write them as FIRST:LAST, e.g. 2015:2020, or one year, e.g. 2019"
        )
    first = int(m.group(1))
    span = _check_years((first, int(m.group(2)) if m.group(2) else first))
    assert span is not None
    return span


def _split(arg: Sequence[str] | str) -> list[str]:
    if isinstance(arg, str):
        return [s.strip() for s in arg.split(",") if s.strip()]
    return [str(s).strip() for s in arg if str(s).strip()]


def _check_codes(indicators: Sequence[str] | str) -> list[str]:
    if indicators is None or (not isinstance(indicators, str | Sequence)):
        raise DataError(
            f"indicators must be a list of WDI codes such as ['GB.XPD.RSDV.GD.ZS'], "
            f"got {type(indicators).__name__}"
        )
    codes = list(dict.fromkeys(c.upper() for c in _split(indicators)))
    if not codes:
        raise DataError("no indicator codes given; pass WDI codes such as 'GB.XPD.RSDV.GD.ZS'")
    bad = [c for c in codes if not _CODE.fullmatch(c)]
    if bad:
        raise DataError(
            f"{bad} do(es) not look like WDI indicator codes (letters, digits, dots, e.g. "
            "'GB.XPD.RSDV.GD.ZS'); look the code up at https://data.worldbank.org/indicator"
        )
    return codes


def _check_years(years: tuple[int, int] | None) -> tuple[int, int] | None:
    if years is None:
        return None
    try:
        a, b = years
    except (TypeError, ValueError):
        raise DataError(
            f"years must be a pair (first, last) such as (2015, 2020), got {years!r}"
        ) from None
    out = []
    for y in (a, b):
        if isinstance(y, bool) or not isinstance(y, int | np.integer):
            if isinstance(y, str) and y.strip().isdigit():
                y = int(y.strip())
            else:
                raise DataError(f"years must be whole years such as (2015, 2020), got {years!r}")
        out.append(int(y))
    if out[0] > out[1]:
        raise DataError(
            f"years {out[0]}:{out[1]}: the first year is after the last; write them as "
            f"{out[1]}:{out[0]}"
        )
    return out[0], out[1]


def _check_countries(countries: Sequence[str] | str) -> list[str] | None:
    """None for all, else the names as given (deduplicated, order kept)."""
    if isinstance(countries, str) and countries.strip().lower() == "all":
        return None
    if countries is None or not isinstance(countries, str | Sequence):
        raise DataError(
            f"countries must be 'all' or a list of ISO3 codes or names, got "
            f"{type(countries).__name__}"
        )
    names = list(dict.fromkeys(_split(countries)))
    if not names:
        raise DataError("no countries given; pass ISO3 codes such as ['CHN', 'USA'] or 'all'")
    if any(n.lower() == "all" for n in names):
        raise DataError("'all' cannot be combined with other countries; pass 'all' alone")
    return names


# ---------------------------------------------------------------------------------------------
# network
def _client(client: Any, codes: list[str], cdir: Path) -> Any:
    if client is not None:
        return client
    try:
        import wbgapi
    except ModuleNotFoundError as e:
        raise DataError(
            f"downloading WDI series needs the World Bank client wbgapi, which is not "
            f"installed; install it with {pip_command('wdi')}, or {_manual_route(codes)}"
        ) from e
    return wbgapi


def _network_errors() -> tuple[type[BaseException], ...]:
    errs: list[type[BaseException]] = [ConnectionError, TimeoutError]
    try:
        import requests

        errs.append(requests.exceptions.RequestException)
    except ImportError:  # pragma: no cover - requests comes with wbgapi
        pass
    return tuple(errs)


def _api_errors(client: Any) -> tuple[type[BaseException], ...]:
    err = getattr(client, "APIError", None)
    return (err,) if isinstance(err, type) and issubclass(err, BaseException) else ()


def _manual_route(codes: Sequence[str]) -> str:
    urls = ", ".join(_INDICATOR_URL.format(code=c) for c in codes[:3])
    more = ", …" if len(codes) > 3 else ""
    return (
        f"download the CSV from {urls}{more} and read it with nqpf.read_panel / "
        "`nqpf convert`"
    )


def _offline_message(missing: list[str], cdir: Path, damaged: Mapping[str, str]) -> str:
    msg = (
        f"offline: no usable cached copy of WDI indicator(s) {', '.join(missing)} in {cdir}. "
    )
    bad = [damaged[c] for c in missing if c in damaged]
    if bad:
        msg += "Damaged: " + " ".join(bad) + " "
    return msg + (
        "Connect to the internet once and run without --offline (the cache is then filled "
        f"and later runs work offline), or {_manual_route(missing)}, or point --cache / "
        "cache_dir at a folder filled by an earlier run."
    )


def _unreachable(code: str, cdir: Path, err: BaseException) -> DataError:
    cache = f"there is no cached copy in {cdir}."
    with contextlib.suppress(DataError):
        hit = _read_cache(cdir, code)
        if hit is not None:
            cache = (
                f"a cached copy retrieved on {hit[1].get('retrieved')} is in {cdir}: run without "
                "--refresh (refresh=False) to use it."
            )
    return DataError(
        f"cannot download WDI indicator {code} from the World Bank API "
        f"({type(err).__name__}: {err}), and {cache} "
        f"Connect to the internet once (later runs use the cache), or {_manual_route([code])}, "
        "or pass --offline with a filled cache (--cache DIR)."
    )


def _year_of(t: Any, code: str) -> int:
    if isinstance(t, bool):
        raise DataError(f"WDI indicator {code}: unreadable time key {t!r}")
    if isinstance(t, int | np.integer):
        return int(t)
    m = _YEAR_KEY.fullmatch(str(t).strip())
    if m is None:
        raise DataError(
            f"WDI indicator {code}: time key {t!r} is not a calendar year; nqpf reads annual "
            "WDI series only"
        )
    return int(m.group(1))


def _download(client: Any, code: str, cdir: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    net = _network_errors()
    api = _api_errors(client)
    econ: list[str] = []
    yrs: list[int] = []
    vals: list[float] = []
    aggs: list[bool] = []
    query = {
        "db": _WDI_DB,
        "series": code,
        "economy": "all",
        "time": "all",
        "skipBlanks": True,
        "numericTimeKeys": True,
        "endpoint": str(getattr(client, "endpoint", "https://api.worldbank.org/v2")),
    }
    try:
        rows = client.data.fetch(
            code, economy="all", time="all", skipBlanks=True, numericTimeKeys=True
        )
        for row in rows:
            if row.get("value") is None:
                continue
            if str(row.get("series", code)).upper() != code:
                continue
            econ.append(str(row["economy"]).strip())
            yrs.append(_year_of(row["time"], code))
            vals.append(float(row["value"]))
            aggs.append(bool(row.get("aggregate", False)))
    except net as e:
        raise _unreachable(code, cdir, e) from e
    except api as e:
        text = str(e)
        if re.search(r"invalid|not valid|not found", text, re.IGNORECASE):
            raise DataError(
                f"the World Bank API does not know the WDI indicator {code!r} ({text}); check "
                "the code at https://data.worldbank.org/indicator"
            ) from e
        raise _unreachable(code, cdir, e) from e
    if not vals:
        raise DataError(
            f"the World Bank API returned no values for WDI indicator {code!r}; check the code "
            "at https://data.worldbank.org/indicator (WDI codes look like 'GB.XPD.RSDV.GD.ZS')"
        )
    df = pd.DataFrame(
        {
            "economy": pd.Series(econ, dtype=object),
            "year": np.asarray(yrs, dtype=np.int64),
            "value": np.asarray(vals, dtype=float),
            "aggregate": np.asarray(aggs, dtype=bool),
        }
    )
    if not np.isfinite(df["value"].to_numpy()).all():
        raise DataError(f"WDI indicator {code}: the API returned infinite values")
    title, unit, extra = _series_info(client, code, net + api)
    meta: dict[str, Any] = {
        "indicator": code,
        "source": SOURCE,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "url": _INDICATOR_URL.format(code=code),
        "retrieved": datetime.now(UTC).isoformat(timespec="seconds"),
        "wbgapi_version": _client_version(client),
        "title": title,
        "unit": unit,
        "query": query,
        "rows": len(df),
        "file": f"{code}.csv",
    }
    meta.update(extra)
    return df, meta


def _series_info(
    client: Any, code: str, errors: tuple[type[BaseException], ...]
) -> tuple[str | None, str | None, dict[str, Any]]:
    """Title, unit and a few metadata fields of a series; None where the API has none."""
    title: str | None = None
    fields: dict[str, Any] = {}
    with contextlib.suppress(*errors, AttributeError, KeyError, TypeError, IndexError):
        rec = client.series.get(code)
        if rec:
            title = str(rec["value"]).strip() or None
    with contextlib.suppress(*errors, AttributeError, KeyError, TypeError, IndexError):
        md = client.series.metadata.get(code)
        if md is not None:
            fields = {str(k): v for k, v in dict(md.metadata).items()}
    by_key = {re.sub(r"[^a-z]", "", k.lower()): v for k, v in fields.items()}
    if title is None and by_key.get("indicatorname"):
        title = str(by_key["indicatorname"]).strip()
    unit = str(by_key.get("unitofmeasure") or "").strip() or None
    extra: dict[str, Any] = {"unit_from": "metadata" if unit else None}
    if unit is None and title:
        m = _TITLE_UNIT.search(title)
        if m:
            unit = m.group(1).strip()
            extra["unit_from"] = "title"
    for key, name in (("source", "original_source"), ("licensetype", "licence_api")):
        if by_key.get(key):
            extra[name] = str(by_key[key]).strip()
    return title, unit, extra


def _client_version(client: Any) -> str:
    v = getattr(client, "__version__", None)
    if v:
        return str(v)
    try:
        from importlib.metadata import version

        return version("wbgapi")
    except Exception:  # PackageNotFoundError and friends
        return "unknown"


# ---------------------------------------------------------------------------------------------
# cache files
def _cache_paths(cdir: Path, code: str) -> tuple[Path, Path]:
    return cdir / f"{code}.csv", cdir / f"{code}.json"


def _read_cache(cdir: Path, code: str) -> tuple[pd.DataFrame, dict[str, Any]] | None:
    """The cached table and sidecar of one indicator, None when absent.

    Raises DataError when the files exist but cannot be used.
    """
    data, side = _cache_paths(cdir, code)
    if not (data.is_file() and side.is_file()):
        return None
    try:
        meta = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DataError(
            f"cache sidecar {side} is damaged ({e}); delete it, or run online with --refresh"
        ) from e
    if not isinstance(meta, dict) or meta.get("indicator") != code or not meta.get("retrieved"):
        raise DataError(
            f"cache sidecar {side} does not describe indicator {code}; delete it, or run online "
            "with --refresh"
        )
    fix = "delete it, or run online with --refresh to download it again"
    try:
        df = pd.read_csv(data, dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, ValueError, pd.errors.ParserError) as e:
        raise DataError(f"cache file {data} is damaged ({e}); {fix}") from e
    if list(df.columns) != _CACHE_COLUMNS:
        raise DataError(
            f"cache file {data} has columns {list(df.columns)}, expected {_CACHE_COLUMNS}; {fix}"
        )
    flags = [str(v).strip().lower() for v in df["aggregate"]]
    if not set(flags) <= {"true", "false"}:
        raise DataError(f"cache file {data}: column 'aggregate' must hold True/False; {fix}")
    keep = [str(v).strip() != "" for v in df["value"]]
    try:
        # Python's float() reads the shortest repr written by to_csv back exactly.
        years = [int(str(y).strip()) for y, k in zip(df["year"], keep, strict=True) if k]
        vals = [float(v) for v, k in zip(df["value"], keep, strict=True) if k]
    except ValueError as e:
        raise DataError(f"cache file {data}: non-numeric year or value ({e}); {fix}") from e
    out = pd.DataFrame(
        {
            "economy": pd.Series(
                [str(e).strip() for e, k in zip(df["economy"], keep, strict=True) if k],
                dtype=object,
            ),
            "year": np.asarray(years, dtype=np.int64),
            "value": np.asarray(vals, dtype=float),
            "aggregate": np.asarray([f == "true" for f, k in zip(flags, keep, strict=True) if k],
                                    dtype=bool),
        }
    )
    if not np.isfinite(out["value"].to_numpy()).all():
        raise DataError(f"cache file {data}: non-finite values; {fix}")
    return out, meta


def _write_cache(cdir: Path, code: str, df: pd.DataFrame, meta: dict[str, Any]) -> None:
    data, side = _cache_paths(cdir, code)
    try:
        cdir.mkdir(parents=True, exist_ok=True)
        atomic_write(data, lambda tmp: df.to_csv(tmp, index=False, columns=_CACHE_COLUMNS))
        _write_json(side, meta)
    except OSError as e:
        raise DataError(
            f"cannot write the WDI cache in {cdir} ({e}); pass another folder with --cache DIR "
            "(cache_dir=...) or set NQPF_CACHE"
        ) from e


def _write_json(path: Path, record: Mapping[str, Any]) -> None:
    text = json.dumps(_jsonable(record), ensure_ascii=False, indent=2)
    atomic_write(path, lambda tmp: Path(tmp).write_text(text + "\n", encoding="utf-8"))


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    return obj


def _citation(retrieved: Mapping[str, str]) -> str:
    days = sorted({d[:10] for d in retrieved.values()})
    when = days[0] if len(days) == 1 else f"{days[0]} to {days[-1]}"
    return (
        f"World Bank, World Development Indicators, {_CATALOG_URL} ({LICENCE}), "
        f"retrieved {when}."
    )


# ---------------------------------------------------------------------------------------------
# panels
def _economy_ids(
    codes: Iterable[str], flagged: set[str]
) -> tuple[dict[str, str], set[str], list[str]]:
    """WB economy code -> canonical id; the codes that are aggregates; codes kept as written."""
    uniq = list(dict.fromkeys(codes))
    aggs = set(flagged) | {c for c in uniq if c in ref.WB_AGGREGATES}
    rest = [c for c in uniq if c not in aggs]
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    if not rest:
        return mapping, aggs, unknown
    try:
        match = resolve_units(rest, kind="country", drop_aggregates=False)
        pairs = [(c, match.mapping[c], match.how.get(c)) for c in rest]
    except UnitNameError:
        # A World Bank code nqpf does not know: keep it as written (WB codes are ISO3-like).
        pairs = []
        for c in rest:
            try:
                m = resolve_units([c], kind="country", drop_aggregates=False)
                pairs.append((c, m.mapping[c], m.how.get(c)))
            except UnitNameError:
                pairs.append((c, c, "matched"))
                unknown.append(c)
    for c, unit, how in pairs:
        if how == "aggregate":
            aggs.add(c)
        else:
            mapping[c] = unit
    return mapping, aggs, unknown


def _cube(
    long: pd.DataFrame, units: list[str], codes: list[str]
) -> tuple[np.ndarray, list[int]]:
    d = long[long["unit"].isin(units)]
    if d.empty:
        return np.full((len(units), 0, len(codes)), np.nan), []
    periods = list(range(int(d["year"].min()), int(d["year"].max()) + 1))
    cube = np.full((len(units), len(periods), len(codes)), np.nan)
    ui = pd.Index(units).get_indexer(d["unit"])
    ti = d["year"].to_numpy() - periods[0]
    ki = pd.Index(codes).get_indexer(d["indicator"])
    cube[ui, ti, ki] = d["value"].to_numpy()
    return cube, periods


def _resolve_selection(wanted: list[str] | None) -> tuple[list[str], list[str]] | None:
    """(countries, aggregates) asked for as canonical ids, or None for all."""
    if wanted is None:
        return None
    match = resolve_units(
        wanted, kind="country", drop_aggregates=False, where="countries asked for"
    )
    ctry_units: list[str] = []
    agg_units: list[str] = []
    for raw in wanted:
        unit = match.mapping[raw]
        target = agg_units if match.how.get(raw) == "aggregate" else ctry_units
        if unit not in target:
            target.append(unit)
    if not ctry_units:
        raise DataError(
            f"the countries asked for ({', '.join(wanted)}) are all World Bank aggregates; "
            "add at least one country (aggregates come in WdiResult.aggregates)"
        )
    return ctry_units, agg_units


def _build_result(
    codes: list[str],
    wanted: list[str] | None,
    selection: tuple[list[str], list[str]] | None,
    span: tuple[int, int] | None,
    frames: dict[str, pd.DataFrame],
    metas: dict[str, dict[str, Any]],
    cached: tuple[str, ...],
    cdir: Path,
) -> WdiResult:
    long = pd.concat(
        [f.assign(indicator=c) for c, f in frames.items()], ignore_index=True
    )
    flagged = set(long.loc[long["aggregate"], "economy"])
    mapping, agg_codes, unknown = _economy_ids(long["economy"], flagged)
    is_agg = long["economy"].isin(agg_codes).to_numpy()
    long["unit"] = [e if a else mapping[e] for e, a in zip(long["economy"], is_agg, strict=True)]
    if span is not None:
        keep = (long["year"] >= span[0]) & (long["year"] <= span[1])
        long, is_agg = long[keep.to_numpy()], is_agg[keep.to_numpy()]
    ctry_long, agg_long = long[~is_agg], long[is_agg]
    dup = ctry_long.duplicated(["unit", "year", "indicator"], keep=False)
    if dup.any():
        ex = ctry_long[dup].head(4)
        raise DataError(
            "two World Bank economy codes resolve to the same country: "
            + "; ".join(f"{r.economy} -> {r.unit} ({r.indicator}, {r.year})"
                        for r in ex.itertuples())
            + f". Delete the cache files in {cdir} and download again, or report the codes"
        )

    if selection is None:
        ctry_units = sorted(set(ctry_long["unit"]))
        agg_units = sorted(set(agg_long["unit"]))
        no_data: list[str] = []
    else:
        ctry_units, agg_units = selection
        seen = set(ctry_long["unit"]) | set(agg_long["unit"])
        no_data = [u for u in ctry_units + agg_units if u not in seen]

    where = f"{span[0]}–{span[1]}" if span else "any year"
    cube, periods = _cube(ctry_long, ctry_units, codes)
    if not periods:
        shown = ", ".join(ctry_units[:10]) + (" …" if len(ctry_units) > 10 else "")
        raise DataError(
            f"WDI has no value of {', '.join(codes)} for {shown} in {where}; widen the years "
            "(--years A:B) or choose other indicators or countries"
        )
    retrieved = {c: str(metas[c]["retrieved"]) for c in codes}
    base_meta = {
        "source": SOURCE,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "retrieved": retrieved,
        "indicators": {c: {"title": metas[c].get("title"), "unit": metas[c].get("unit")}
                       for c in codes},
        "from_cache": len(cached) == len(codes),
        "cache_dir": str(cdir),
    }
    panel = Panel(
        cube, tuple(ctry_units), tuple(periods), tuple(codes),
        meta={**base_meta, "unit_kind": "country",
              "dropped_units": sorted(set(agg_long["unit"])) if selection is None else agg_units,
              "unknown_codes": [u for u in unknown if u in ctry_units]},
    )
    aggregates = None
    if agg_units:
        acube, aperiods = _cube(agg_long, agg_units, codes)
        if aperiods:
            aggregates = Panel(
                acube, tuple(agg_units), tuple(aperiods), tuple(codes),
                meta={**base_meta, "unit_kind": "aggregate"},
            )
    query = {
        "indicators": list(codes),
        "countries": "all" if wanted is None else [*ctry_units, *agg_units],
        "countries_given": "all" if wanted is None else list(wanted),
        "years": list(span) if span else None,
    }
    return WdiResult(
        panel=panel,
        aggregates=aggregates,
        meta={c: dict(metas[c]) for c in codes},
        from_cache=len(cached) == len(codes),
        retrieved=retrieved,
        cached=cached,
        no_data=tuple(no_data),
        query=query,
        cache_dir=cdir,
    )
