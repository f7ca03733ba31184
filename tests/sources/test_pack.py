"""Tests of nqpf.sources.pack: the data pack format, read_pack, write_pack and load_data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from nqpf.errors import DataError
from nqpf.panel import Panel
from nqpf.sources.pack import (
    DATA_FILE,
    PACK_FILE,
    PackMetadata,
    is_pack,
    load_data,
    read_pack,
    write_pack,
)

NAN = np.nan
RD, POP = "GB.XPD.RSDV.GD.ZS", "SP.POP.TOTL"


def make_panel() -> Panel:
    values = np.array(
        [
            [[4.52, 51_836_239.0], [NAN, 51_769_539.0]],
            [[2.41, 1_411_100_000.0], [2.43, NAN]],
        ]
    )
    imputed = np.zeros(values.shape, bool)
    imputed[1, 1, 0] = True
    return Panel(values, ("KOR", "CHN"), (2020, 2021), (RD, POP), imputed,
                 meta={"unit_kind": "country"})


def metadata(**changes) -> dict:
    md = {
        "name": "wdi-test",
        "title_zh": "世界发展指标(测试)",
        "title_en": "World Development Indicators (test)",
        "source": "World Bank, World Development Indicators",
        "licence": "CC BY 4.0",
        "citation": "World Bank (2025). World Development Indicators.",
        "retrieved": "2025-06-30",
        "url": "https://datacatalog.worldbank.org/dataset/world-development-indicators",
        "indicators": [
            {"id": RD, "name_zh": "R&D经费支出占GDP比重", "name_en": "R&D expenditure",
             "unit": "%", "direction": "正向"},
            {"id": POP, "name_zh": "总人口", "name_en": "Population", "unit": "persons"},
        ],
    }
    md.update(changes)
    return md


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    return write_pack(make_panel(), tmp_path / "pack", metadata())


def edit_yaml(folder: Path, old: str, new: str) -> None:
    y = folder / PACK_FILE
    text = y.read_text(encoding="utf-8")
    assert old in text
    y.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(folder: Path, fragment: str) -> int:
    lines = (folder / PACK_FILE).read_text(encoding="utf-8").splitlines()
    return next(i + 1 for i, ln in enumerate(lines) if fragment in ln)


# ---------------------------------------------------------------------- round trip
def test_round_trip_keeps_values_flags_and_provenance(pack_dir: Path):
    assert sorted(p.name for p in pack_dir.iterdir()) == [DATA_FILE, PACK_FILE]
    pk = read_pack(pack_dir)
    src = make_panel()
    assert pk.panel.units == src.units and pk.panel.periods == src.periods
    assert pk.panel.indicators == src.indicators
    np.testing.assert_array_equal(pk.panel.values, src.values)  # exact, NaN in place
    np.testing.assert_array_equal(pk.panel.imputed, src.imputed)
    meta = pk.panel.meta
    assert meta["source"] == "World Bank, World Development Indicators"
    assert meta["licence"] == "CC BY 4.0"
    assert meta["citation"] == "World Bank (2025). World Development Indicators."
    assert meta["retrieved"] == "2025-06-30"
    assert meta["pack"]["name"] == "wdi-test"
    assert meta["indicator_meta"][RD]["direction"] == "+"
    assert pk.metadata.retrieved == dt.date(2025, 6, 30)
    assert pk.notes == ()
    f = pk.metadata.files[0]
    assert (f.path, f.layout, f.unit, f.period, f.units) == (
        DATA_FILE, "wide", "unit", "period", "country")
    # indicator table: direction normalised, coverage = observed share of 4 unit-periods
    t = pk.indicators.set_index("id")
    assert t.loc[RD, "direction"] == "+" and pd.isna(t.loc[POP, "direction"])
    assert t.loc[RD, "coverage"] == 0.75 and t.loc[POP, "coverage"] == 0.75
    assert t["described"].all() and t["in_data"].all()
    assert pk.summary().set_index("field").loc["periods", "value"] == "2 (2020–2021)"


def test_pack_yaml_is_plain_and_reads_back_as_equal_metadata(pack_dir: Path):
    raw = yaml.safe_load((pack_dir / PACK_FILE).read_text(encoding="utf-8"))
    assert raw["retrieved"] == dt.date(2025, 6, 30)  # a YAML date, not a quoted string
    assert raw["files"] == [{"path": "data.csv", "layout": "wide", "unit": "unit",
                             "period": "period", "units": "country"}]
    again = write_pack(make_panel(), pack_dir.parent / "again", read_pack(pack_dir).metadata)
    assert read_pack(again).metadata == read_pack(pack_dir).metadata


def test_cost_direction_survives_yaml(tmp_path: Path):
    md = metadata(indicators=[{"id": RD, "name_zh": "x", "name_en": "x", "unit": "%",
                               "direction": "-"}])
    folder = write_pack(make_panel().sel(indicators=[RD]), tmp_path / "p", md)
    assert read_pack(folder).metadata.indicators[0].direction == "-"


def test_write_pack_refuses_to_overwrite(pack_dir: Path):
    before = (pack_dir / DATA_FILE).read_bytes()
    with pytest.raises(DataError, match="overwrite=True"):
        write_pack(make_panel().sel(units=["KOR"]), pack_dir, metadata())
    assert (pack_dir / DATA_FILE).read_bytes() == before
    write_pack(make_panel().sel(units=["KOR"]), pack_dir, metadata(), overwrite=True)
    assert read_pack(pack_dir).panel.units == ("KOR",)


def test_write_pack_rejects_bad_metadata(tmp_path: Path):
    with pytest.raises(DataError, match=r"licence: missing"):
        write_pack(make_panel(), tmp_path / "p", {k: v for k, v in metadata().items()
                                                 if k != "licence"})
    assert not (tmp_path / "p").exists()


# ---------------------------------------------------------------------- pack.yaml errors
def test_missing_pack_yaml(tmp_path: Path):
    (tmp_path / "data.csv").write_text("unit,period,x\nKOR,2020,1\n", encoding="utf-8")
    with pytest.raises(DataError, match="no pack.yaml in this folder"):
        read_pack(tmp_path)
    with pytest.raises(DataError, match="pack folder not found"):
        read_pack(tmp_path / "nope")


def test_malformed_yaml_names_the_line(pack_dir: Path):
    edit_yaml(pack_dir, "licence: CC BY 4.0", "licence: [CC BY 4.0")
    line = line_of(pack_dir, "licence:")
    with pytest.raises(DataError, match=rf"pack.yaml, line {line + 1}, column \d+: malformed YAML"):
        read_pack(pack_dir)


def test_tab_indentation_is_explained(pack_dir: Path):
    edit_yaml(pack_dir, "  layout: wide", "\tlayout: wide")
    with pytest.raises(DataError, match="spaces, not tabs"):
        read_pack(pack_dir)


def test_unknown_field_and_bad_values_name_their_lines(pack_dir: Path):
    edit_yaml(pack_dir, "  layout: wide", "  layuot: wide")
    edit_yaml(pack_dir, "retrieved: 2025-06-30", "retrieved: last week")
    with pytest.raises(DataError) as e:
        read_pack(pack_dir)
    msg = str(e.value)
    assert "2 problems" in msg
    assert f"line {line_of(pack_dir, 'layuot')}: files[0].layuot: unknown field 'layuot'" in msg
    assert f"line {line_of(pack_dir, 'retrieved')}: retrieved:" in msg and "YYYY-MM-DD" in msg


def test_path_may_not_leave_the_folder(pack_dir: Path):
    edit_yaml(pack_dir, "path: data.csv", "path: ../data.csv")
    with pytest.raises(DataError, match=r"files\[0\]\.path: path '\.\./data\.csv' must be rel"):
        read_pack(pack_dir)


def test_listed_file_missing(pack_dir: Path):
    (pack_dir / DATA_FILE).rename(pack_dir / "other.csv")
    with pytest.raises(DataError) as e:
        read_pack(pack_dir)
    msg = str(e.value)
    assert f"line {line_of(pack_dir, 'path: data.csv')}: files[0].path 'data.csv': not found" in msg
    assert "['other.csv']" in msg


# ---------------------------------------------------------------------- notes
def test_metadata_and_data_mismatch_gives_notes_not_errors(tmp_path: Path):
    md = metadata(indicators=[
        {"id": RD, "name_zh": "研发强度", "name_en": "R&D", "unit": "%", "direction": "+"},
        {"id": "GB.XPD.RSDV.GD.Z", "name_zh": "笔误", "name_en": "typo", "unit": "%"},
    ])
    folder = write_pack(make_panel(), tmp_path / "p", md)
    pk = read_pack(folder)
    assert len(pk.notes) == 2
    described, undescribed = pk.notes
    assert "'GB.XPD.RSDV.GD.Z' is described in pack.yaml" in described
    assert "did you mean 'GB.XPD.RSDV.GD.ZS'?" in described
    assert f"(line {_id_line(folder, 'GB.XPD.RSDV.GD.Z')})" in described
    assert undescribed.startswith("1 indicator(s) in the data have no metadata")
    assert POP in undescribed
    t = pk.indicators.set_index("id")
    typo = "GB.XPD.RSDV.GD.Z"
    assert not t.loc[typo, "in_data"] and np.isnan(t.loc[typo, "coverage"])
    assert not t.loc[POP, "described"] and t.loc[POP, "in_data"]
    assert list(t.index) == [RD, "GB.XPD.RSDV.GD.Z", POP]


def _id_line(folder: Path, ident: str) -> int:
    lines = (folder / PACK_FILE).read_text(encoding="utf-8").splitlines()
    return next(i + 1 for i, ln in enumerate(lines) if ln.strip() == f"- id: {ident}")


# ---------------------------------------------------------------------- several files
def _wdi_like(path: Path, code_rows: list[tuple[str, str, int, str]]) -> None:
    lines = ["Country Name,Country Code,Year,Value"]
    lines += [f"\"{n}\",{c},{y},{v}" for n, c, y, v in code_rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _two_file_pack(folder: Path, pop_kor_2020: str = "51836239") -> Path:
    folder.mkdir()
    _wdi_like(folder / "rd.csv", [("Korea, Rep.", "KOR", 2020, "4.52"),
                                  ("World", "WLD", 2020, "2.62"),
                                  ("China", "CHN", 2020, "2.41")])
    _wdi_like(folder / "pop.csv", [("Korea, Rep.", "KOR", 2020, pop_kor_2020),
                                   ("Korea, Rep.", "KOR", 2021, "51769539")])
    md = metadata()
    md["retrieved"] = dt.date(2025, 6, 30)
    md["files"] = [
        {"path": "rd.csv", "layout": "long", "unit": "Country Code", "period": "Year",
         "value": "Value", "indicator_name": RD, "units": "country"},
        {"path": "pop.csv", "layout": "long", "unit": "Country Code", "period": "Year",
         "value": "Value", "indicator_name": POP, "units": "country"},
    ]
    (folder / PACK_FILE).write_text(yaml.safe_dump(md, allow_unicode=True), encoding="utf-8")
    return folder


def test_several_long_files_merge_and_drop_aggregates(tmp_path: Path):
    pk = read_pack(_two_file_pack(tmp_path / "p"))
    p = pk.panel
    assert p.units == ("KOR", "CHN") and p.periods == (2020, 2021)
    assert p.indicators == (RD, POP)
    assert p.values[0, 0, 0] == 4.52 and p.values[1, 0, 0] == 2.41
    assert p.values[0, 1, 1] == 51_769_539.0 and np.isnan(p.values[1, 0, 1])
    assert p.meta["dropped_units"] == ["WLD"] and p.meta["n_rows"] == 5
    assert [Path(f).name for f in p.meta["pack"]["files"]] == ["rd.csv", "pop.csv"]
    assert pk.notes == ()


def test_files_that_disagree_are_an_error(tmp_path: Path):
    folder = _two_file_pack(tmp_path / "p")
    _wdi_like(folder / "pop2.csv", [("Korea, Rep.", "KOR", 2020, "50000000")])
    md = yaml.safe_load((folder / PACK_FILE).read_text(encoding="utf-8"))
    md["files"].append(dict(md["files"][1], path="pop2.csv"))
    (folder / PACK_FILE).write_text(yaml.safe_dump(md, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataError, match=r"disagree: conflicting values for unit 'KOR', period"):
        read_pack(folder)


# ---------------------------------------------------------------------- load_data
def test_load_data_on_a_plain_csv(tmp_path: Path):
    f = tmp_path / "plain.csv"
    f.write_text("province,year,gdp\n北京,2020,36102.6\n上海,2020,38700.6\n", encoding="utf-8")
    p = load_data(f, units="province")
    assert p.units == ("CN-BJ", "CN-SH") and p.indicators == ("gdp",)
    assert p.values[:, 0, 0].tolist() == [36102.6, 38700.6]
    assert "licence" not in p.meta
    assert not is_pack(f)
    frame = pd.DataFrame({"province": ["北京"], "year": [2020], "gdp": [36102.6]})
    assert load_data(frame, units="province").units == ("CN-BJ",)


def test_load_data_on_a_pack(pack_dir: Path):
    assert is_pack(pack_dir) and is_pack(pack_dir / PACK_FILE)
    for target in (pack_dir, str(pack_dir), pack_dir / PACK_FILE, [pack_dir]):
        p = load_data(target, layout="auto", units="auto", unit=None)  # defaults are fine
        np.testing.assert_array_equal(p.values, make_panel().values)
        assert p.meta["licence"] == "CC BY 4.0" and p.meta["pack_notes"] == []


def test_load_data_refuses_options_meant_for_files_and_plain_folders(pack_dir: Path,
                                                                      tmp_path: Path):
    with pytest.raises(DataError, match=r"reading options \['units'\] do not apply"):
        load_data(pack_dir, units="country")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataError, match="folder without pack.yaml"):
        load_data(empty)
    with pytest.raises(DataError, match="unknown reading option"):
        load_data(pack_dir, colour="red")


def test_load_data_merges_a_pack_with_a_plain_file(pack_dir: Path, tmp_path: Path):
    extra = tmp_path / "extra.csv"
    extra.write_text("country,year,NY.GDP.PCAP.CD\nKOR,2020,31721.3\n", encoding="utf-8")
    p = load_data([pack_dir, extra], units="country")
    assert p.indicators == (RD, POP, "NY.GDP.PCAP.CD")
    assert p.values[0, 0, 2] == 31721.3 and np.isnan(p.values[1, 0, 2])
    assert p.meta["sources"][0]["licence"] == "CC BY 4.0"


def test_metadata_model_forbids_extra_fields():
    with pytest.raises(ValueError, match="Extra inputs"):
        PackMetadata.model_validate(dict(metadata(), files=[{"path": "a.csv"}], colour=1))
