"""A missing optional package is an error that names the pip command installing it."""

import pytest

from nqpf.errors import NqpfError
from nqpf.extras import EXTRAS, MissingExtraError, pip_command, require


def test_require_imports_an_installed_module():
    assert require("json", "spatial").dumps([1]) == "[1]"


def test_missing_module_names_the_extra_and_the_pip_command():
    with pytest.raises(MissingExtraError) as exc:
        require("nqpf_no_such_package.sub", "spatial", "Moran's I")
    assert isinstance(exc.value, NqpfError) and isinstance(exc.value, ImportError)
    assert str(exc.value) == (
        "Moran's I needs the optional package nqpf_no_such_package, which is not installed; "
        'install it with: pip install "nqpf[spatial]"'
    )


def test_every_extra_is_declared_and_unknown_ones_refused():
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    if (root / "pyproject.toml").is_file():
        meta = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
        assert set(EXTRAS) <= set(meta["project"]["optional-dependencies"])
    assert pip_command("maps") == 'pip install "nqpf[maps]"'
    with pytest.raises(KeyError, match="unknown extra"):
        require("json", "nope")


def test_cli_reports_a_missing_extra_without_a_traceback(monkeypatch, tmp_path, capsys):
    import importlib

    import nqpf.extras
    from nqpf.cli import main

    real = importlib.import_module

    def without_spatial(name, package=None):
        if name.split(".")[0] in ("esda", "libpysal", "spreg"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real(name, package)

    import pandas as pd

    from nqpf.datasets.reference import provinces

    iso = provinces()["iso"].tolist()
    values = pd.DataFrame({"unit": iso * 2, "period": [2020] * 31 + [2021] * 31,
                           "value": [float(i % 7) for i in range(62)]})
    values.to_csv(tmp_path / "scores.csv", index=False)
    monkeypatch.setattr(nqpf.extras.importlib, "import_module", without_spatial)
    rc = main(["analyze", str(tmp_path / "scores.csv"), "--method", "莫兰指数",
               "--out", str(tmp_path / "o")])
    err = " ".join(capsys.readouterr().err.split())
    assert rc == 2, err
    assert 'pip install "nqpf[spatial]"' in err and "Traceback" not in err
