"""Runs: the assessment of a locked period, pinned, reproducible, published.

A run is started by the admin for a locked period. At that moment it is
pinned to the period's framework version and to a snapshot of the period's
current revisions (:func:`nqpf.office.revisions.take_snapshot`), so later
corrections cannot change it. A background :class:`Worker` computes it,
reporting progress in the ``runs`` row, which the API shows.

Outputs are written into a hidden temporary folder beside ``DIR/runs/`` and
moved to ``DIR/runs/<id>/`` in one rename once every file and the manifest are
complete; only then does the run's row become ``complete``. A server killed
at any point leaves either no folder or a folder the database does not point
to: at start the worker removes such leftovers and queues interrupted runs
again (:func:`recover`). Nothing of a run is served before it is complete.

The same snapshot and recipe always give byte-identical tables
(``tables_sha256`` in the manifest): the computation has no randomness and the
tables are written with a fixed float format.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .. import __version__ as NQPF_VERSION
from ..errors import NqpfError
from . import revisions
from .db import Database
from .errors import Conflict, Invalid, NotFound
from .frameworks import framework_for_run
from .models import FrameworkVersion, Period, Run, Snapshot, Unit, utcnow
from .periods import previous_period

FLOAT_FORMAT = "%.10g"
RECIPE_KEYS = ("assess", "index")
#: Options of :func:`nqpf.assess.assess` a run may set (the data, framework, classes and
#: period come from the office).
ASSESS_OPTIONS = ("rule", "rules", "cap", "efficacy_bounds", "efficacy_range", "level_weight",
                  "progress_from", "grades", "grade_method", "grade_shares", "unclassed",
                  "missing_target", "chained")
CRASH_ENV = "NQPF_OFFICE_CRASH_AT"


def crash_point(name: str) -> None:
    """Fault injection for the reliability tests: die here like ``kill -9`` when asked."""
    if os.environ.get(CRASH_ENV) == name:
        os._exit(137)


def runs_dir(folder: Path) -> Path:
    return Path(folder) / "runs"


def check_recipe(recipe: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(recipe) - set(RECIPE_KEYS))
    if unknown:
        raise Invalid(f"unknown run option(s) {', '.join(unknown)}; known: "
                      + ", ".join(RECIPE_KEYS))
    opts = recipe.get("assess") or {}
    if not isinstance(opts, dict):
        raise Invalid("run option assess must be an object of assessment options")
    bad = sorted(set(opts) - set(ASSESS_OPTIONS))
    if bad:
        raise Invalid(f"unknown assessment option(s) {', '.join(bad)}; known: "
                      + ", ".join(ASSESS_OPTIONS))
    idx = recipe.get("index")
    if idx is not None:
        from ..index.recipe import Recipe

        if not isinstance(idx, dict):
            raise Invalid("run option index must be an object of index recipe fields "
                          "(e.g. {\"weights\": \"entropy\"}) or omitted")
        try:
            Recipe(**idx)
        except (TypeError, ValueError) as e:
            raise Invalid(f"index recipe: {e}") from None
    return recipe


def start_run(s: Session, period: Period, user_id: int, recipe: dict[str, Any]) -> Run:
    """Pin a new run of ``period`` (locked) to its version and a snapshot; queue it."""
    if period.state != "locked":
        raise Conflict(f"period {period.key} is {period.state}; lock it before starting a run")
    check_recipe(recipe)
    snap = revisions.take_snapshot(s, period, previous_period(s, period))
    run = Run(period_id=period.id, version_id=period.version_id, snapshot_id=snap.id,
              recipe_json=json.dumps(recipe, sort_keys=True), state="queued",
              created_by=user_id, message="排队等待")
    s.add(run)
    s.flush()
    return run


def visible(run: Run) -> bool:
    return run.state in ("complete", "published")


def publish(s: Session, run: Run) -> Period:
    if run.state != "complete":
        raise Conflict(f"run {run.id} is {run.state}; only a complete run can be published")
    period = s.get(Period, run.period_id)
    if period.state != "locked":
        raise Conflict(f"period {period.key} is {period.state}; a run is published into a "
                       "locked period")
    s.execute(update(Run).where(Run.period_id == period.id, Run.state == "published")
              .values(state="complete"))
    run.state, run.published_at = "published", utcnow()
    period.state, period.published_run_id = "published", run.id
    return period


def output_path(folder: Path, run: Run) -> Path | None:
    """The folder of a complete run (None before it is complete)."""
    if not run.output_dir or not visible(run):
        return None
    return Path(folder) / run.output_dir


def run_dict(run: Run, folder: Path, period_key: str | None = None) -> dict[str, Any]:
    out = output_path(folder, run)
    return {
        "id": run.id, "period": period_key, "state": run.state, "progress": run.progress,
        "message": run.message, "snapshot": run.snapshot_id,
        "recipe": json.loads(run.recipe_json or "{}"),
        "created_at": run.created_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "published_at": run.published_at.isoformat() if run.published_at else None,
        "tables_sha256": run.tables_sha256,
        "files": sorted(p.name for p in out.iterdir()) if out and out.is_dir() else [],
    }


# ---------------------------------------------------------------------- computation
def _period_label(key: str) -> Any:
    return int(key) if key.isdigit() else key


def compute(values: pd.DataFrame, fw, units: pd.DataFrame, period: str,
            recipe: dict[str, Any],
            progress: Callable[[float, str], None]) -> tuple[dict[str, pd.DataFrame], Any]:
    """The tables of a run from the snapshot's values (unit, period, indicator, value).

    The assessment is :func:`nqpf.assess.assess` on the period and, for
    progress, the period before it; with an ``index`` recipe the composite index
    of :func:`nqpf.index.build_index` is added for the period.
    """
    from ..assess import assess
    from ..panel import Panel

    codes = fw.indicator_ids
    cur = values[values["period"] == period]
    if cur.empty:
        raise Invalid(f"period {period} has no accepted value; nothing to assess")
    tables: dict[str, pd.DataFrame] = {}
    v = values.merge(units, on="unit", how="left")
    tables["values"] = v[["unit", "unit_name", "class", "period", "indicator", "value"]]
    progress(0.2, "整理数据")
    keys = sorted(values["period"].unique())
    unit_codes = sorted(values["unit"].unique())
    cube = (values.set_index(["unit", "period", "indicator"])["value"]
            .reindex(pd.MultiIndex.from_product([unit_codes, keys, codes])).to_numpy(float)
            .reshape(len(unit_codes), len(keys), len(codes)))
    panel = Panel(values=cube, units=unit_codes, periods=[_period_label(k) for k in keys],
                  indicators=codes)
    classes = None
    if fw.classes:
        known = {c.id for c in fw.classes}
        classes = {u: c for u, c in zip(units["unit"], units["class"], strict=True)
                   if u in unit_codes and c in known}
    progress(0.4, "计算考核得分")
    res = assess(panel, fw, classes=classes, period=_period_label(period),
                 **(recipe.get("assess") or {}))
    for name in ("assessment", "indicator_scores", "fixed_base", "diagnosis"):
        if name != "fixed_base" or res.fixed_base is not None:
            tables[name] = res.to_frame(name)
    if recipe.get("index") is not None:
        from ..index import build_index
        from ..index.recipe import Recipe

        progress(0.6, "计算综合指数")
        one = Panel(values=cube[:, keys.index(period):keys.index(period) + 1, :],
                    units=unit_codes, periods=[_period_label(period)], indicators=codes,
                    meta={"framework": fw.id})
        idx = build_index(one, fw, Recipe(**recipe["index"]))
        tables["index_scores"] = idx.scores[["unit", "node", "level", "score", "rank"]]
        tables["index_weights"] = idx.weights.reset_index(drop=True)
    progress(0.8, "写出结果")
    return tables, res


def _sha256(p: Path) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_outputs(tmp: Path, tables: dict[str, pd.DataFrame], manifest: dict[str, Any],
                  result: Any = None) -> str:
    """Write the tables (csv), the office workbook and manifest.json; return the tables'
    digest (of the csv files, which are byte-identical for the same snapshot)."""
    digests = {}
    for name, df in tables.items():
        p = tmp / f"{name}.csv"
        df.to_csv(p, index=False, float_format=FLOAT_FORMAT, encoding="utf-8", lineterminator="\n")
        digests[p.name] = _sha256(p)
    if result is not None:
        from ..assess.workbook import write_workbook

        write_workbook(result, tmp / "assessment.xlsx", "zh")
    tables_sha = hashlib.sha256(json.dumps(digests, sort_keys=True).encode()).hexdigest()
    files = {p.name: _sha256(p) for p in sorted(tmp.iterdir())}
    manifest = {**manifest, "tables_sha256": tables_sha, "files": files}
    (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2,
                                                  sort_keys=True), "utf-8")
    return tables_sha


def execute(db: Database, folder: Path, run_id: int) -> None:
    """Compute run ``run_id`` and publish its folder atomically (see module notes)."""

    def progress(x: float, msg: str) -> None:
        with db.session() as s:
            s.execute(update(Run).where(Run.id == run_id).values(progress=x, message=msg))

    with db.session() as s:
        run = s.get(Run, run_id)
        period = s.get(Period, run.period_id)
        fw_row = s.get(FrameworkVersion, run.version_id)
        snap = s.get(Snapshot, run.snapshot_id)
        vals = pd.DataFrame(revisions.snapshot_values(s, run.snapshot_id),
                            columns=["unit", "period", "indicator", "value"])
        try:
            fw = framework_for_run(s, fw_row)
        except Invalid as e:
            fw = e
        units = pd.DataFrame([(u.code, u.name, u.unit_class) for u in s.scalars(select(Unit))],
                             columns=["unit", "unit_name", "class"])
        recipe = json.loads(run.recipe_json or "{}")
        manifest = {
            "run": run.id, "period": period.key,
            "framework": {"code": fw_row.code, "version": fw_row.version,
                          "sha256": fw_row.spec_sha256},
            "snapshot": {"id": snap.id, "digest": snap.digest, "values": len(vals)},
            "recipe": recipe, "nqpf": NQPF_VERSION,
        }
        run.state, run.progress, run.message = "running", 0.05, "开始计算"
    base = runs_dir(folder)
    base.mkdir(parents=True, exist_ok=True)
    tmp = base / f".tmp-{run_id}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        if isinstance(fw, Exception):
            raise fw
        tables, result = compute(vals, fw, units, period.key, recipe, progress)
        tables_sha = write_outputs(tmp, tables, manifest, result)
        final = base / str(run_id)
        if final.exists():  # a leftover the database never pointed to
            shutil.rmtree(final)
        os.replace(tmp, final)
        crash_point("run-files-moved")
        with db.session() as s:
            s.execute(update(Run).where(Run.id == run_id).values(
                state="complete", progress=1.0, message="完成", finished_at=utcnow(),
                output_dir=f"runs/{run_id}", tables_sha256=tables_sha))
    except Exception as e:  # noqa: BLE001 - any failure is reported on the run, not lost
        shutil.rmtree(tmp, ignore_errors=True)
        msg = str(e) if isinstance(e, NqpfError | ValueError) else f"{type(e).__name__}: {e}"
        with db.session() as s:
            s.execute(update(Run).where(Run.id == run_id).values(
                state="failed", message=msg[:2000], finished_at=utcnow()))
        return
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def recover(db: Database, folder: Path) -> list[int]:
    """After a restart: drop half-written outputs and queue interrupted runs again."""
    base = runs_dir(folder)
    for p in base.glob(".tmp-*") if base.is_dir() else []:
        shutil.rmtree(p, ignore_errors=True)
    with db.session() as s:
        stuck = list(s.scalars(select(Run).where(Run.state == "running")))
        for run in stuck:
            run.state, run.progress, run.message = "queued", 0.0, "服务器重启后重新排队"
            run.output_dir = None
        done = {str(r) for r in s.scalars(select(Run.id).where(
            Run.state.in_(("complete", "published"))))}
    for p in base.iterdir() if base.is_dir() else []:
        if p.is_dir() and p.name.isdigit() and p.name not in done:
            shutil.rmtree(p, ignore_errors=True)
    return [r.id for r in stuck]


class Worker:
    """One background thread that executes queued runs in order."""

    def __init__(self, db: Database, folder: Path, poll: float = 1.0):
        self.db, self.folder, self.poll = db, Path(folder), poll
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        recover(self.db, self.folder)
        self._thread = threading.Thread(target=self._loop, name="nqpf-office-runs", daemon=True)
        self._thread.start()

    def notify(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=30)

    def _next(self) -> int | None:
        with self.db.session() as s:
            return s.scalar(select(Run.id).where(Run.state == "queued").order_by(Run.id)
                            .limit(1))

    def _loop(self) -> None:
        while not self._stop.is_set():
            run_id = self._next()
            if run_id is None:
                self._wake.wait(self.poll)
                self._wake.clear()
                continue
            execute(self.db, self.folder, run_id)


def get_run(s: Session, run_id: int) -> Run:
    run = s.get(Run, run_id)
    if run is None:
        raise NotFound(f"no run {run_id}")
    return run
