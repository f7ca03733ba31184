import json
import sys
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from nqpf.errors import DataError
from nqpf.panel.core import Panel
from nqpf.panel.validate import COLUMNS, modified_z, validate, validate_file

NAN = np.nan


def _ind(id, series, denominator=None, unit="", bounds=(None, None)):
    return SimpleNamespace(
        id=id, series=series, denominator=denominator, unit=unit, effective_bounds=bounds
    )


def _framework(*inds):
    def required():
        out = []
        for i in inds:
            out += [i.series] + ([i.denominator] if i.denominator else [])
        return list(dict.fromkeys(out))

    return SimpleNamespace(indicators=list(inds), required_series=required)


def _clean_panel():
    """Six units, two years, two indicators; no problem of any kind."""
    units = ("北京", "天津", "河北", "山西", "内蒙古", "辽宁")
    v = np.empty((6, 2, 2))
    v[:, 0, 0] = [10, 12, 11, 13, 9, 14]
    v[:, 1, 0] = [11, 13, 12, 14, 10, 15]
    v[:, 0, 1] = [1, 2, 3, 4, 5, 6]
    v[:, 1, 1] = [2, 3, 4, 5, 6, 7]
    return Panel(v, units, (2019, 2020), ("gdp", "pop"))


def _only(report, check):
    return report.findings[report.findings["check"] == check].reset_index(drop=True)


def test_clean_panel_is_ok():
    fw = _framework(_ind("gdp_pc", "gdp", "pop", bounds=(0, None)))
    r = validate(_clean_panel(), fw)
    assert r.ok and r.n_errors == 0 and r.n_warnings == 0
    assert list(r.findings.columns) == list(COLUMNS)
    assert r.findings.empty and r.summary().empty
    assert r.coverage.loc["gdp", 2019] == 1.0


def test_missing_series_suggests_close_names_and_unknown_is_info():
    fw = _framework(_ind("gdp_pc", "gdpp", "pop"), _ind("rd", "rd_share"))
    r = validate(_clean_panel(), fw)
    miss = _only(r, "missing series")
    assert miss["indicator"].tolist() == ["gdpp", "rd_share"]
    assert (miss["severity"] == "error").all()
    assert "Did you mean 'gdp'?" in miss.loc[0, "message"]
    assert "'gdp_pc'" in miss.loc[0, "message"]
    assert "Did you mean" not in miss.loc[1, "message"]
    unk = _only(r, "unknown indicator")
    assert unk["indicator"].tolist() == ["gdp"] and unk.loc[0, "severity"] == "info"
    assert not r.ok


def test_duplicate_keys_one_finding_per_key_with_rows():
    dup = pd.DataFrame(
        {"unit": ["a", "a", "b", "b", "b"], "period": ["2019", "2019", 2020, 2020, 2020],
         "indicator": ["x", "x", "y", "y", "y"], "value": [1.0, 2.0, 3.0, NAN, 3.0],
         "row": [2, 9, 4, 5, 11]}
    )
    r = validate(_clean_panel(), duplicates=dup)
    d = _only(r, "duplicate key")
    assert len(d) == 2 and (d["severity"] == "error").all()
    assert d["unit"].tolist() == ["a", "b"]
    assert d["period"].tolist() == [2019, 2020]
    assert d["indicator"].tolist() == ["x", "y"]
    assert d["row"].tolist() == ["2, 9", "4, 5, 11"]
    assert "values 3, missing, 3" in d.loc[1, "message"]
    with pytest.raises(DataError, match="indicator"):
        validate(_clean_panel(), duplicates=dup.drop(columns="indicator"))


def test_non_numeric_and_conversion_summary_from_reader():
    df = pd.DataFrame(
        {"unit": ["a", "b", "c", "d"], "period": [2019] * 4,
         "gdp": ["1,234.5", "—", "abc", "１２"], "pop": ["1", "", "3", "4"]}
    )
    p = Panel.from_wide(df)
    r = validate(p)
    nn = _only(r, "non-numeric")
    assert len(nn) == 1
    assert (nn.loc[0, "unit"], nn.loc[0, "period"], nn.loc[0, "indicator"]) == ("c", 2019, "gdp")
    assert nn.loc[0, "row"] == "4" and "'abc'" in nn.loc[0, "message"]
    conv = _only(r, "conversion")
    assert (conv["severity"] == "info").all()
    msgs = " | ".join(conv["message"])
    assert "written as '—'" in msgs and "empty cells" in msgs
    assert "thousands separators" in msgs and "full-width" in msgs
    assert sorted(conv["value"].tolist()) == [1, 1, 1, 1]


