"""All-or-nothing output folders: interruption by signals, concurrent runs, bad targets.

The signal and concurrency cases run in subprocesses: a small script opens a staging
folder, writes files in steps and tells the test (one line on stdout) where it is, so
that SIGINT or SIGTERM arrives at a known point.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nqpf.errors import DataError
from nqpf.output_staging import INCOMPLETE, MANIFEST, begin_output

SRC = str(Path(__file__).resolve().parents[1] / "src")
SCRIPT = textwrap.dedent(
    """
    import sys, types
    # the staging module alone, without the package's heavy imports: subprocesses start fast
    pkg = types.ModuleType("nqpf")
    pkg.__path__ = [sys.argv[3] + "/nqpf"]
    sys.modules["nqpf"] = pkg
    from nqpf.output_staging import begin_output
    target, force = sys.argv[1], sys.argv[2] == "1"
    st = begin_output(target, force)
    print("begun", flush=True)
    for i in range(3):
        (st.path / f"table{i}.csv").write_text("new\\n")
        print(f"wrote{i}", flush=True)
        sys.stdin.readline()  # the test sends a signal here, or a line to go on
    st.commit()
    print("committed", flush=True)
    """
)


def _start(target: Path, force: bool = False) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=SRC)
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(target), "1" if force else "0", SRC],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def _old_folder(tmp_path: Path) -> Path:
    target = tmp_path / "res"
    target.mkdir()
    (target / "table0.csv").write_text("old\n")
    (target / "table9.csv").write_text("old\n")  # written by the earlier run only
    (target / MANIFEST).write_text("table0.csv\ntable9.csv\n")
    (target / "my notes.txt").write_text("mine\n")  # the user's own file
    return target


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("after", [0, 1, 2])
def test_interrupted_run_leaves_the_old_folder_as_it_was(tmp_path, sig, after):
    target = _old_folder(tmp_path)
    before = {p.name: p.read_text() for p in target.iterdir()}
    proc = _start(target, force=True)
    assert proc.stdout.readline().strip() == "begun"
    for i in range(after + 1):
        assert proc.stdout.readline().strip() == f"wrote{i}"
        if i < after:
            proc.stdin.write("\n")
            proc.stdin.flush()
    proc.send_signal(sig)
    proc.communicate(timeout=30)
    assert proc.returncode != 0
    assert {p.name: p.read_text() for p in target.iterdir()} == before
    assert _leftovers(tmp_path) == []  # no staging folder, no lock


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_fresh_run_leaves_no_folder(tmp_path, sig):
    target = tmp_path / "new"
    proc = _start(target)
    assert proc.stdout.readline().strip() == "begun"
    assert proc.stdout.readline().strip() == "wrote0"
    proc.send_signal(sig)
    proc.communicate(timeout=30)
    assert not target.exists()
    assert _leftovers(tmp_path) == []


def test_completed_run_replaces_nqpf_files_and_keeps_the_users(tmp_path):
    target = _old_folder(tmp_path)
    proc = _start(target, force=True)
    out, _ = proc.communicate("\n\n\n", timeout=30)
    assert out.split()[-1] == "committed"
    names = sorted(p.name for p in target.iterdir())
    # table9.csv of the earlier run is gone: the folder never mixes two runs
    assert names == [MANIFEST, "my notes.txt", "table0.csv", "table1.csv", "table2.csv"]
    assert (target / "table0.csv").read_text() == "new\n"
    assert (target / "my notes.txt").read_text() == "mine\n"
    assert INCOMPLETE not in names
    assert _leftovers(tmp_path) == []


def test_files_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        with begin_output(tmp_path / "res", force=False) as stage:
            (stage / "a.csv").write_text("x\n")
    finally:
        os.umask(old)
    assert (tmp_path / "res").stat().st_mode & 0o777 == 0o755


def test_second_run_into_the_same_folder_is_refused(tmp_path):
    target = tmp_path / "res"
    first = _start(target)
    assert first.stdout.readline().strip() == "begun"
    with pytest.raises(DataError, match=rf"another nqpf run \(process {first.pid}\) is writing"):
        begin_output(target, force=False)
    out, _ = first.communicate("\n\n\n", timeout=30)
    assert out.split()[-1] == "committed"
    assert sorted(p.name for p in target.iterdir()) == [
        MANIFEST, "table0.csv", "table1.csv", "table2.csv"
    ]


def test_lock_of_a_killed_run_is_taken_over(tmp_path):
    target = tmp_path / "res"
    proc = _start(target)
    assert proc.stdout.readline().strip() == "begun"
    proc.kill()  # SIGKILL: no clean-up at all
    proc.wait(timeout=30)
    assert any(n.endswith(".nqpf-lock") for n in _leftovers(tmp_path))
    partial = [n for n in _leftovers(tmp_path) if ".partial-" in n]
    assert partial and (tmp_path / partial[0] / INCOMPLETE).exists()  # marked incomplete
    with begin_output(target, force=False) as stage:
        (stage / "a.csv").write_text("x\n")
    assert _leftovers(tmp_path) == []
    assert (target / "a.csv").exists()


def test_out_under_a_file_is_a_clear_error(tmp_path):
    f = tmp_path / "data.csv"
    f.write_text("x\n")
    with pytest.raises(DataError, match="a part of its path is a file"):
        begin_output(f / "res", force=False)
    with pytest.raises(DataError, match="exists and is not a folder"):
        begin_output(f, force=True)


def test_error_inside_the_block_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError), begin_output(tmp_path / "res", force=False) as stage:
        (stage / "a.csv").write_text("x\n")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []
