"""The assessment run: score, combine level and progress, grade, rank, index, diagnose.

:func:`assess` is a pure function of its inputs (data, framework, classes and
options): the same inputs give the same tables, row for row.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, NqpfError
from ..framework.load import load_framework
from ..framework.spec import Framework, Indicator
from .diagnosis import diagnose
from .fixed_base import fixed_base as fixed_base_table
from .grades import default_thresholds, grade_quantiles, grade_thresholds
from .inputs import assign_classes, check_complete, indicator_panel
from .progress import progress, progress_goal, shortfalls
from .result import AssessmentResult
from .rules import RULES, attainment, full_mark, score

__all__ = ["assess"]


def _periods_to_assess(periods: Sequence[Any], period: Any) -> list[Any]:
    if period is None:
        return list(periods)
    wanted = list(period) if isinstance(period, list | tuple) else [period]
    out = []
    for p in wanted:
        match = [q for q in periods if q == p or str(q) == str(p)]
        if not match:
            raise DataError(
                f"period {p!r} is not in the data; its periods are {list(periods)}"
            )
        out.append(match[0])
    return sorted(set(out), key=list(periods).index)


def _ratio(x: np.ndarray, goal: Any, cap: float) -> np.ndarray:
    """Attainment ratio shown beside scores of other rules (NaN where it has no meaning)."""
    if goal is None or (goal.op in (">=", "<=") and not goal.value > 0) or (
        goal.op == "=" and goal.value == 0
    ):
        return np.full(len(x), np.nan)
    return attainment(x, goal, cap) / 100.0


def _best_target(ind: Indicator, x: np.ndarray) -> Indicator:
    """The indicator with the period's best value as target (missing_target='best')."""
    finite = x[~np.isnan(x)]
    best = float(finite.max() if ind.direction > 0 else finite.min())
    return ind.model_copy(update={"target": best, "target_op": ">=" if ind.direction > 0 else "<="})


