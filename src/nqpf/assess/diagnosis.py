"""Diagnosis per region: where the points were lost and how the standing changed.

For each unit and period assessed, one row with

- ``total_score``, ``grade``, ``rank`` (among all units), ``rank_in_class`` and
  ``n_in_class`` (the ranking within the unit's class);
- ``previous_rank``, ``rank_change`` (previous − current: positive means the
  unit moved up) and ``previous_grade``, from the period before (empty when the
  data have none);
- ``lost_points``: ``Σ_j w_j (full_j − s_j)``, the points the unit is short of
  the full total, and ``top_losses``: the (at most three) indicators that cost
  the most, with their lost points;
- ``targets_met`` of ``targets``: how many indicators with a target meet it;
- ``weakest_node``: the dimension with the lowest level score.

The gap to target of each indicator (absolute ``gap`` and ``gap_pct`` of the
target) is in the indicator scores table beside its lost points.
"""

from __future__ import annotations

import pandas as pd

from ..framework.spec import Framework

__all__ = ["diagnose", "top_losses"]


def top_losses(scores: pd.DataFrame, fw: Framework, n: int = 3, lang: str = "zh") -> pd.Series:
    """The ``n`` indicators with the most lost points per (unit, period), as text."""
    names = {i.id: i.name(lang) for i in fw.indicators}
    s = scores[scores["lost_points"] > 1e-12].sort_values(
        ["unit", "period", "lost_points", "indicator"], ascending=[True, True, False, True]
    )
    sep = "；" if lang == "zh" else "; "

    def text(g: pd.DataFrame) -> str:
        return sep.join(f"{names[k]} ({v:.2f})" for k, v in
                        zip(g["indicator"].head(n), g["lost_points"].head(n), strict=True))

    return s.groupby(["unit", "period"], sort=False)[["indicator", "lost_points"]].apply(text)


def diagnose(table: pd.DataFrame, scores: pd.DataFrame, fw: Framework,
             previous: pd.DataFrame | None = None, lang: str = "zh") -> pd.DataFrame:
    """The diagnosis table (see the module docstring)."""
    tot = table[table["level"] == "total"].copy()
    key = ["unit", "period"]
    cls = tot["class"].fillna("")
    tot["n_in_class"] = tot.assign(_c=cls).groupby(["period", "_c"])["unit"].transform("size")
    # rank changes: each period against the one before it (the first against `previous`)
    frames = [tot] + ([previous[previous["level"] == "total"]] if previous is not None else [])
    hist = pd.concat(frames, ignore_index=True)[["unit", "period", "rank", "grade"]]
    order = list(dict.fromkeys(list(hist["period"])))
    order.sort(key=lambda p: (str(type(p)), p))
    prev_of = {p: order[i - 1] if i > 0 else None for i, p in enumerate(order)}
    look = {(u, p): (r, g) for u, p, r, g in hist.itertuples(index=False)}
    before = [look.get((u, prev_of[p]), (None, None)) for u, p in zip(tot["unit"], tot["period"],
                                                                     strict=True)]
    tot["previous_rank"] = pd.array([b[0] for b in before], dtype="Int64")
    tot["previous_grade"] = [b[1] for b in before]
    tot["rank_change"] = tot["previous_rank"] - tot["rank"]
    lost = scores.groupby(key, sort=False).agg(
        lost_points=("lost_points", "sum"),
        targets_met=("met", lambda m: int(m.dropna().astype(bool).sum())),
        targets=("met", lambda m: int(m.notna().sum())),
    ).reset_index()
    tot = tot.merge(lost, on=key, how="left")
    tl = top_losses(scores, fw, lang=lang).rename("top_losses").reset_index()
    tot = tot.merge(tl, on=key, how="left")
    tot["top_losses"] = tot["top_losses"].fillna("")
    dims = table[table["level"] == "dimension"].sort_values(
        ["unit", "period", "level_score", "node"]
    )
    names = {n.id: n.name(lang) for n in fw.nodes}
    weakest = dims.groupby(key, sort=False)["node"].first().map(names).rename("weakest_node")
    tot = tot.merge(weakest.reset_index(), on=key, how="left")
    cols = ["unit", "period", "class", "total_score", "grade", "rank", "rank_in_class",
            "n_in_class", "previous_rank", "rank_change", "previous_grade", "lost_points",
            "top_losses", "targets_met", "targets", "weakest_node"]
    out = tot[cols].sort_values(["period", "rank", "unit"], kind="stable")
    out["rank_change"] = out["rank_change"].astype("Int64")
    return out.reset_index(drop=True)