def test_bounds_on_raw_indicators_and_denominator_checks():
    p = _clean_panel()
    v = p.values.copy()
    v[2, 1, 0] = 150.0  # gdp of 河北 2020 above 100
    v[3, 0, 1] = -2.0  # negative population, 山西 2019
    v[4, 1, 1] = 0.0  # zero population, 内蒙古 2020
    p = p.replace(values=v)
    fw = _framework(
        _ind("share", "gdp", unit="%", bounds=(0, 100)),
        _ind("gdp_pc", "gdp", "pop", bounds=(0, 5)),  # bounds of a ratio: not applied to gdp
    )
    r = validate(p, fw, outlier_rule="none")
    ob = _only(r, "out of bounds")
    assert len(ob) == 1
    assert (ob.loc[0, "unit"], ob.loc[0, "period"], ob.loc[0, "indicator"]) == ("河北", 2020, "gdp")
    assert ob.loc[0, "value"] == 150 and "upper bound 100" in ob.loc[0, "message"]
    neg = _only(r, "negative denominator")
    assert neg[["unit", "period", "indicator"]].values.tolist() == [["山西", 2019, "pop"]]
    assert neg.loc[0, "severity"] == "error"
    zero = _only(r, "zero denominator")
    assert zero[["unit", "period", "indicator"]].values.tolist() == [["内蒙古", 2020, "pop"]]
    assert zero.loc[0, "severity"] == "warning"


def test_coverage_low_empty_indicator_and_empty_unit():
    v = np.full((4, 2, 3), NAN)
    v[:3, 0, 0] = [1, 2, 3]  # x: 2019 3/4 observed, 2020 1/4
    v[0, 1, 0] = 4
    v[:3, :, 1] = [[1, 2], [3, 4], [5, 6]]  # y: 3/4 in both years
    p = Panel(v, ("a", "b", "c", "d"), (2019, 2020), ("x", "y", "z"))
    r = validate(p)
    np.testing.assert_allclose(r.coverage.loc["x"].to_numpy(), [0.75, 0.25])
    low = _only(r, "low coverage")
    assert low[["indicator", "period"]].values.tolist() == [["x", 2020]]
    assert low.loc[0, "value"] == 0.25 and "25%" in low.loc[0, "message"]
    empty = _only(r, "empty indicator")
    assert empty["indicator"].tolist() == ["z"] and empty.loc[0, "severity"] == "error"
    eu = _only(r, "empty unit")
    assert eu["unit"].tolist() == ["d"] and eu.loc[0, "severity"] == "warning"


def test_constant_indicator_within_a_period():
    p = _clean_panel()
    v = p.values.copy()
    v[:, 1, 1] = 7.0
    r = validate(p.replace(values=v))
    c = _only(r, "constant")
    assert c[["indicator", "period"]].values.tolist() == [["pop", 2020]]
    assert c.loc[0, "value"] == 7 and "CRITIC" in c.loc[0, "message"]


def test_mad_outlier_flags_only_the_planted_value():
    p = _clean_panel()
    v = p.values.copy()
    v[:, 0, 0] = [10, 12, 11, 13, 9, 50]
    r = validate(p.replace(values=v))
    out = _only(r, "outlier")
    assert out[["unit", "period", "indicator"]].values.tolist() == [["辽宁", 2019, "gdp"]]
    # median 11.5; |deviations| 1.5, .5, .5, 1.5, 2.5, 38.5 -> MAD 1.5
    # M = 0.6745 * 38.5 / 1.5 = 17.31
    assert "17.31" in out.loc[0, "message"] and "MAD 1.5" in out.loc[0, "message"]
    m = modified_z(np.array([10, 12, 11, 13, 9, 50.0]))
    np.testing.assert_allclose(m, 0.6745 * np.array([-1.5, 0.5, -0.5, 1.5, -2.5, 38.5]) / 1.5)
    assert validate(p.replace(values=v), outlier_threshold=20).findings.empty


