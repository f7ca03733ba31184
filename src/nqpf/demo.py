"""The demo: the bundled demo study on the bundled real data.

The bundled data are 19 series of the Penn World Table 9.1 (Feenstra, Inklaar
and Timmer 2015, www.ggdc.net/pwt, CC BY 4.0) for every country with output data,
2000–2017, as Debian's ``r-cran-pwt9`` package ships them (rebuilt by
``scripts/build_demo_data.sh``). ``nqpf demo`` runs the study file bundled as
``nqpf/datasets/demo_study.yaml`` (:func:`demo_study_path`) with
:func:`nqpf.study.runner.run_study`: it reads the data, checks them against the
``pwt-demo`` framework, fills interior gaps by linear interpolation, builds the
composite index (min-max over the pooled panel, entropy weights, weighted sum:
the most common recipe in the NQPF literature), measures TFP (growth accounting
and a DEA Malmquist index), analyses the index
(Dagum Gini by continent, kernel densities, convergence, coupling of the three
dimensions, obstacles, country types), checks the ranking's robustness and
writes the study's folder: ``report.html``, ``tables.xlsx``, ``manifest.json``,
``tables/`` and ``figures/``. It opens nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import DataError

DEMO_FILE = "pwt91_demo.csv"
DEMO_STUDY = "demo_study.yaml"
DEMO_FRAMEWORK = "pwt-demo"
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
#: Names of the PWT series (Feenstra, Inklaar and Timmer 2015, the PWT 9.1 legend), zh and en.
DEMO_SERIES_NAMES = {
    "rgdpe": ("支出法实际GDP (购买力平价)", "expenditure-side real GDP (PPP)"),
    "rgdpo": ("产出法实际GDP (购买力平价)", "output-side real GDP (PPP)"),
    "rgdpna": ("实际GDP (不变本币价)", "real GDP at constant national prices"),
    "pop": ("人口", "population"),
    "emp": ("就业人数", "persons engaged"),
    "avh": ("年均工作小时", "average annual hours worked"),
    "hc": ("人力资本指数", "human capital index"),
    "cn": ("资本存量 (购买力平价)", "capital stock (PPP)"),
    "rnna": ("资本存量 (不变本币价)", "capital stock at constant national prices"),
    "ctfp": ("全要素生产率水平 (美国=1)", "TFP level (USA=1)"),
    "rtfpna": ("全要素生产率 (不变本币价, 2011=1)", "TFP at constant national prices (2011=1)"),
    "labsh": ("劳动报酬份额", "labour share"),
    "csh_i": ("资本形成份额", "share of capital formation"),
    "csh_x": ("商品出口份额", "share of merchandise exports"),
    "csh_m": ("商品进口份额", "share of merchandise imports"),
    "delta": ("资本折旧率", "depreciation rate"),
}
#: The years the demo index covers (PWT 9.1's TFP levels end in 2017; see demo_study.yaml).
DEMO_PERIODS = tuple(range(2005, 2018))


@dataclass
class DemoResult:
    out_dir: Path
    files: list[str]
    ranking: pd.DataFrame
    ranking_title: str
    lines: list[str] = field(default_factory=list)
    study: Any = None


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


def demo_study_path() -> Path:
    """Path of the bundled demo study file (inside the installed package)."""
    with as_file(files("nqpf.datasets") / DEMO_STUDY) as p:
        return Path(p)


def run_demo(
    out_dir: Path | str = "nqpf-demo",
    force: bool = False,
    lang: str = "en",
    progress: Callable[[str, int, int], None] | None = None,
) -> DemoResult:
    """Run the bundled demo study and write its outputs into ``out_dir``.

    ``progress(step, done, total)`` is called as the study's steps go by.

    Returns
    -------
    DemoResult
        ``out_dir``; ``files``: the fixed names at the top of the folder; ``ranking``:
        the last year's ranking (unit, name, score, rank); ``lines``: a summary, the points
        to check and where each output is, in the report's language; ``study``: the
        :class:`~nqpf.study.runner.RunResult`.
    """
    from .datasets.reference import unit_label
    from .study.runner import FIXED_NAMES, run_study

    if lang not in ("zh", "en"):
        raise DataError(f"unknown language {lang!r}; use zh or en")
    res = run_study(demo_study_path(), out_dir, lang=lang, force=force, progress=progress)
    idx = res.index
    last = idx.periods[-1]
    rk = idx.ranking(last)
    rk.insert(1, "name", [unit_label(u, lang) for u in rk["unit"]])
    lines = [*res.lines, *res.notes, *res.closing]
    from .framework import load_framework

    f = load_framework(DEMO_FRAMEWORK)
    title = f"{f.name_zh if lang == 'zh' else f.name_en}, {last}"
    present = [n for n in FIXED_NAMES if (res.out_dir / n).exists()]
    return DemoResult(res.out_dir, present, rk, title, lines, study=res)
