"""The package as a whole: lazy start-up, no import cycles, metadata files."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import nqpf

SRC = Path(nqpf.__file__).resolve().parent
ROOT = SRC.parents[1]

#: Libraries that must load only where they are used (the issue's list, and the stack
#: behind the core: none of them is needed to print help or to import nqpf).
HEAVY = (
    "scipy", "scipy.stats", "statsmodels", "matplotlib", "highspy", "pyarrow", "linearmodels",
    "libpysal", "esda", "spreg", "giddy", "dask", "pandas", "numpy", "openpyxl", "pyreadstat",
)

_PROBE = """
import json, sys
{code}
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def _loaded(code: str) -> list[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC.parent), *sys.path])}
    res = subprocess.run(
        [sys.executable, "-c", _PROBE.format(code=code, heavy=HEAVY)],
        capture_output=True, text=True, env=env, timeout=120, check=True,
    )
    return json.loads(res.stdout.strip().splitlines()[-1])


def test_import_nqpf_loads_no_numerical_library():
    assert _loaded("import nqpf") == []


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["--version"], ["-V"], ["index", "-h"]])
def test_help_and_version_load_no_numerical_library(args):
    code = (
        "import contextlib, io\nfrom nqpf.cli import main\n"
        f"with contextlib.redirect_stdout(io.StringIO()):\n    rc = main({args!r})\n"
        "assert rc == 0, rc"
    )
    assert _loaded(code) == []


def test_the_index_and_panel_api_load_no_method_library():
    loaded = _loaded("from nqpf import build_index, read_panel, load_framework")
    assert not set(loaded) & {"scipy.stats", "statsmodels", "matplotlib", "highspy",
                              "linearmodels", "libpysal", "esda", "spreg", "dask"}


def test_lazy_names_resolve_and_are_exported():
    for name in nqpf.__all__:
        assert getattr(nqpf, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        nqpf.nope  # noqa: B018


PACKAGES = ("nqpf", "nqpf.panel", "nqpf.framework", "nqpf.index", "nqpf.efficiency",
            "nqpf.efficiency.dea", "nqpf.analysis", "nqpf.robustness", "nqpf.sources",
            "nqpf.report", "nqpf.datasets", "nqpf.study")


@pytest.mark.parametrize("package", PACKAGES)
def test_every_package_exports_documented_names(package):
    import importlib
    import types

    mod = importlib.import_module(package)
    assert mod.__doc__ and mod.__all__
    for name in mod.__all__:
        if name == "__version__":
            continue
        value = getattr(mod, name)
        # a module only when it is also callable (nqpf.assess(...) runs the assessment)
        assert not isinstance(value, types.ModuleType) or callable(value), (
            f"{package}.{name} is a module"
        )
        if callable(value):
            assert (value.__doc__ or "").strip(), f"{package}.{name} has no docstring"


def test_python_dash_m_nqpf():
    env = {**os.environ, "PYTHONPATH": str(SRC.parent)}
    res = subprocess.run(
        [sys.executable, "-m", "nqpf", "-V"], capture_output=True, text=True, env=env,
        timeout=60,
    )
    assert res.returncode == 0
    assert res.stdout.strip() == f"nqpf {nqpf.__version__}"


# ---------------------------------------------------------------------- import cycles
def _modules() -> dict[str, tuple[Path, bool]]:
    mods = {}
    for p in SRC.rglob("*.py"):
        parts = list(p.relative_to(SRC.parent).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        mods[".".join(parts[:-1] if is_pkg else parts)] = (p, is_pkg)
    return mods


def import_graph() -> dict[str, set[str]]:
    """Module -> nqpf modules it imports anywhere in its code (also inside functions),
    except under ``if TYPE_CHECKING:``."""
    mods = _modules()
    edges: dict[str, set[str]] = {m: set() for m in mods}

    def add(src: str, target: str) -> None:
        while target and target not in mods:
            target = target.rpartition(".")[0]
        if target and target != src:
            edges[src].add(target)

    for mod, (path, is_pkg) in mods.items():
        package = mod.split(".") if is_pkg else mod.split(".")[:-1]

        def visit(node: ast.AST, mod: str = mod, package: list[str] = package) -> None:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                for child in node.orelse:
                    visit(child)
                return
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.split(".")[0] == "nqpf":
                        add(mod, a.name)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package[: len(package) - node.level + 1]
                    target = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    target = node.module or ""
                if target.split(".")[0] == "nqpf":
                    for a in node.names:
                        sub = f"{target}.{a.name}"
                        add(mod, sub if sub in mods else target)
            for child in ast.iter_child_nodes(node):
                visit(child)

        visit(ast.parse(path.read_text(encoding="utf-8")))
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in edges:
        if v not in index:
            strong(v)
    return found


def test_no_import_cycles_inside_nqpf():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


# ---------------------------------------------------------------------- package files
def test_license_typed_marker_and_project_files():
    assert (SRC / "py.typed").is_file()
    if not (ROOT / "pyproject.toml").is_file():
        pytest.skip("not a source checkout")
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    for name in ("CHANGELOG.md", "CITATION.cff", "CONTRIBUTING.md"):
        assert (ROOT / name).is_file(), name
    import tomllib

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert meta["license"] == "MIT"
    assert {"spatial", "dask", "maps", "cjk", "office", "docs", "all"} <= set(
        meta["optional-dependencies"]
    )
    core = " ".join(meta["dependencies"])
    for name in ("giddy", "country_converter", "libpysal", "dask", "pyarrow", "wbgapi"):
        assert name not in core, name
