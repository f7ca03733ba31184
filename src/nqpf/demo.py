"""The demo: the main nqpf job on the bundled real data.

The bundled data are 19 series of the Penn World Table 9.1 (Feenstra, Inklaar
and Timmer 2015, www.ggdc.net/pwt, CC BY 4.0) for every country with output data,
2000–2017, as Debian's ``r-cran-pwt9`` package ships them (rebuilt by
``scripts/build_demo_data.sh``). The demo reads them, checks them against the
``pwt-demo`` framework, fills interior gaps by linear interpolation, derives the
framework's indicators, builds the composite index (min-max over the pooled
panel, entropy weights, weighted sum: the most common recipe in the NQPF
literature), analyses it (kernel density by year, country types by k-means on
the dimension profiles) and writes every table into a new folder.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.resources import as_file, files
from pathlib import Path

import pandas as pd

from .errors import DataError
from .output import prepare_out_dir

DEMO_FILE = "pwt91_demo.csv"
DEMO_SERIES = (
    "rgdpe",
    "rgdpo",
    "rgdpna",
    "pop",
    "emp",
    "avh",
    "hc",
    "cn",
    "rnna",
    "ctfp",
    "rtfpna",
    "labsh",
    "csh_i",
    "csh_x",
    "csh_m",
    "delta",
)
#: The years the demo index covers (PWT 9.1's TFP levels end in 2017).
DEMO_PERIODS = tuple(range(2005, 2018))


@dataclass
class DemoResult:
    out_dir: Path
    files: list[str]
    ranking: pd.DataFrame
    ranking_title: str
    lines: list[str] = field(default_factory=list)


def demo_data_path() -> Path:
    """Path of the bundled demo CSV (inside the installed package)."""
    with as_file(files("nqpf.datasets") / DEMO_FILE) as p:
        return Path(p)


def load_demo_panel():
    """The bundled Penn World Table 9.1 extract as a Panel (ISO3 countries × years)."""
    from .panel.io import read_panel

    return read_panel(
        demo_data_path(),
        layout="wide",
        unit="isocode",
        period="year",
        indicators=list(DEMO_SERIES),
        units="country",
    )


def run_demo(
    out_dir: Path | str = "nqpf-demo",
    force: bool = False,
    lang: str = "en",
    progress: Callable[[str], None] | None = None,
) -> DemoResult:
    """Run the demo pipeline and write its tables into ``out_dir``.

    Steps: load → validate → impute (linear, interior gaps) → derive the
    framework's indicators → composite index → ranking → kernel density and
    typology of the index.
    """
    from .datasets.reference import unit_label
    from .framework import load_framework, prepare
    from .index import build_index
    from .panel.impute import impute
    from .panel.io import write_panel
    from .panel.validate import validate

    say = progress or (lambda _m: None)
    out = prepare_out_dir(Path(out_dir), force)
    written: list[str] = []

    say("reading the bundled Penn World Table 9.1 extract")
    raw = load_demo_panel()
    fw = load_framework("pwt-demo")
    say(f"validating {raw!r} against framework {fw.id}")
    rep = validate(raw, framework=fw)
    rep.write(out / "validation.csv", overwrite=True)
    written.append("validation.csv")

    panel = raw.sel(periods=list(DEMO_PERIODS), indicators=fw.required_series())
    say("filling interior gaps by linear interpolation")
    filled = impute(panel, "linear")
    derived = prepare(filled, fw)
    # the index needs every indicator of a unit-period: keep the countries complete in every year
    complete = ~pd.isna(pd.DataFrame(derived.values.reshape(derived.shape[0], -1))).any(axis=1)
    kept = [u for u, ok in zip(derived.units, complete, strict=True) if ok]
    if len(kept) < 10:
        raise DataError("fewer than 10 countries have complete data; the demo data look damaged")
    derived = derived.sel(units=kept)
    write_panel(derived, out / "indicators.csv", layout="long", overwrite=True, imputed=True)
    written.append("indicators.csv")

    say(f"building the index for {len(kept)} countries, {DEMO_PERIODS[0]}–{DEMO_PERIODS[-1]}")
    res = build_index(derived, fw)
    res.write(out, overwrite=True)
    written += res.written_files()

    last = DEMO_PERIODS[-1]
    rk = res.ranking(last)
    rk.insert(1, "name", [unit_label(u, lang) for u in rk["unit"]])
    rk.to_csv(out / "ranking.csv", index=False, encoding="utf-8-sig")
    written.append("ranking.csv")

    say("analysing the index: kernel density over the years and country types")
    from .analysis.run import run_analysis, write_result

    analyses = {}
    for method in ("kernel", "typology"):
        analyses[method] = run_analysis(method, res, seed=0)
        write_result(analyses[method], out / method, overwrite=True)
        written.append(method)
    n_types = int(analyses["typology"].to_frame()["type"].nunique())

    manifest = {
        "data": "Penn World Table 9.1 (Feenstra, Inklaar and Timmer 2015), CC BY 4.0",
        "framework": fw.id,
        "periods": [DEMO_PERIODS[0], DEMO_PERIODS[-1]],
        "units": len(kept),
        "units_left_out": sorted(set(panel.units) - set(kept)),
        "imputed_cells": int(filled.imputed.sum()),
        "recipe": res.recipe.to_dict(),
    }
    written.append("demo.json")
    manifest["files"] = sorted(written)
    (out / "demo.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), "utf-8")

    lines = [
        f"Data: Penn World Table 9.1, {raw.shape[0]} countries, "
        f"{DEMO_PERIODS[0]}–{DEMO_PERIODS[-1]}",
        f"Validation: {rep.n_errors} errors, {rep.n_warnings} warnings (validation.csv)",
        f"Imputed cells (linear, interior gaps): {int(filled.imputed.sum())}",
        f"Index: {res.recipe.describe()} over {len(kept)} countries with complete data",
        f"Analyses: kernel density by year (kernel/), {n_types} country types (typology/)",
    ]
    title = f"{fw.name_zh if lang == 'zh' else fw.name_en}, {last}"
    return DemoResult(out, written, rk, title, lines)