def test_mad_zero_falls_back_to_mean_absolute_deviation():
    x = np.array([5, 5, 5, 5, 5, 20.0])
    # MAD = 0; MeanAD about the median = 15 / 6 = 2.5; M = 15 / (1.253314 * 2.5) = 4.787
    assert modified_z(x)[-1] == pytest.approx(15 / (1.253314 * 2.5))
    assert modified_z(np.full(6, 3.0)) is None
    v = x.reshape(6, 1, 1)
    r = validate(Panel(v, tuple("abcdef"), (2019,), ("x",)))
    out = _only(r, "outlier")
    assert out["unit"].tolist() == ["f"] and "MAD 0" in out.loc[0, "message"]


def test_iqr_rule_with_k():
    v = np.array([1, 2, 3, 4, 5, 6, 7, 14.0]).reshape(8, 1, 1)
    p = Panel(v, tuple("abcdefgh"), (2019,), ("x",))
    # type-7 quartiles: Q1 = 2.75, Q3 = 6.25, IQR = 3.5; k = 1.5 -> upper fence 11.5
    r = validate(p, outlier_rule="iqr")
    out = _only(r, "outlier")
    assert out["unit"].tolist() == ["h"] and "[-2.5, 11.5]" in out.loc[0, "message"]
    # k = 3 -> upper fence 16.75: 14 is inside
    assert _only(validate(p, outlier_rule="iqr", outlier_threshold=3), "outlier").empty


def test_outliers_need_five_values():
    v = np.array([1, 2, 3, 1000.0]).reshape(4, 1, 1)
    r = validate(Panel(v, tuple("abcd"), (2019,), ("x",)))
    assert _only(r, "outlier").empty


def test_framework_restricts_data_checks_to_used_series():
    p = _clean_panel()
    v = p.values.copy()
    v[:, :, 0] = NAN  # gdp empty, but the framework uses only pop
    r = validate(p.replace(values=v), _framework(_ind("pop", "pop")))
    assert _only(r, "empty indicator").empty
    assert _only(r, "unknown indicator")["indicator"].tolist() == ["gdp"]
    assert r.ok
    assert not validate(p.replace(values=v)).ok  # without a framework gdp is checked


def test_findings_sorted_errors_first_and_summary_counts():
    p = _clean_panel()
    v = p.values.copy()
    v[:, 1, 1] = 7.0
    v[:, :, 0] = NAN
    fw = _framework(_ind("a", "gdp"), _ind("b", "pop"), _ind("c", "q"))
    r = validate(p.replace(values=v), fw)
    assert r.findings["severity"].tolist() == ["error", "error", "warning"]
    s = r.summary()
    assert s.values.tolist() == [
        ["empty indicator", "error", 1], ["missing series", "error", 1], ["constant", "warning", 1],
    ]
    assert (r.n_errors, r.n_warnings, r.n_info) == (2, 1, 0)
    with pytest.raises(DataError, match="2 error"):
        r.raise_for_errors()


def test_validate_does_not_change_the_panel():
    p = _clean_panel()
    before = p.values.copy()
    meta = dict(p.meta)
    validate(p, _framework(_ind("x", "gdp", "pop")))
    np.testing.assert_array_equal(p.values, before)
    assert p.meta == meta


