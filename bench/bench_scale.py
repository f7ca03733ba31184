"""A county-level panel through ``nqpf index``: phase times and peak memory.

The panel: 3,000 units x 30 years x 50 indicators in one wide CSV (unit, year, x1..x50;
seeded lognormal values with four decimals), about 37 MB. Measured, each in its own
process so that peak memory (``ru_maxrss``) belongs to one phase:

* ``read (baseline)``: :func:`nqpf.panel.io.read_panel` of the source tree at
  ``--baseline`` (a git revision, default the commit before the columnar reader), taken
  with ``git archive`` into a temporary folder;
* ``read``: the same call on this tree;
* ``index``: the whole ``nqpf index`` command (read, build, write), and, in one process,
  the phases read / build / write of the same work through the Python API.

Memory is reported as the process peak and as the peak above the process's size after
its imports (what reading the file itself costs), against the file size. Ratios are
``baseline / this tree`` from the same run. Targets of the issue: reading <= 10 s with
memory <= 10x the file; the whole ``nqpf index`` <= 30 s.

Run from the repository root: ``python bench/bench_scale.py [--units 3000] [--periods 30]
[--indicators 50] [--baseline REV | --no-baseline]``. The baseline reader is slow (minutes
on this size); ``--no-baseline`` skips it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "ee10158"

CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    what, data, fw, out = sys.argv[1:5]
    from nqpf.panel.io import read_panel
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = {}
    t0 = time.perf_counter()
    panel = read_panel(data, units="none")
    t["read"] = time.perf_counter() - t0
    peak_read = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if what == "phases":
        from nqpf import build_index
        t0 = time.perf_counter()
        res = build_index(panel, fw)
        t["build"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        res.write(out)
        t["write"] = time.perf_counter() - t0
    print(json.dumps({"times": t, "base_kb": base, "peak_read_kb": peak_read,
                      "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                      "shape": list(panel.shape)}))
    """
)


def make_panel(path: Path, n_u: int, n_t: int, n_k: int) -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    base = rng.lognormal(3, 1, size=(n_u, n_k))
    with path.open("w") as f:
        f.write("unit,year," + ",".join(f"x{k + 1}" for k in range(n_k)) + "\n")
        for u in range(n_u):
            v = base[u][None, :] * (1.03 ** np.arange(n_t))[:, None]
            v = v * rng.lognormal(0, 0.05, (n_t, n_k))
            f.writelines(
                f"C{u:05d},{1995 + t}," + ",".join(f"{x:.4f}" for x in v[t]) + "\n"
                for t in range(n_t)
            )


def make_framework(path: Path, n_k: int) -> None:
    rows = ["dimension,indicator,direction"]
    rows += [f"D{k // 10 + 1},x{k + 1},{'-' if k % 5 == 4 else '+'}" for k in range(n_k)]
    path.write_text("\n".join(rows) + "\n", "utf-8")


def child(src: Path, what: str, data: Path, fw: Path, out: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(src))
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", CHILD, what, str(data), str(fw), str(out)],
                       env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode:
        raise SystemExit(f"{what} failed:\n{r.stderr[-2000:]}")
    res = json.loads(r.stdout.strip().splitlines()[-1])
    res["wall"] = wall
    return res


def whole_command(src: Path, data: Path, fw: Path, out: Path) -> tuple[float, int]:
    env = dict(os.environ, PYTHONPATH=str(src))
    code = (
        "import resource, sys; from nqpf.cli import main; "
        "rc = main(sys.argv[1:]); "
        "print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); "
        "sys.exit(rc)"
    )
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", code, "index", str(data), "-f", str(fw),
                        "--out", str(out), "--units", "none"],
                       env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode:
        raise SystemExit(f"nqpf index failed:\n{r.stderr[-2000:]}")
    peak = int(r.stderr.rsplit("PEAK", 1)[1].split()[0])
    return wall, peak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--units", type=int, default=3000)
    ap.add_argument("--periods", type=int, default=30)
    ap.add_argument("--indicators", type=int, default=50)
    ap.add_argument("--baseline", default=BASELINE)
    ap.add_argument("--no-baseline", action="store_true")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        data, fw = d / "panel.csv", d / "framework.csv"
        make_panel(data, a.units, a.periods, a.indicators)
        make_framework(fw, a.indicators)
        mb = data.stat().st_size / 1e6
        print(f"panel {a.units} units x {a.periods} periods x {a.indicators} indicators, "
              f"{mb:.1f} MB CSV; python {sys.version.split()[0]}")
        src = ROOT / "src"
        new = child(src, "read", data, fw, d / "o1")
        rows = [("read", new)]
        if not a.no_baseline:
            old_src = d / "baseline"
            old_src.mkdir()
            arch = subprocess.run(["git", "-C", str(ROOT), "archive", a.baseline, "src"],
                                  capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(old_src)], input=arch, check=True)
            rows.insert(0, (f"read (baseline {a.baseline})", child(old_src / "src", "read",
                                                                     data, fw, d / "o0")))
        print(f"{'phase':<28}{'seconds':>10}{'peak MB':>10}{'above imports':>15}{'x file':>8}")
        for name, r in rows:
            above = (r["peak_read_kb"] - r["base_kb"]) / 1e3
            print(f"{name:<28}{r['times']['read']:>10.2f}{r['peak_read_kb'] / 1e3:>10.0f}"
                  f"{above:>15.0f}{above / mb:>8.1f}")
        if not a.no_baseline:
            old, cur = rows[0][1], rows[1][1]
            t_ratio = old["times"]["read"] / cur["times"]["read"]
            m_ratio = (old["peak_read_kb"] - old["base_kb"]) / max(
                cur["peak_read_kb"] - cur["base_kb"], 1)
            print(f"read time ratio baseline/new: {t_ratio:.1f}x; memory above imports ratio: "
                  f"{m_ratio:.1f}x")
        ph = child(src, "phases", data, fw, d / "o2")
        print("API phases: " + ", ".join(f"{k} {v:.2f} s" for k, v in ph["times"].items())
              + f"; peak {ph['peak_kb'] / 1e3:.0f} MB")
        wall, peak = whole_command(src, data, fw, d / "o3")
        print(f"whole `nqpf index`: {wall:.1f} s wall (imports included), peak {peak / 1e3:.0f} MB"
              f" ({peak / 1e3 / mb:.1f}x the file)")
        sizes = {p.name: p.stat().st_size / 1e6 for p in (d / "o3").iterdir()}
        print("outputs (MB): " + ", ".join(f"{k} {v:.1f}" for k, v in sorted(sizes.items())))


if __name__ == "__main__":
    main()