def assess(
    data: Any,
    framework: Framework | str | Any,
    *,
    classes: Any = None,
    period: Any = None,
    base_year: Any = None,
    rule: str = "attainment",
    rules: Mapping[str, str] | None = None,
    cap: float = 1.0,
    efficacy_bounds: tuple[float, float] = (0.0, 100.0),
    efficacy_range: str = "framework",
    level_weight: float = 0.7,
    progress_from: str = "previous",
    grades: Sequence[tuple[str, float]] | None = None,
    grade_method: str = "thresholds",
    grade_shares: Sequence[float] | None = None,
    unclassed: str = "error",
    missing_target: str = "error",
    fixed_base: bool = True,
    chained: bool = False,
    lang: str = "zh",
) -> AssessmentResult:
    """Run an office assessment (see :mod:`nqpf.assess` for the whole picture).

    Parameters
    ----------
    data : Panel, DataFrame or path
        The framework's indicators (or the raw series it computes them from)
        for units over periods.
    framework : Framework, or a name/path/dict :func:`~nqpf.framework.load_framework` reads
    classes : mapping unit → class, DataFrame or path of a class table, optional
        Required when the framework has classes (unless ``unclassed="base"``).
    period : period or list of periods, optional
        The periods assessed (default all). Progress and rank changes still
        use the period before the first one assessed when the data have it.
    base_year : period, optional
        Base of the fixed-base index (default the first period of the data)
        and, with ``progress_from="base"``, the reference of progress.
    rule : {"attainment", "efficacy", "banded"}
        The scoring rule (:mod:`nqpf.assess.rules`); ``rules`` maps indicator
        ids to another rule for those indicators.
    cap : float, default 1
        Cap of the attainment ratio (1.2 lets overshooting earn up to 120 points).
    efficacy_bounds : (lower, upper), default (0, 100)
        Where efficacy scores are clipped.
    efficacy_range : {"framework", "sample"}
        Where efficacy ``low``/``high`` come from when the framework lacks them.
    level_weight : float in [0, 1], default 0.7
        Total = level_weight · level + (1 − level_weight) · progress. Where a
        period has no reference period in the data, progress is empty and the
        total is the level score (recorded in the result's notes).
    progress_from : {"previous", "base"}
        Reference of progress: the previous period, or ``base_year``.
    grades : list of (label, threshold), best first, optional
        Default 优秀 ≥ 90, 良好 ≥ 80, 一般 ≥ 60, 较差 (English labels with ``lang="en"``).
    grade_method : {"thresholds", "quantiles"}
        With quantiles, ``grade_shares`` (default equal) give each grade's share
        of the units in a period, best first; only the labels of ``grades`` are used.
    unclassed : {"error", "base"}
        A unit without a class is an error, or is scored on the framework's own
        targets and weights (its class column is empty).
    missing_target : {"error", "best"}
        An indicator without a target under the attainment rule is an error, or
        takes the period's best value among the units (标杆值) as its target.
    fixed_base, chained : bool
        Compute the fixed-base index table (NBS method), or its chained variant.
    lang : {"zh", "en"}
        Language of the default grade labels and of texts in the diagnosis.

    Returns
    -------
    AssessmentResult
    """
    fw = load_framework(framework)
    if rule not in RULES:
        raise NqpfError(f"unknown rule {rule!r}; use one of {', '.join(RULES)}")
    for k, r in (rules or {}).items():
        fw.indicator(k)
        if r not in RULES:
            raise NqpfError(f"rules[{k}]: unknown rule {r!r}; use one of {', '.join(RULES)}")
    if not 0 <= level_weight <= 1:
        raise NqpfError(f"level_weight must lie in [0, 1], got {level_weight!r}")
    if progress_from not in ("previous", "base"):
        raise NqpfError(f"progress_from must be 'previous' or 'base', got {progress_from!r}")
    if missing_target not in ("error", "best"):
        raise NqpfError(f"missing_target must be 'error' or 'best', got {missing_target!r}")
    if efficacy_range not in ("framework", "sample"):
        raise NqpfError(f"efficacy_range must be 'framework' or 'sample', got {efficacy_range!r}")
    if lang not in ("zh", "en"):
        raise NqpfError(f"unknown language {lang!r}; use 'zh' or 'en'")
    if grade_method not in ("thresholds", "quantiles"):
        raise NqpfError(f"grade_method must be 'thresholds' or 'quantiles', got {grade_method!r}")
    grade_list = list(grades) if grades is not None else default_thresholds(lang)

    panel = indicator_panel(data, fw)
    units, all_periods = list(panel.units), list(panel.periods)
    periods = _periods_to_assess(all_periods, period)
    if base_year is not None:
        base_year = _periods_to_assess(all_periods, base_year)[0]
    unit_class = assign_classes(fw, units, classes, unclassed)
    opts = dict(rule=rule, rules=rules, cap=cap, efficacy_bounds=efficacy_bounds,
                efficacy_range=efficacy_range, level_weight=level_weight,
                progress_from=progress_from, base_year=base_year, missing_target=missing_target,
                grades=grade_list, grade_method=grade_method, grade_shares=grade_shares)
    table, scores, notes = _score(panel, fw, unit_class, periods, **opts)

    fb = None
    if fixed_base:
        weights = {u: fw.weights(c) for u, c in unit_class.items()}
        fb = fixed_base_table(panel.values, units, all_periods, fw, base=base_year,
                              weights=weights, chained=chained)
    # rank and grade changes: the period before the first assessed, scored alike
    prev_table = None
    first = all_periods.index(periods[0])
    if first > 0:
        try:
            prev_table = _score(panel, fw, unit_class, [all_periods[first - 1]], **opts)[0]
        except NqpfError as err:
            notes.append(
                f"no rank or grade changes for {periods[0]}: period {all_periods[first - 1]} "
                f"cannot be scored ({err})"
            )
    diag = diagnose(table, scores, fw, prev_table, lang=lang)
    params = {
        "framework": fw.id, "framework_version": fw.version, "rule": rule,
        "rules": dict(rules or {}), "cap": cap, "efficacy_bounds": list(efficacy_bounds),
        "efficacy_range": efficacy_range, "level_weight": level_weight,
        "progress_weight": 1 - level_weight, "progress_from": progress_from,
        "grades": [[g, t if math.isfinite(t) else None] for g, t in grade_list],
        "grade_method": grade_method,
        "grade_shares": list(grade_shares) if grade_shares is not None else None,
        "unclassed": unclassed, "missing_target": missing_target,
        "base_year": fb.attrs["base"] if fb is not None else base_year,
        "chained": chained, "periods": periods, "lang": lang,
    }
    return AssessmentResult(
        assessment=table, indicator_scores=scores, fixed_base=fb, diagnosis=diag,
        framework=fw, classes=dict(unit_class), params=params,
        notes=list(dict.fromkeys(notes)),
    )


