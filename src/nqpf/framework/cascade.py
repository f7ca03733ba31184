"""Cascaded frameworks: a city framework that ``extends`` the province's.

A province issues its assessment framework; each city takes it over, changes
some targets and weights, adds local indicators and drops optional ones. The
city file says only what differs::

    id: wuhan-hqd
    name_zh: 武汉市高质量发展综合绩效考核
    extends: hubei-hqd.yaml          # a path (relative to this file) or a built-in name
    version: "2024"
    valid_from: 2024-01-01
    targets: {rd_intensity: 3.8, energy_intensity: "<= 0.30"}
    weights: {rd_intensity: 0.12, tech_contracts: 0.08}
    add:
      - node: innovation               # the dimension or sub-dimension it goes under
        indicators:
          - {id: unicorns, name_zh: 独角兽企业数, unit: 家, direction: +, target: 10, weight: 0.02}
    remove: [forest_cover]
    classes: [...]                     # replaces the parent's classes when given

The fields of the framework itself (names, version, validity, issuer,
document, unit_kind, description) are the child's; the tree is the parent's
with the changes applied. The result is checked like any framework, and:

- every id named in ``targets``, ``weights`` and ``remove`` must exist in the
  parent, and every ``add`` must name an existing node (no orphans);
- an indicator marked ``mandatory: true`` in the parent cannot be removed;
- a node left without indicators is an error;
- weights are re-checked: when the parent's indicator weights are global
  shares summing to 1, the child's must also sum to 1.

A cascade without changes equals its parent (apart from the fields of the
framework itself).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

from ..errors import FrameworkError
from .classes import WEIGHT_TOLERANCE, RegionClass

__all__ = ["CHILD_FIELDS", "resolve"]

_OWN = ("id", "name_zh", "name_en", "description", "version", "valid_from", "valid_to",
        "issuer", "document", "unit_kind", "extends", "classes")
#: Fields a framework that extends another may give.
CHILD_FIELDS = _OWN + ("targets", "weights", "add", "remove")


def _walk(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for n in nodes:
        out.append(n)
        out.extend(_walk(n.get("children") or []))
    return out


def _indicators(nodes: list[dict[str, Any]]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """indicator id -> (indicator dict, holding node dict)."""
    return {i["id"]: (i, n) for n in _walk(nodes) for i in n.get("indicators") or []
            if isinstance(i, dict) and "id" in i}


def resolve(child: dict[str, Any], source: str,
            load_parent: Callable[[str], Any]) -> dict[str, Any]:
    """The full framework data of ``child`` (a mapping with ``extends``).

    ``load_parent(name)`` returns the parent :class:`~nqpf.framework.Framework`.
    """
    unknown = [k for k in child if k not in CHILD_FIELDS]
    if unknown:
        extra = (" (a framework that extends another lists changes: targets, weights, add, "
                 "remove; not its dimensions)") if "dimensions" in unknown else ""
        raise FrameworkError(
            f"{source}: unknown field(s) {unknown} in a cascaded framework{extra}; allowed: "
            f"{', '.join(CHILD_FIELDS)}"
        )
    parent = load_parent(str(child["extends"]))
    pdata = parent.to_dict()
    dims = copy.deepcopy(pdata["dimensions"])
    where = f"{source} (extends {parent.id})"
    inds = _indicators(dims)
    nodes = {n["id"]: n for n in _walk(dims)}

    def orphans(keys: Any, what: str) -> None:
        bad = [k for k in keys if k not in inds]
        if bad:
            raise FrameworkError(
                f"{where}: {what} names indicator(s) {bad} that {parent.id} does not have; "
                f"its indicators: {', '.join(list(inds)[:30])}"
            )

    remove = child.get("remove") or []
    if not isinstance(remove, list):
        raise FrameworkError(f"{where}: remove must be a list of indicator ids")
    orphans(remove, "remove")
    for k in remove:
        ind, holder = inds[k]
        if ind.get("mandatory"):
            raise FrameworkError(
                f"{where}: indicator {k} is mandatory in {parent.id} and cannot be removed"
            )
        holder["indicators"] = [i for i in holder["indicators"] if i["id"] != k]
        if not holder["indicators"]:
            raise FrameworkError(
                f"{where}: removing {k} leaves node {holder['id']} without indicators; keep one "
                "or remove the node's indicators from the parent"
            )
    targets = child.get("targets") or {}
    weights = child.get("weights") or {}
    if not isinstance(targets, dict) or not isinstance(weights, dict):
        raise FrameworkError(f"{where}: targets and weights map indicator ids to values")
    orphans(targets, "targets")
    orphans(weights, "weights")
    gone = set(remove)
    for k in list(targets) + list(weights):
        if k in gone:
            raise FrameworkError(f"{where}: indicator {k} is both removed and changed")
    # class-style target specs (number, "op value", range, mapping) read the same way
    parsed = RegionClass.model_validate({"id": "cascade", "targets": targets}).targets
    for k, spec in parsed.items():
        ind = inds[k][0]
        for key in ("target", "target_op", "low", "high", "bands"):
            if key in spec:
                ind[key] = spec[key]
        if "target" in spec and "target_op" not in spec:
            ind.pop("target_op", None)
    for k, w in weights.items():
        inds[k][0]["weight"] = w
    for item in child.get("add") or []:
        if not isinstance(item, dict) or "node" not in item or "indicators" not in item:
            raise FrameworkError(f"{where}: each add item is {{node: <id>, indicators: [...]}}")
        node = nodes.get(item["node"])
        if node is None:
            raise FrameworkError(
                f"{where}: add names node {item['node']!r} that {parent.id} does not have; "
                f"its nodes: {', '.join(nodes)}"
            )
        if node.get("children"):
            raise FrameworkError(
                f"{where}: node {item['node']} holds sub-dimensions; add indicators to one of "
                f"them ({', '.join(c['id'] for c in node['children'])})"
            )
        node["indicators"] = list(node.get("indicators") or []) + list(item["indicators"])
    _recheck_weights(parent, dims, where)
    out = {k: v for k, v in pdata.items() if k in ("id", "name_zh", "name_en", "description",
                                                   "version", "unit_kind")}
    out.update({k: child[k] for k in _OWN if k in child})
    if "classes" not in child and pdata.get("classes"):
        out["classes"] = pdata["classes"]
    out["dimensions"] = dims
    return out


def _recheck_weights(parent: Any, dims: list[dict[str, Any]], where: str) -> None:
    """A parent with global indicator shares summing to 1 keeps them summing to 1."""
    p_inds = parent.indicators
    node_w = any(n.weight is not None for n in parent.nodes)
    if node_w or not all(i.weight is not None for i in p_inds):
        return
    if abs(math.fsum(i.weight for i in p_inds) - 1.0) > WEIGHT_TOLERANCE:
        return
    leaves = [i for n in _walk(dims) for i in n.get("indicators") or []]
    missing = [i["id"] for i in leaves if i.get("weight") in (None, "")]
    if missing:
        raise FrameworkError(f"{where}: added indicator(s) {missing} need a weight")
    try:
        total = math.fsum(float(i["weight"]) for i in leaves)
    except (TypeError, ValueError):
        return  # the framework's own validation names the bad weight
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        raise FrameworkError(
            f"{where}: indicator weights sum to {total:.6g} after the changes, not 1 as in "
            f"{parent.id}; adjust weights: so that they sum to 1"
        )
