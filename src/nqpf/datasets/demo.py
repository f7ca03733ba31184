"""The bundled demo data: an extract of the Penn World Table 9.1 and the demo study file.

19 series of the Penn World Table 9.1 (Feenstra, Inklaar and Timmer 2015,
www.ggdc.net/pwt, CC BY 4.0) for every country with output data, 2000–2017, as Debian's
``r-cran-pwt9`` package ships them (rebuilt by ``scripts/build_demo_data.sh``), and the
study file ``demo_study.yaml`` that ``nqpf demo`` runs (:func:`nqpf.demo.run_demo`).
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

__all__ = [
    "DEMO_FRAMEWORK",
    "DEMO_PERIODS",
    "DEMO_SERIES",
    "DEMO_SERIES_NAMES",
    "demo_data_path",
    "demo_study_path",
    "load_demo_panel",
]

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
#: The years the demo index covers (PWT 9.1's TFP levels end in 2017; see demo_study.yaml).
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
DEMO_PERIODS = tuple(range(2005, 2018))


def demo_data_path() -> Path:
    """Path of the bundled demo CSV (inside the installed package)."""
    with as_file(files("nqpf.datasets") / DEMO_FILE) as p:
        return Path(p)


def load_demo_panel() -> Any:
    """The bundled Penn World Table 9.1 extract as a :class:`~nqpf.panel.Panel`.

    Units are ISO 3166-1 alpha-3 countries, periods the years 2000–2017, indicators the
    series in :data:`DEMO_SERIES`.
    """
    from ..panel.io import read_panel

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
