"""The indicator framework as a sunburst, with the weights of every level.

The inner ring holds the dimensions, a middle ring the sub-dimensions (when the
framework has them) and the outer ring the indicators; every wedge spans its
effective weight (the product of the local weights down the tree), so the
figure shows at a glance which dimensions and indicators carry the index
(COINr's ``plot_framework``). Labels give the name and the weight in per cent;
wedges too thin for a label (under 1.2 % of the circle) are left unlabelled and
listed in ``fig.nqpf_notes``.
"""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np

from ..errors import DataError
from .figures import _finish, _new_figure, _start

_MIN_LABEL = 0.012  # smallest share of the circle that carries a label


def framework_sunburst(
    result: Any, framework: Any = None, lang: str = "en", title: str | None = None
) -> Any:
    """Sunburst of the framework of an :class:`~nqpf.index.IndexResult`, sized by weight.

    Parameters
    ----------
    result : IndexResult
        Its ``weights`` table (parent, node, weight, effective_weight, level)
        gives the tree and the weights.
    framework : Framework, optional
        For the names; default: the built-in framework of ``result.framework_id``.
    lang : {"en", "zh"}
        Labels from the framework's ``name_zh`` or ``name_en``.
    """
    from ..framework import load_framework

    lang, notes = _start(lang)
    w = result.weights
    if w.empty:
        raise DataError("the result has no weights table")
    fw = load_framework(framework if framework is not None else result.framework_id)
    names = {n.id: n.name(lang) for n in fw.nodes}
    names.update({i.id: i.name(lang) for i in fw.indicators})
    eff = w.set_index("node")["effective_weight"].to_dict()
    children: dict[str, list[str]] = {}
    for r in w.itertuples(index=False):
        children.setdefault(r.parent, []).append(r.node)
    levels = [["index"]]
    while True:
        nxt = [c for p in levels[-1] for c in children.get(p, [])]
        if not nxt:
            break
        levels.append(nxt)
    rings = levels[1:]
    fig = _new_figure((10, 10), lang)
    ax = fig.add_subplot(111)
    ax.set_aspect("equal")
    ax.axis("off")
    cmap = __import__("matplotlib").colormaps["tab10"]
    top_colour = {d: cmap(i % 10) for i, d in enumerate(rings[0])}

    def root_of(node: str) -> str:
        while node not in top_colour:
            node = w.loc[w["node"] == node, "parent"].iloc[0]
        return node

    width = 0.9 / len(rings)
    skipped = []
    for depth, ring in enumerate(rings):
        # keep the order of the tree: children follow their parents around the circle
        order = ring if depth == 0 else [
            c for p in rings[depth - 1] for c in children.get(p, []) if c in ring
        ]
        sizes = np.array([max(eff.get(n, 0.0), 0.0) for n in order])
        if not sizes.sum() > 0:
            continue
        radius = 0.25 + width * (depth + 1)
        colours = []
        for n in order:
            r, g, b, _ = top_colour[root_of(n)]
            fade = 0.55 * depth / max(len(rings) - 1, 1)
            colours.append((r + (1 - r) * fade, g + (1 - g) * fade, b + (1 - b) * fade))
        wedges, _ = ax.pie(
            sizes, radius=radius, colors=colours, startangle=90, counterclock=False,
            wedgeprops={"width": width, "edgecolor": "white", "linewidth": 0.8},
        )
        share = sizes / sizes.sum()
        for wedge, n, s in zip(wedges, order, share, strict=True):
            if s < _MIN_LABEL:
                skipped.append(names.get(n, n))
                continue
            ang = np.deg2rad((wedge.theta1 + wedge.theta2) / 2)
            if depth == len(rings) - 1:
                # the outer ring is labelled outside the circle, along the radius
                left = np.cos(ang) < 0
                rot = np.rad2deg(ang) - (180 if left else 0)
                label = textwrap.fill(str(names.get(n, n)), 16 if lang == "zh" else 28)
                ax.text(
                    (radius + 0.03) * np.cos(ang), (radius + 0.03) * np.sin(ang),
                    f"{label}  {100 * eff.get(n, 0):.1f}%",
                    ha="right" if left else "left", va="center", fontsize=7,
                    rotation=rot, rotation_mode="anchor",
                )
            else:
                rr = radius - width / 2
                label = textwrap.fill(str(names.get(n, n)), 6 if lang == "zh" else 14)
                ax.text(
                    rr * np.cos(ang), rr * np.sin(ang),
                    f"{label}\n{100 * eff.get(n, 0):.1f}%",
                    ha="center", va="center", fontsize=8,
                )
    lim = 0.25 + width * len(rings) + 0.95
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    name = fw.name_zh if lang == "zh" else fw.name_en
    default = f"{name}：指标体系与权重" if lang == "zh" else f"{name}: framework and weights"
    fig.suptitle(title or default, fontsize=12, y=0.985)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.95)
    if skipped:
        what = "、".join(skipped) if lang == "zh" else ", ".join(skipped)
        notes.append(
            f"权重过小未标注：{what}" if lang == "zh" else f"wedges too thin to label: {what}"
        )
    return _finish(fig, lang, notes, tight=False)
