"""Tests of nqpf.sources.wdi: WDI through wbgapi, cached; no network is ever used.

The fake client below yields exactly what ``wbgapi.data.fetch(series, economy="all",
time="all", skipBlanks=True, numericTimeKeys=True)`` yields; the first test checks that by
running the real ``wbgapi.data.fetch`` on the same raw API rows with its network layer stubbed.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import requests
import wbgapi

from nqpf.datasets.reference import WB_AGGREGATES
from nqpf.errors import DataError, UnitNameError
from nqpf.panel.io import read_panel
from nqpf.sources import wdi
from nqpf.sources.wdi import WdiResult, default_cache_dir, fetch_wdi

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
needs_data = pytest.mark.skipif(not DATA.exists(), reason="../shared/data not present")
NAN = math.nan

RD = "GB.XPD.RSDV.GD.ZS"
RES = "SP.POP.SCIE.RD.P6"
TITLES = {
    RD: "Research and development expenditure (% of GDP)",
    RES: "Researchers in R&D (per million people)",
}
AGG_CODES = {"WLD", "1W"}  # what wbgapi.economy.aggregates() holds: ISO3 and ISO2 forms

# Hand-made observations (series, economy, year, value); None = blank, as the API sends it.
OBS: list[tuple[str, str, int, float | None]] = []
_TABLE = {
    RD: {
        "CHN": [None, 2.14, 2.24, 2.41, 2.43],
        "USA": [None, 3.01, 3.17, 3.45, None],
        "DEU": [None, 3.11, 3.17, 3.13, 3.13],
        "WLD": [None, 2.17, 2.24, 2.42, None],
    },
    RES: {
        "CHN": [None, 1307.1, 1471.3, 1584.9, None],
        "USA": [None, 4412.0, 4821.0, None, None],
        "DEU": [None, 5212.0, 5393.0, 5466.0, None],
        "WLD": [None, 1368.0, None, None, None],
    },
}
for _code, _by in _TABLE.items():
    for _eco, _vals in _by.items():
        for _year, _v in zip(range(2017, 2022), _vals, strict=True):
            OBS.append((_code, _eco, _year, _v))


# ---------------------------------------------------------------------- fake wbgapi
class FakeAPIError(Exception):
    """Stands for wbgapi.APIError."""


class FakeData:
    """``client.data``: fetch() behaves as wbgapi.data.fetch for one series, all economies."""

    def __init__(self, obs, log, fail=None):
        self.obs, self.log, self.fail = obs, log, fail

    def fetch(
        self,
        series,
        economy="all",
        time="all",
        mrv=None,
        mrnev=None,
        skipBlanks=False,
        labels=False,
        skipAggs=False,
        numericTimeKeys=False,
        params=None,
        db=None,
        **dimensions,
    ):
        self.log.append(("fetch", series, economy, time, skipBlanks, numericTimeKeys))
        return self._rows(series, skipBlanks, numericTimeKeys)

    def _rows(self, series, skip_blanks, numeric):  # a generator, like wbgapi's
        for i, (code, eco, year, value) in enumerate(self.obs):
            if self.fail is not None and i == 3:
                raise self.fail
            if code != series or (skip_blanks and value is None):
                continue
            yield {
                "value": value,
                "series": code,
                "economy": eco,
                "aggregate": eco in AGG_CODES,
                "time": year if numeric else f"YR{year}",
            }


class FakeMetadata:
    def __init__(self, log):
        self.log = log

    def get(self, code):
        self.log.append(("metadata", code))
        return SimpleNamespace(
            metadata={
                "IndicatorName": TITLES.get(code, code),
                "Unitofmeasure": "",
                "Source": "UNESCO Institute for Statistics",
                "License_Type": "CC BY-4.0",
            }
        )


class FakeSeries:
    def __init__(self, log):
        self.log = log
        self.metadata = FakeMetadata(log)

    def get(self, code):
        self.log.append(("series", code))
        return {"id": code, "value": TITLES.get(code, code)}


def fake_client(obs=OBS, fail=None):
    log: list[tuple] = []
    client = SimpleNamespace(
        data=FakeData(obs, log, fail),
        series=FakeSeries(log),
        __version__="1.0.14",
        APIError=FakeAPIError,
    )
    return client, log


class NoNetwork:
    """A client that fails the test if anything of it is touched."""

    def __getattr__(self, name):
        raise AssertionError(f"the client was used ({name}) although the cache should serve")


def raw_api_rows(obs):
    """The rows wbgapi.refetch yields for sources/2/series/X/country/all/time/all."""
    for code, eco, year, value in obs:
        yield {
            "variable": [
                {"concept": "Series", "id": code, "value": TITLES.get(code, code)},
                {"concept": "Country", "id": eco, "value": eco},
                {"concept": "Time", "id": f"YR{year}", "value": str(year)},
            ],
            "value": value,
        }


@pytest.fixture
def stub_wbgapi(monkeypatch):
    """Run the real wbgapi.data.fetch on OBS with its network layer replaced."""
    concepts = {
        "economy": {"key": "country", "value": "Country"},
        "series": {"key": "series", "value": "Series"},
        "time": {"key": "time", "value": "Time"},
    }

    def no_requests(*a, **k):
        raise AssertionError("network used")

    def refetch(url, keys, **kw):
        assert url == "sources/2/series/{series}/country/{economy}/time/{time}", url
        assert kw["economy"] == "all" and kw["time"] == "all"
        return raw_api_rows([o for o in OBS if o[0] == kw["series"]])

    def get(url, *a, **k):
        if url == "sources/2":
            return {"id": 2, "value": "World Development Indicators", "metadataavailability": "Y"}
        code = url.removeprefix("sources/2/series/")
        return {"id": code, "value": TITLES[code]}

    def metadata(url, keys, concepts="all", **kw):
        assert url == "sources/{source}/series/{series}/metadata", url
        m = wbgapi.Metadata("Series", kw["series"], None)
        m.metadata = {
            "IndicatorName": TITLES[kw["series"]],
            "Unitofmeasure": "",
            "License_Type": "CC BY-4.0",
        }
        yield m

    monkeypatch.setattr(wbgapi.requests, "get", no_requests)
    monkeypatch.setattr(wbgapi.source, "concepts", lambda db=None: concepts)
    monkeypatch.setattr(wbgapi.source, "_metadata_flags", {})
    monkeypatch.setattr(wbgapi, "queryParam", lambda arg, concept=None, db=None: str(arg))
    monkeypatch.setattr(wbgapi.economy, "aggregates", lambda: set(AGG_CODES))
    monkeypatch.setattr(wbgapi, "refetch", refetch)
    monkeypatch.setattr(wbgapi, "get", get)
    monkeypatch.setattr(wbgapi, "metadata", metadata)


def test_fake_client_yields_what_wbgapi_fetch_yields(stub_wbgapi):
    fake, _ = fake_client()
    for code in (RD, RES):
        real = list(
            wbgapi.data.fetch(
                code, economy="all", time="all", skipBlanks=True, numericTimeKeys=True
            )
        )
        mine = list(
            fake.data.fetch(code, economy="all", time="all", skipBlanks=True, numericTimeKeys=True)
        )
        assert real == mine
        assert len(real) == sum(1 for o in OBS if o[0] == code and o[3] is not None)
    assert real[0] == {
        "value": 1307.1,
        "series": RES,
        "economy": "CHN",
        "aggregate": False,
        "time": 2018,
    }


def test_real_wbgapi_module_as_client(stub_wbgapi, tmp_path):
    res = fetch_wdi([RD, RES], cache_dir=tmp_path, client=None)
    assert res.panel.units == ("CHN", "DEU", "USA")
    assert res.panel.frame(RD).loc["CHN", 2019] == 2.24
    assert res.aggregates.units == ("WLD",)
    assert res.meta[RD]["wbgapi_version"] == wbgapi.__version__
    assert res.meta[RD]["title"] == TITLES[RD]
    assert res.meta[RD]["unit"] == "% of GDP"
    assert res.meta[RD]["licence_api"] == "CC BY-4.0"  # read through series.metadata.get


# ---------------------------------------------------------------------- first call, cache
def test_first_call_downloads_and_writes_cache(tmp_path):
    client, log = fake_client()
    before = datetime.now(UTC).replace(microsecond=0)
    res = fetch_wdi([RD, RES], cache_dir=tmp_path, client=client)
    assert isinstance(res, WdiResult)
    assert not res.from_cache and res.cached == ()
    assert [e for e in log if e[0] == "fetch"] == [
        ("fetch", RD, "all", "all", True, True),
        ("fetch", RES, "all", "all", True, True),
    ]
    p = res.panel
    assert p.units == ("CHN", "DEU", "USA")
    assert p.periods == (2018, 2019, 2020, 2021)  # 2017 is blank everywhere
    assert p.indicators == (RD, RES)
    rd = p.frame(RD)
    assert rd.loc["CHN"].tolist() == [2.14, 2.24, 2.41, 2.43]
    assert rd.loc["USA", 2020] == 3.45 and math.isnan(rd.loc["USA", 2021])
    res_ = p.frame(RES)
    assert res_.loc["DEU", 2020] == 5466.0 and math.isnan(res_.loc["USA", 2020])
    assert int(np.isnan(p.values).sum()) == 1 + 4  # RD: USA 2021; RES: 2021 ×3, USA 2020
    assert p.meta["unit_kind"] == "country" and p.meta["dropped_units"] == ["WLD"]
    assert p.meta["licence"] == "CC BY 4.0"

    for code in (RD, RES):
        data, side = tmp_path / f"{code}.csv", tmp_path / f"{code}.json"
        assert data.is_file() and side.is_file()
        meta = json.loads(side.read_text(encoding="utf-8"))
        assert meta["source"] == "World Bank, World Development Indicators"
        assert meta["licence"] == "CC BY 4.0"
        assert meta["wbgapi_version"] == "1.0.14"
        assert meta["indicator"] == code and meta["title"] == TITLES[code]
        assert meta["query"]["series"] == code and meta["query"]["economy"] == "all"
        when = datetime.fromisoformat(meta["retrieved"])
        assert when.utcoffset().total_seconds() == 0 and before <= when
        assert meta == res.meta[code]
        cached = pd.read_csv(data, keep_default_na=False)
        assert list(cached.columns) == ["economy", "year", "value", "aggregate"]
        assert len(cached) == sum(1 for o in OBS if o[0] == code and o[3] is not None)
    assert res.meta[RD]["unit"] == "% of GDP" and res.meta[RD]["unit_from"] == "title"
    assert res.meta[RES]["unit"] == "per million people"
    assert res.meta[RES]["original_source"] == "UNESCO Institute for Statistics"
    assert res.retrieved == {c: res.meta[c]["retrieved"] for c in (RD, RES)}
    assert "downloaded on" in res.provenance


def test_second_call_is_served_from_cache_without_the_client(tmp_path):
    client, _ = fake_client()
    first = fetch_wdi([RD, RES], cache_dir=tmp_path, client=client)
    again = fetch_wdi([RD, RES], cache_dir=tmp_path, client=NoNetwork())
    assert again.from_cache and again.cached == (RD, RES)
    assert again.retrieved == first.retrieved
    np.testing.assert_array_equal(again.panel.values, first.panel.values)  # exact, NaN = NaN
    assert again.panel.units == first.panel.units
    np.testing.assert_array_equal(again.aggregates.values, first.aggregates.values)
    day = first.retrieved[RD][:10]
    assert again.provenance.endswith(f"using cached data retrieved on {day} ({RD}, {RES})")
    # a different selection is served by the same cache
    sub = fetch_wdi([RES], ["DEU"], (2019, 2020), cache_dir=tmp_path, client=NoNetwork())
    assert sub.panel.frame(RES).loc["DEU"].tolist() == [5393.0, 5466.0]


def test_offline_never_touches_the_network(tmp_path):
    client, _ = fake_client()
    fetch_wdi([RD], cache_dir=tmp_path, client=client)
    res = fetch_wdi([RD], cache_dir=tmp_path, offline=True, client=NoNetwork())
    assert res.from_cache
    assert res.panel.frame(RD).loc["DEU", 2018] == 3.11


def test_offline_without_cache_says_what_to_do(tmp_path):
    cache = tmp_path / "empty"
    with pytest.raises(DataError) as e:
        fetch_wdi([RD, RES], cache_dir=cache, offline=True, client=NoNetwork())
    msg = str(e.value)
    assert f"{RD}, {RES}" in msg and str(cache) in msg
    assert "Connect to the internet once" in msg
    assert f"https://data.worldbank.org/indicator/{RD}" in msg
    assert "nqpf.read_panel" in msg and "`nqpf convert`" in msg
    assert not cache.exists()  # nothing created offline


def test_offline_with_partial_cache_names_only_the_missing_indicator(tmp_path):
    client, _ = fake_client()
    fetch_wdi([RD], cache_dir=tmp_path, client=client)
    with pytest.raises(DataError, match=f"indicator\\(s\\) {RES} in"):
        fetch_wdi([RD, RES], cache_dir=tmp_path, offline=True, client=NoNetwork())


def test_network_error_becomes_the_advice(tmp_path):
    client, _ = fake_client(fail=requests.exceptions.ConnectionError("Max retries exceeded"))
    with pytest.raises(DataError) as e:
        fetch_wdi([RD], cache_dir=tmp_path, client=client)
    msg = str(e.value)
    assert "cannot download WDI indicator GB.XPD.RSDV.GD.ZS" in msg
    assert "ConnectionError: Max retries exceeded" in msg
    assert "Connect to the internet once" in msg and "--offline" in msg
    assert f"https://data.worldbank.org/indicator/{RD}" in msg
    assert isinstance(e.value.__cause__, requests.exceptions.ConnectionError)
    assert not (tmp_path / f"{RD}.csv").exists()


def test_real_wbgapi_without_network(monkeypatch, tmp_path):
    def down(*a, **k):
        raise requests.exceptions.ConnectionError("Failed to resolve 'api.worldbank.org'")

    monkeypatch.setattr(wbgapi.requests, "get", down)
    monkeypatch.setattr(wbgapi.source, "_concepts", {})
    with pytest.raises(DataError, match="Connect to the internet once"):
        fetch_wdi([RD], cache_dir=tmp_path)


def test_api_error_for_unknown_code(tmp_path):
    client, _ = fake_client(fail=FakeAPIError("APIError: [120] Invalid value"))
    with pytest.raises(DataError, match="does not know the WDI indicator"):
        fetch_wdi([RD], cache_dir=tmp_path, client=client)
    client, _ = fake_client(fail=FakeAPIError("APIError: [503] Service Unavailable"))
    with pytest.raises(DataError, match="cannot download"):
        fetch_wdi([RD], cache_dir=tmp_path, client=client)
    client, _ = fake_client()
    with pytest.raises(DataError, match="returned no values for WDI indicator 'NO.SUCH.CODE'"):
        fetch_wdi(["no.such.code"], cache_dir=tmp_path, client=client)


def test_refresh_refetches_and_updates_the_cache(tmp_path):
    client, _ = fake_client()
    first = fetch_wdi([RD], cache_dir=tmp_path, client=client)
    revised = [(c, e, y, 2.26 if (c, e, y) == (RD, "CHN", 2019) else v) for c, e, y, v in OBS]
    client2, log2 = fake_client(revised)
    res = fetch_wdi([RD], cache_dir=tmp_path, refresh=True, client=client2)
    assert not res.from_cache and any(e[0] == "fetch" for e in log2)
    assert res.panel.frame(RD).loc["CHN", 2019] == 2.26
    assert res.retrieved[RD] >= first.retrieved[RD]
    again = fetch_wdi([RD], cache_dir=tmp_path, client=NoNetwork())
    assert again.panel.frame(RD).loc["CHN", 2019] == 2.26
    # refresh while the network is down keeps the cache and says so
    down, _ = fake_client(fail=requests.exceptions.ConnectTimeout("timed out"))
    with pytest.raises(DataError, match="cached copy retrieved on .* run without --refresh"):
        fetch_wdi([RD], cache_dir=tmp_path, refresh=True, client=down)
    with pytest.raises(DataError, match="contradict"):
        fetch_wdi([RD], cache_dir=tmp_path, refresh=True, offline=True)


# ---------------------------------------------------------------------- selection
def test_aggregates_are_kept_apart(tmp_path):
    client, _ = fake_client()
    res = fetch_wdi([RD, RES], cache_dir=tmp_path, client=client)
    assert "WLD" not in res.panel.units
    agg = res.aggregates
    assert agg.units == ("WLD",) and agg.periods == (2018, 2019, 2020)
    assert agg.frame(RD).loc["WLD"].tolist() == [2.17, 2.24, 2.42]
    assert agg.frame(RES).loc["WLD", 2018] == 1368.0 and math.isnan(agg.frame(RES).loc["WLD", 2019])
    assert agg.meta["unit_kind"] == "aggregate"
    long = res.to_frame()
    assert set(long["unit"]) == {"CHN", "DEU", "USA"} and len(long) == 19
    both = res.to_frame(aggregates=True)
    assert len(both) == 19 + 4 and set(both.loc[both["aggregate"], "unit"]) == {"WLD"}


def test_countries_by_iso3_iso2_and_name_in_the_order_given(tmp_path):
    client, _ = fake_client()
    res = fetch_wdi(
        [RD], ["Germany", "cn", "World", "USA", "CHN"], cache_dir=tmp_path, client=client
    )
    assert res.panel.units == ("DEU", "CHN", "USA")
    assert res.aggregates.units == ("WLD",)
    assert res.panel.meta["dropped_units"] == ["WLD"]
    assert res.query["countries"] == ["DEU", "CHN", "USA", "WLD"]
    no_aggs = fetch_wdi([RD], ["CHN", "USA"], cache_dir=tmp_path, client=NoNetwork())
    assert no_aggs.aggregates is None and no_aggs.panel.units == ("CHN", "USA")
    with pytest.raises(DataError, match="all World Bank aggregates"):
        fetch_wdi([RD], ["WLD"], cache_dir=tmp_path, client=NoNetwork())


def test_api_aggregate_flag_and_unknown_codes(tmp_path):
    # 'ZZA' is an aggregate only the API knows; 'ZZC' an economy no table knows.
    extra = [(RD, "ZZA", 2019, 1.5), (RD, "ZZC", 2019, 0.5)]
    client, _ = fake_client(OBS + extra)
    client.data = FakeDataAggs(OBS + extra, [], AGG_CODES | {"ZZA"})
    res = fetch_wdi([RD], cache_dir=tmp_path, client=client)
    assert res.aggregates.units == ("WLD", "ZZA")
    assert res.aggregates.frame(RD).loc["ZZA", 2019] == 1.5
    assert res.panel.units == ("CHN", "DEU", "USA", "ZZC")
    assert res.panel.meta["unknown_codes"] == ["ZZC"]
    cached = fetch_wdi([RD], cache_dir=tmp_path, client=NoNetwork())  # flag kept in the cache
    assert cached.aggregates.units == ("WLD", "ZZA")


def test_country_without_data_is_kept_and_named(tmp_path):
    client, _ = fake_client()
    res = fetch_wdi([RD], ["CHN", "TWN"], cache_dir=tmp_path, client=client)
    assert res.panel.units == ("CHN", "TWN")
    assert np.isnan(res.panel.frame(RD).loc["TWN"]).all()
    assert res.no_data == ("TWN",)


def test_unknown_country_raises_before_any_download(tmp_path):
    with pytest.raises(UnitNameError) as e:
        fetch_wdi([RD], ["CHN", "Atlantis"], cache_dir=tmp_path, client=NoNetwork())
    assert "'Atlantis'" in str(e.value) and "countries asked for" in str(e.value)
    assert not tmp_path.joinpath(f"{RD}.csv").exists()


def test_years_filter_is_inclusive_and_validated(tmp_path):
    client, _ = fake_client()
    res = fetch_wdi([RD, RES], years=(2019, 2020), cache_dir=tmp_path, client=client)
    assert res.panel.periods == (2019, 2020)
    assert res.panel.frame(RD).loc["USA"].tolist() == [3.17, 3.45]
    assert res.aggregates.periods == (2019, 2020)
    one = fetch_wdi([RD], "all", (2021, 2021), cache_dir=tmp_path, client=NoNetwork())
    assert one.panel.units == ("CHN", "DEU")  # USA has no 2021 value
    assert one.panel.frame(RD)[2021].tolist() == [2.43, 3.13]
    assert one.aggregates is None  # WLD has no 2021 value
    with pytest.raises(DataError, match="first year is after the last; write them as 2019:2021"):
        fetch_wdi([RD], years=(2021, 2019), cache_dir=tmp_path, client=NoNetwork())
    with pytest.raises(DataError, match="no value of GB.XPD.RSDV.GD.ZS .* in 1990–1995"):
        fetch_wdi([RD], years=(1990, 1995), cache_dir=tmp_path, client=NoNetwork())
    with pytest.raises(DataError, match="whole years"):
        fetch_wdi([RD], years=(2019.5, 2020), cache_dir=tmp_path, client=NoNetwork())


def test_parse_years():
    assert wdi.parse_years("2015:2020") == (2015, 2020)
    assert wdi.parse_years(" 2019 ") == (2019, 2019)
    with pytest.raises(DataError, match="write them as 2015:2020"):
        wdi.parse_years("2020:2015")
    with pytest.raises(DataError, match="FIRST:LAST"):
        wdi.parse_years("2015-2020")


def test_bad_indicator_codes(tmp_path):
    with pytest.raises(DataError, match="do not look like WDI indicator codes|do\\(es\\) not"):
        fetch_wdi(["../etc/passwd"], cache_dir=tmp_path, client=NoNetwork())
    with pytest.raises(DataError, match="no indicator codes"):
        fetch_wdi([], cache_dir=tmp_path, client=NoNetwork())


def test_damaged_cache(tmp_path):
    client, _ = fake_client()
    fetch_wdi([RD], cache_dir=tmp_path, client=client)
    (tmp_path / f"{RD}.csv").write_text("economy,year\nCHN,2019\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"cache file .*GB.XPD.RSDV.GD.ZS.csv has columns"):
        fetch_wdi([RD], cache_dir=tmp_path, offline=True)
    client2, log2 = fake_client()
    res = fetch_wdi([RD], cache_dir=tmp_path, client=client2)  # online: downloaded again
    assert not res.from_cache and log2
    assert (
        fetch_wdi([RD], cache_dir=tmp_path, offline=True).panel.frame(RD).loc["CHN", 2019] == 2.24
    )


def test_default_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("NQPF_CACHE", str(tmp_path / "root"))
    assert default_cache_dir() == tmp_path / "root" / "wdi"
    client, _ = fake_client()
    fetch_wdi([RD], client=client)
    assert (tmp_path / "root" / "wdi" / f"{RD}.json").is_file()
    monkeypatch.delenv("NQPF_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "nqpf" / "wdi"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "nqpf" / "wdi"


# ---------------------------------------------------------------------- write
def test_write_and_refuse_overwrite(tmp_path):
    client, _ = fake_client()
    res = fetch_wdi([RD, RES], cache_dir=tmp_path / "cache", client=client)
    out = tmp_path / "out" / "wdi.csv"
    files = res.write(out)
    assert [f.name for f in files] == ["wdi.csv", "wdi.aggregates.csv", "wdi.source.json"]
    back = read_panel(out, units="country")
    assert back.units == res.panel.units and back.periods == res.panel.periods
    np.testing.assert_array_equal(back.sel(indicators=[RD, RES]).values, res.panel.values)
    aggs = pd.read_csv(tmp_path / "out" / "wdi.aggregates.csv")
    assert aggs["unit"].unique().tolist() == ["WLD"]
    side = json.loads((tmp_path / "out" / "wdi.source.json").read_text(encoding="utf-8"))
    assert side["source"] == wdi.SOURCE and side["licence"] == "CC BY 4.0"
    assert side["retrieved"] == res.retrieved and side["wbgapi_version"] == ["1.0.14"]
    assert side["indicators"][RD]["title"] == TITLES[RD]
    assert side["files"] == {"countries": "wdi.csv", "aggregates": "wdi.aggregates.csv"}
    assert side["query"]["countries"] == "all"

    stamp = out.read_bytes()
    with pytest.raises(DataError, match="already exist"):
        res.write(out)
    assert out.read_bytes() == stamp
    (tmp_path / "out" / "wdi.csv").unlink()
    with pytest.raises(DataError, match="wdi.source.json"):  # the sidecar alone also blocks
        res.write(out)
    assert not out.exists()
    assert len(res.write(out, overwrite=True)) == 3
    with pytest.raises(DataError, match="cannot write '.txt'"):
        res.write(tmp_path / "x.txt")


# ---------------------------------------------------------------------- real WDI CSV
def rows_from_csv(path: Path, code: str) -> list[tuple[str, str, int, float | None]]:
    df = pd.read_csv(path, keep_default_na=False, dtype={"Country Code": str})
    return [
        (code, e, int(y), float(v))
        for e, y, v in zip(df["Country Code"], df["Year"], df["Value"], strict=True)
    ]


@needs_data
@pytest.mark.parametrize("code", [RD, "SP.POP.TOTL"])
def test_same_panel_as_read_panel_on_the_real_csv(tmp_path, code):
    path = DATA / "wdi" / f"{code.lower()}.csv"
    by_file = read_panel(path, indicator_name=code)
    obs = rows_from_csv(path, code)
    client, _ = fake_client(obs)
    client.data = FakeDataAggs(obs, [], set(WB_AGGREGATES))
    res = fetch_wdi([code], cache_dir=tmp_path, client=client)
    p = res.panel
    assert set(p.units) == set(by_file.units)
    assert p.periods == by_file.periods
    aligned = p.sel(units=list(by_file.units))
    np.testing.assert_array_equal(aligned.values, by_file.values)
    assert sorted(res.aggregates.units) == sorted(by_file.meta["dropped_units"])
    if code == RD:
        assert len(p.units) == 156 and len(res.aggregates.units) == 39
        f = p.frame(code)
        assert round(f.loc["CHN", 2020], 5) == 2.35712
        assert round(f.loc["USA", 2019], 5) == 3.14297
        assert round(f.loc["DEU", 2020], 4) == 3.0897
    # the cached copy gives the same panel
    again = fetch_wdi([code], cache_dir=tmp_path, offline=True)
    np.testing.assert_array_equal(again.panel.values, p.values)


class FakeDataAggs(FakeData):
    """FakeData whose aggregate flag comes from a given set (the API's aggregate list)."""

    def __init__(self, obs, log, aggs):
        super().__init__(obs, log)
        self.aggs = aggs

    def _rows(self, series, skip_blanks, numeric):
        for row in super()._rows(series, skip_blanks, numeric):
            row["aggregate"] = row["economy"] in self.aggs
            yield row


# ---------------------------------------------------------------------- the command
def test_command_serves_the_cache_offline_and_says_so(tmp_path):
    from clitools import flat, run

    client, _ = fake_client()
    fetch_wdi([RD], "all", cache_dir=tmp_path / "cache", client=client)  # fills the cache
    out = tmp_path / "wdi.csv"
    rc, stdout, stderr = run(
        "data",
        "wdi",
        "--indicators",
        RD,
        "--countries",
        "CHN,USA",
        "--years",
        "2018:2020",
        "--offline",
        "--cache",
        tmp_path / "cache",
        "--out",
        out,
    )
    assert rc == 0, stderr
    assert "cached" in flat(stderr)
    df = pd.read_csv(out)
    assert set(df["unit"]) == {"CHN", "USA"}
    assert df.set_index(["unit", "period"]).loc[("CHN", 2019), RD] == pytest.approx(2.24)
    assert (tmp_path / "wdi.source.json").exists()
    rc, _, stderr = run(
        "data",
        "wdi",
        "--indicators",
        RES,
        "--offline",
        "--cache",
        tmp_path / "cache",
        "--out",
        tmp_path / "x.csv",
    )
    assert rc == 2 and "Connect to the internet once" in flat(stderr)
