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
from pathlib import Path
from typing import Any

import pandas as pd

from .datasets.demo import DEMO_FRAMEWORK, demo_study_path
from .errors import DataError


@dataclass
class DemoResult:
    out_dir: Path
    files: list[str]
    ranking: pd.DataFrame
    ranking_title: str
    lines: list[str] = field(default_factory=list)
    study: Any = None


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