def test_write_formats_and_refuses_overwrite(tmp_path):
    p = _clean_panel()
    v = p.values.copy()
    v[0, 0, 0] = NAN
    v[:, 0, 0] = [NAN, 12, 11, 13, 9, 50]
    r = validate(p.replace(values=v), outlier_rule="mad")
    csv = r.write(tmp_path / "report.csv")
    raw = csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(csv, encoding="utf-8-sig")
    assert back["unit"].tolist() == ["辽宁"] and back["check"].tolist() == ["outlier"]
    with pytest.raises(DataError, match="overwrite=True"):
        r.write(csv)
    assert csv.read_bytes() == raw
    r.write(csv, overwrite=True)

    xlsx = r.write(tmp_path / "report.xlsx")
    sheets = pd.read_excel(xlsx, sheet_name=None)
    assert list(sheets) == ["findings", "coverage", "summary"]
    assert sheets["summary"].values.tolist() == [["outlier", "warning", 1]]
    assert sheets["coverage"]["indicator"].tolist() == ["gdp", "pop"]

    js = json.loads(r.write(tmp_path / "report.json").read_text(encoding="utf-8"))
    assert js["ok"] is True and js["n_warnings"] == 1
    assert js["findings"][0]["period"] == 2019 and js["findings"][0]["unit"] == "辽宁"
    assert js["coverage"]["gdp"]["2019"] == pytest.approx(5 / 6)
    with pytest.raises(DataError, match=r"\.csv, \.xlsx or \.json"):
        r.write(tmp_path / "report.txt")


def test_bad_options_raise():
    p = _clean_panel()
    with pytest.raises(DataError, match="outlier_rule"):
        validate(p, outlier_rule="zscore")
    with pytest.raises(DataError, match="outlier_threshold"):
        validate(p, outlier_threshold=-1)
    with pytest.raises(DataError, match="min_coverage"):
        validate(p, min_coverage=50)


def test_bounds_apply_to_scaled_and_logged_values():
    v = np.array([[[0.5]], [[1.2]], [[0.0]], [[0.9]]])
    p = Panel(v, ("a", "b", "c", "d"), (2019,), ("share",))
    pct = _ind("pct", "share", unit="%", bounds=(0, 100))
    pct.scale = 100  # prepared value = share × 100: 120 for unit b is out of bounds
    r = validate(p, _framework(pct), outlier_rule="none")
    ob = _only(r, "out of bounds")
    assert ob["unit"].tolist() == ["b"] and ob.loc[0, "value"] == 1.2
    assert "(value × 100 = 120)" in ob.loc[0, "message"]
    lg = _ind("ln_share", "share", bounds=(None, 0.1))
    lg.log = True  # ln(1.2) = 0.182 > 0.1 for b; ln(0) undefined for c
    r = validate(p, _framework(lg), outlier_rule="none")
    assert _only(r, "out of bounds")["unit"].tolist() == ["b"]
    dom = _only(r, "log domain")
    assert dom["unit"].tolist() == ["c"] and dom.loc[0, "severity"] == "error"


def _fake_io(monkeypatch, df):
    calls = []

    def read_panel(src, duplicates="error", **opts):
        calls.append((src, duplicates, opts))
        return Panel.from_long(df, duplicates=duplicates, source=str(src))

    monkeypatch.setitem(sys.modules, "nqpf.panel.io", SimpleNamespace(read_panel=read_panel))
    return calls


def test_validate_file_reports_duplicates_instead_of_failing(monkeypatch):
    df = pd.DataFrame(
        {"unit": list("abcdea"), "period": [2019] * 6, "indicator": ["x"] * 6,
         "value": [1.0, 2, 3, 4, 5, 9]}
    )
    calls = _fake_io(monkeypatch, df)
    r = validate_file("data.csv", _framework(_ind("x", "x")), layout="long", unit="unit")
    assert [c[1] for c in calls] == ["error", "first"]
    assert calls[0][0] == "data.csv" and calls[0][2]["layout"] == "long"
    d = _only(r, "duplicate key")
    assert len(d) == 1 and "rows [2, 7]" in d.loc[0, "message"]
    assert r.findings.loc[0, "check"] == "duplicate key" and not r.ok
    assert _only(r, "outlier").empty  # the first row (1.0) was kept, not 9


def test_validate_file_clean_reads_once(monkeypatch):
    df = pd.DataFrame(
        {"unit": list("abcde"), "period": [2019] * 5, "indicator": ["x"] * 5,
         "value": [1.0, 2, 3, 4, 5]}
    )
    calls = _fake_io(monkeypatch, df)
    r = validate_file(["one.csv", "two.csv"])
    assert len(calls) == 1 and calls[0][0] == ["one.csv", "two.csv"]
    assert r.ok and r.findings.empty
