"""Load on the office server: 50 clients submit and correct values over loopback.

Run by hand (not in CI)::

    PYTHONPATH=src python3 bench/office_load.py [--seconds 20] [--clients 50]
        [--postgres postgresql://postgres@127.0.0.1:5432/test]

For each database it starts ``nqpf office serve`` on a fresh office, runs the
clients of ``tests/officetools.push_load`` (pushes of 1-3 values, one read of
a value's history in five requests) and prints requests per second and the
median and 95th-percentile latency. The baseline measured in the same run is
the server's ``/health`` (no database write) under the same 50 clients: the
ratio says how much of the server's capacity a submission costs. The stored
data are then checked (no revision lost, one current value per key).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from officetools import (  # noqa: E402
    LiveServer,
    check_consistency,
    make_seed,
    pg_drop,
    push_load,
)


def health_load(url: str, seconds: float, clients: int) -> list[float]:
    import httpx

    lat: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def one() -> None:
        with httpx.Client(base_url=url, timeout=60) as c:
            while time.monotonic() < stop:
                t = time.perf_counter()
                c.get("/health").raise_for_status()
                with lock:
                    lat.append(time.perf_counter() - t)

    ths = [threading.Thread(target=one) for _ in range(clients)]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    return lat


def stats(lat: list[float], seconds: float) -> tuple[float, float, float]:
    a = np.array(lat)
    return len(a) / seconds, float(np.median(a) * 1000), float(np.percentile(a, 95) * 1000)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--postgres", default=os.environ.get("NQPF_TEST_POSTGRES_URL", ""))
    args = ap.parse_args()
    kinds = ["sqlite"] + (["postgres"] if args.postgres else [])
    if args.postgres:
        os.environ["NQPF_TEST_POSTGRES_URL"] = args.postgres
    print(f"{args.clients} clients, {args.seconds:g} s per measurement, "
          f"{os.cpu_count()} CPUs")
    print(f"{'database':<10} {'what':<8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'ratio':>6}")
    for kind in kinds:
        with tempfile.TemporaryDirectory() as d:
            seed = make_seed(Path(d) / "office", kind)
            cfg = (Path(d) / "office" / "office.json").read_text()
            server = LiveServer(seed.folder).start()
            try:
                h = stats(health_load(server.url, args.seconds, args.clients), args.seconds)
                recs = push_load(server.url, seed.tokens, args.seconds, args.clients)
            finally:
                server.stop()
            pushes = [r["latency"] for r in recs if r["kind"] == "push"]
            allreq = [r["latency"] for r in recs]
            bad = sum(r["status"] not in (200, 201) for r in recs)
            p = stats(allreq, args.seconds)
            s = stats(pushes, args.seconds)
            import json

            counts = check_consistency(json.loads(cfg)["db_url"], seed.folder)
            print(f"{kind:<10} {'health':<8} {h[0]:8.1f} {h[1]:8.1f} {h[2]:8.1f} {1:6.2f}")
            print(f"{kind:<10} {'all':<8} {p[0]:8.1f} {p[1]:8.1f} {p[2]:8.1f} "
                  f"{p[0] / h[0]:6.2f}")
            print(f"{kind:<10} {'push':<8} {s[0]:8.1f} {s[1]:8.1f} {s[2]:8.1f} "
                  f"{s[0] / h[0]:6.2f}")
            print(f"{'':<10} {len(recs)} requests, {bad} not answered 2xx; stored "
                  f"{counts['revisions']} revisions of {counts['keys']} keys, consistent")
            if seed.pg_name:
                pg_drop(args.postgres, seed.pg_name)


if __name__ == "__main__":
    main()
