"""``nqpf office``: init, users, units, migrate, backup and restore from the command line."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("fastapi", reason="the office commands need: pip install 'nqpf[office]'")

from clitools import flat, run  # noqa: E402


def test_office_commands_end_to_end(tmp_path):
    d = tmp_path / "office"
    rc, out, err = run("office", "init", d)
    assert rc == 0, err
    pw = re.search(r"password: (\S+)", out).group(1)
    assert len(pw) >= 12 and "nqpf office serve" in flat(out)
    rc, _, err = run("office", "init", d)
    assert rc == 2 and "is an office already" in flat(err)
    assert run("office", "unit", d, "A", "甲市", "--class", "一类")[0] == 0
    rc, out, _ = run("office", "user", "add", d, "city_a", "--role", "region", "--unit", "A")
    assert rc == 0 and "password:" in out
    rc, _, err = run("office", "user", "add", d, "city_a", "--role", "viewer")
    assert rc == 2 and "city_a is taken" in flat(err)
    rc, _, err = run("office", "user", "add", d, "x1", "--role", "region", "--unit", "Z")
    assert rc == 2 and "no unit Z" in flat(err)
    rc, out, _ = run("office", "user", "set", d, "city_a", "--disabled")
    assert rc == 0 and "active changed" in out
    rc, out, _ = run("office", "user", "password", d, "admin", "--password", "a-new-pass-99")
    assert rc == 0 and "a-new-pass-99" not in out
    rc, out, _ = run("office", "user", "list", d)
    assert rc == 0 and "city_a" in out and "region" in out
    assert "up to date" in run("office", "migrate", d)[1]
    rc, out, err = run("office", "backup", d, tmp_path / "b.zip")
    assert rc == 0 and (tmp_path / "b.zip").is_file(), err
    d2 = tmp_path / "office2"
    assert run("office", "init", d2, "--password", "another-pass-1")[0] == 0
    rc, _, err = run("office", "restore", d2, tmp_path / "b.zip")
    assert rc == 2 and "--force" in flat(err)
    rc, out, err = run("office", "restore", d2, tmp_path / "b.zip", "--force")
    assert rc == 0, err
    assert "city_a" in run("office", "user", "list", d2)[1]


def test_office_command_errors_name_the_problem(tmp_path):
    rc, _, err = run("office", "serve", tmp_path / "nowhere")
    assert rc == 2 and "not an office folder" in flat(err) and "nqpf office init" in flat(err)
    rc, _, err = run("office", "init", tmp_path / "o", "--db", "mysql://x")
    assert rc == 2 and "unsupported database URL" in flat(err)
    rc, _, err = run("office", "init", tmp_path / "p", "--password", "short")
    assert rc == 2 and "too short" in flat(err)
    assert not (tmp_path / "p").exists() and not (tmp_path / "o").exists()