def _score(
    panel: Any, fw: Framework, unit_class: dict[str, str | None], periods: list[Any], *,
    rule: str, rules: Mapping[str, str] | None, cap: float,
    efficacy_bounds: tuple[float, float], efficacy_range: str, level_weight: float,
    progress_from: str, base_year: Any, missing_target: str,
    grades: list[tuple[str, float]], grade_method: str, grade_shares: Sequence[float] | None,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Indicator and node scores, ranks and grades for the given periods."""
    units, all_periods, ids = list(panel.units), list(panel.periods), fw.indicator_ids
    values = panel.values
    t_idx = [all_periods.index(p) for p in periods]
    check_complete(values[:, t_idx, :], units, periods, ids, "in the periods assessed")

    # reference period of each assessed period for progress and rank changes
    def reference(t: int) -> int | None:
        if progress_from == "base":
            if base_year is None:
                raise NqpfError("progress_from='base' needs base_year")
            b = all_periods.index(base_year)
            return b if b < t else None
        return t - 1 if t > 0 else None

    # per class: indicators (with class targets) and weights
    class_keys = sorted({c for c in unit_class.values() if c is not None}) + (
        [None] if any(c is None for c in unit_class.values()) else []
    )
    inds_of = {c: [fw.indicator_for(k, c) for k in ids] for c in class_keys}
    w_of = {c: fw.weights(c) for c in class_keys}
    rule_of = {k: (rules or {}).get(k, rule) for k in ids}
    notes: list[str] = []

    ind_rows: list[pd.DataFrame] = []
    node_rows: list[pd.DataFrame] = []
    for t in t_idx:
        ref = reference(t)
        if ref is not None:
            check_complete(values[:, [ref], :], units, [all_periods[ref]], ids,
                           "in the reference period of progress")
        elif level_weight < 1:
            notes.append(
                f"period {all_periods[t]}: no reference period in the data, so no progress "
                "score; the total is the level score"
            )
        for c in class_keys:
            members = [i for i, u in enumerate(units) if unit_class[u] == c]
            x_all = values[members, t, :]
            for k, ind0 in enumerate(inds_of[c]):
                ind = ind0
                r = rule_of[ind.id]
                x = x_all[:, k]
                if r == "attainment" and ind.goal is None and missing_target == "best":
                    ind = _best_target(ind, values[:, t, k])
                    notes.append(
                        f"period {all_periods[t]}: indicator {ind.id}"
                        + (f" (class {c})" if c else "")
                        + f" has no target; the best value {ind.target:g} is used"
                    )
                s = score(x, ind, r, cap=cap, bounds=efficacy_bounds,
                          efficacy_range=efficacy_range, region_class=c)
                full = full_mark(r, cap, efficacy_bounds[1], ind)
                goal = ind.goal
                if ref is not None and level_weight < 1:
                    pg = progress_goal(ind, c)
                    p = progress(x, values[members, ref, k], pg)
                else:
                    p = np.full(len(members), np.nan)
                gap = shortfalls(x, goal) if goal is not None else np.full(len(x), np.nan)
                ref_val = (
                    abs(goal.value) if goal is not None and goal.op != ".."
                    else (np.where(x < goal.lo, abs(goal.lo), abs(goal.hi))  # type: ignore[arg-type]
                          if goal is not None else np.nan)
                )
                with np.errstate(divide="ignore", invalid="ignore"):
                    gap_pct = np.where(np.asarray(ref_val) > 0, 100.0 * gap / ref_val, np.nan)
                w = w_of[c][ind.id]
                ind_rows.append(pd.DataFrame({
                    "unit": [units[i] for i in members],
                    "period": all_periods[t],
                    "class": c,
                    "indicator": ind.id,
                    "rule": r,
                    "value": x,
                    "target": ind.target_text(),
                    "attainment": s / 100.0 if r == "attainment" else _ratio(x, goal, cap),
                    "score": s,
                    "progress": p,
                    "weight": w,
                    "weighted_score": w * s,
                    "lost_points": w * (full - s),
                    "gap": gap,
                    "gap_pct": gap_pct,
                    "met": gap == 0 if goal is not None else None,
                }))
    scores = pd.concat(ind_rows, ignore_index=True)
    order = {u: i for i, u in enumerate(units)}
    pos = {p: i for i, p in enumerate(all_periods)}
    scores = scores.sort_values(
        ["period", "unit", "indicator"],
        key=lambda s: s.map(pos) if s.name == "period" else (
            s.map(order) if s.name == "unit" else s.map({k: i for i, k in enumerate(ids)})),
    ).reset_index(drop=True)

    # node scores: weighted means of the indicators under each node
    groups = [(fw.id, "total", ids)] + [
        (n.id, "dimension" if n in fw.dimensions else "subdimension", [i.id for i in n.leaves()])
        for n in fw.nodes
    ]
    for node, level, leaves in groups:
        sub = scores[scores["indicator"].isin(leaves)]
        g = sub.assign(wp=sub["weight"] * sub["progress"]).groupby(
            ["unit", "period"], sort=False
        )
        agg = g.agg(cls=("class", "first"), ws=("weighted_score", "sum"), w=("weight", "sum"),
                    wp=("wp", "sum"), pn=("progress", lambda s: s.isna().any()))
        level_score = agg["ws"] / agg["w"]
        prog = (agg["wp"] / agg["w"]).where(~agg["pn"])
        node_rows.append(pd.DataFrame({
            "unit": agg.index.get_level_values(0),
            "period": agg.index.get_level_values(1),
            "class": agg["cls"].to_numpy(),
            "node": node,
            "level": level,
            "level_score": level_score.to_numpy(),
            "progress_score": prog.to_numpy(),
        }))
    table = pd.concat(node_rows, ignore_index=True)
    lw = level_weight
    table["total_score"] = np.where(
        table["progress_score"].isna(), table["level_score"],
        lw * table["level_score"] + (1 - lw) * table["progress_score"].fillna(0.0),
    )
    table = _rank_and_grade(table, grades, grade_method, grade_shares)
    table = table.sort_values(
        ["period", "node", "rank", "unit"],
        key=lambda s: s.map(pos) if s.name == "period" else (
            s.map({n: i for i, (n, _, _) in enumerate(groups)}) if s.name == "node" else s),
    ).reset_index(drop=True)
    return table, scores, notes


def _rank_and_grade(table: pd.DataFrame, grades: list[tuple[str, float]], method: str,
                    shares: Sequence[float] | None) -> pd.DataFrame:
    t = table.copy()
    g = t.groupby(["period", "node"], sort=False)["total_score"]
    t["rank"] = g.rank(ascending=False, method="min").astype(int)
    cls = t["class"].fillna("")
    t["rank_in_class"] = (
        t.assign(_c=cls).groupby(["period", "node", "_c"], sort=False)["total_score"]
        .rank(ascending=False, method="min").astype(int)
    )
    t["grade"] = None
    tot = t["level"] == "total"
    if method == "thresholds":
        t.loc[tot, "grade"] = grade_thresholds(t.loc[tot, "total_score"].to_numpy(), grades)
    else:
        labels = [lab for lab, _ in grades]
        sh = list(shares) if shares is not None else [1 / len(labels)] * len(labels)
        for _, idx in t[tot].groupby("period", sort=False).groups.items():
            t.loc[idx, "grade"] = grade_quantiles(t.loc[idx, "total_score"].to_numpy(), labels, sh)
    return t
