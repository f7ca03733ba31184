"""MkDocs hooks that generate the pages made from the code, and run the tutorials.

* ``index.md`` and ``changelog.md``: README.md and CHANGELOG.md;
* ``commands/<name>.md``: one page per ``nqpf`` command, from the command line itself;
* ``study-file.md``: the study-file reference, from the pydantic models of nqpf.study.spec;
* ``methods/<name>.md`` and ``api/<name>.md``: mkdocstrings pages of the modules;
* ``tutorials/<name>.md``: the scripts in docs/tutorials, executed cell by cell; their
  printed output, tables and figures go into the page, and the ``assert`` statements in
  them check the results, so a wrong number fails the build.

The tutorials read the real public statistics that the tests use, from ``$NQPF_DATA`` or
``../shared/data`` beside the repository; without them the build stops and says so.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import typing
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[1]
GENERATED: dict[str, str | bytes] = {}

METHOD_PAGES = {
    "Normalisation": ["nqpf.index.normalise"],
    "Weights": ["nqpf.index.weights"],
    "Aggregation": ["nqpf.index.aggregate"],
    "The index engine and recipe": ["nqpf.index.engine", "nqpf.index.recipe"],
    "DEA models": ["nqpf.efficiency.dea.spec", "nqpf.efficiency.dea.models",
                   "nqpf.efficiency.dea.frontier"],
    "Productivity indices": ["nqpf.efficiency.dea.productivity"],
    "Production functions": ["nqpf.efficiency.prodfn", "nqpf.efficiency.prodfn_op"],
    "Growth accounting": ["nqpf.efficiency.growth"],
    "Disparity": ["nqpf.analysis.disparity"],
    "Distributional dynamics": ["nqpf.analysis.dynamics", "nqpf.analysis.chains"],
    "Convergence": ["nqpf.analysis.convergence"],
    "Spatial autocorrelation": ["nqpf.analysis.spatial"],
    "Coupling coordination": ["nqpf.analysis.coupling"],
    "Obstacle degree": ["nqpf.analysis.obstacle"],
    "Typology": ["nqpf.analysis.typology"],
    "Robustness": ["nqpf.robustness.uncertainty", "nqpf.robustness.sensitivity"],
    "Method names": ["nqpf.aliases"],
}
API_PAGES = {
    "nqpf": "nqpf",
    "nqpf.efficiency": "nqpf.efficiency",
    "nqpf.sources": "nqpf.sources",
    "nqpf.report": "nqpf.report",
    "nqpf.panel": "nqpf.panel",
    "nqpf.framework": "nqpf.framework",
    "nqpf.index": "nqpf.index",
    "nqpf.efficiency.dea": "nqpf.efficiency.dea",
    "nqpf.analysis": "nqpf.analysis",
    "nqpf.robustness": "nqpf.robustness",
    "nqpf.datasets": "nqpf.datasets",
    "nqpf.extras": "nqpf.extras",
}
TUTORIALS = {"provincial-index": "Provincial NQPF index", "green-tfp": "Green TFP"}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# ---------------------------------------------------------------------- README, changelog
def _home() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.replace("](docs/", "](")


# ---------------------------------------------------------------------- commands
def _command_pages() -> dict[str, str]:
    import typer.main

    from nqpf.cli.app import app

    root = typer.main.get_command(app)
    pages: dict[str, str] = {}

    def visit(cmd: Any, path: list[str]) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name in subs:
                visit(subs[name], [*path, name])
            return
        pages[" ".join(path)] = _command_page(cmd, path)

    for name, cmd in root.commands.items():
        visit(cmd, [name])
    return pages


def _command_page(cmd: Any, path: list[str]) -> str:
    title = "nqpf " + " ".join(path)
    args = [p for p in cmd.params if p.param_type_name == "argument"]
    usage = " ".join([title, "[OPTIONS]", *(p.name.upper() + ("..." if p.nargs == -1 else "")
                                            for p in args)])
    lines = [f"# `{title}`", "", (cmd.help or "").strip(), "", "```", usage, "```", ""]
    if args:
        lines += ["## Arguments", "", "| argument | meaning |", "|---|---|"]
        for p in args:
            lines.append(f"| `{p.name.upper()}` | {_cell(getattr(p, 'help', '') or '')} |")
        lines.append("")
    opts = [p for p in cmd.params if p.param_type_name == "option" and not p.hidden]
    if opts:
        lines += ["## Options", "", "| option | meaning | default |", "|---|---|---|"]
        for p in opts:
            names = ", ".join(f"`{o}`" for o in [*p.opts, *p.secondary_opts])
            default = "" if p.default in (None, False, ()) or p.required else f"`{p.default}`"
            if p.required:
                default = "required"
            lines.append(f"| {names} | {_cell(p.help or '')} | {default} |")
        lines.append("")
    lines += ["Run `" + title + " --help` for the same text in the terminal."]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


# ---------------------------------------------------------------------- study file
def _study_reference() -> str:
    from pydantic import BaseModel

    from nqpf.study.spec import StudySpec

    order: list[type[BaseModel]] = []

    def collect(model: type[BaseModel]) -> None:
        if model in order:
            return
        order.append(model)
        for f in model.model_fields.values():
            for m in _models_in(f.annotation):
                collect(m)

    collect(StudySpec)
    lines = [
        "# Study file reference",
        "",
        "A study file (YAML) describes a whole study; `nqpf run STUDY.yaml --out DIR` runs it.",
        "This page is generated from the pydantic models that check the file",
        "(`nqpf.study.spec`), so it always matches what nqpf accepts. Unknown keys are",
        "errors. Method names also take their Chinese names (`熵权法`, `TOPSIS`, `灰色关联`;",
        "see [Method names](methods/method-names.md)).",
        "",
    ]
    for model in order:
        name = "study file (top level)" if model is StudySpec else model.__name__
        lines += [f"## {name}", "", (model.__doc__ or "").strip(), ""]
        lines += ["| key | type | default |", "|---|---|---|"]
        for key, f in model.model_fields.items():
            default = "required" if f.is_required() else f"`{_default(f)}`"
            lines.append(f"| `{key}` | {_type_text(f.annotation)} | {default} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def _models_in(annotation: Any) -> list[Any]:
    from pydantic import BaseModel

    out = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        out.append(annotation)
    for a in typing.get_args(annotation):
        out += _models_in(a)
    return out


def _default(f: Any) -> str:
    if f.default_factory is not None:
        try:
            value = f.default_factory()
        except TypeError:
            return "(computed)"
        return "{}" if value == {} else "[]" if value == [] else type(value).__name__
    return repr(f.default)


def _type_text(annotation: Any) -> str:
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{_slug(annotation.__name__)})"
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return " or ".join(_type_text(a) for a in args if a is not type(None)) + (
            " or null" if type(None) in args else "")
    if origin in (list, tuple):
        return "list of " + (_type_text(args[0]) if args else "values")
    if origin is dict:
        return "mapping"
    if annotation is typing.Any:
        return "any"
    return getattr(annotation, "__name__", str(annotation))


# ---------------------------------------------------------------------- docstring pages
def _module_pages(spec: dict[str, list[str]] | dict[str, str]) -> dict[str, str]:
    pages = {}
    for title, modules in spec.items():
        mods = [modules] if isinstance(modules, str) else modules
        body = [f"# {title}", ""]
        for m in mods:
            body += [f"::: {m}", "    options:", "      heading_level: 2"]
            lazy = _lazy_names(m)
            if lazy:  # names loaded on first use: listed with the module defining them
                body += ["      members: false", "", "| name | defined in |", "|---|---|"]
                body += [f"| `{m}.{n}` | `{d}` |" for n, d in sorted(lazy.items())]
            body.append("")
        pages[title] = "\n".join(body)
    return pages


def _lazy_names(module: str) -> dict[str, str]:
    """Exported name -> defining module, for packages that export lazily (nqpf._lazy)."""
    import importlib

    mod = importlib.import_module(module)
    table = getattr(mod, "_NAMES", None) or getattr(mod, "_LAZY", None)
    if not table:
        return {}
    return {n: (module + d if d.startswith(".") else d) for n, d in table.items()}


# ---------------------------------------------------------------------- tutorials
def _data_dir() -> Path:
    env = os.environ.get("NQPF_DATA")
    return Path(env) if env else ROOT.parent / "shared" / "data"


def _cells(source: str) -> list[tuple[str, str]]:
    """(kind, text) cells of a ``# %%`` script: ``markdown`` cells are comments."""
    cells: list[tuple[str, list[str]]] = []
    for line in source.splitlines():
        if line.startswith("# %%"):
            cells.append(("markdown" if "[markdown]" in line else "code", []))
        elif cells:
            cells[-1][1].append(line)
    out = []
    for kind, lines in cells:
        if kind == "markdown":
            text = "\n".join(ln[2:] if ln.startswith("# ") else ln.lstrip("#") for ln in lines)
        else:
            text = "\n".join(lines)
        if text.strip():
            out.append((kind, text.strip("\n")))
    return out


def _run_tutorial(name: str, title: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    script = ROOT / "docs" / "tutorials" / f"{name}.py"
    data = _data_dir()
    if not data.is_dir():
        raise SystemExit(
            f"docs: the tutorial {script.name} reads public statistics from {data}, which "
            "does not exist; put the data there or set NQPF_DATA to their folder"
        )
    ns: dict[str, Any] = {"__name__": f"tutorial_{name}", "DATA": data}
    parts = []
    figures = 0
    cwd = Path.cwd()
    work = ROOT / "site-tutorial-work" / name
    work.mkdir(parents=True, exist_ok=True)
    os.chdir(work)
    try:
        for kind, text in _cells(script.read_text(encoding="utf-8")):
            if kind == "markdown":
                parts.append(text)
                continue
            parts.append(f"```python\n{text}\n```")
            tree = ast.parse(text)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                exec(compile(tree, f"{script.name}", "exec"), ns)  # noqa: S102
                value = eval(compile(ast.Expression(last.value), script.name, "eval"), ns) if (
                    last is not None) else None
            printed = buf.getvalue().rstrip()
            if printed:
                parts.append(f"```text\n{printed}\n```")
            if isinstance(value, Figure):
                figures += 1
                png = io.BytesIO()
                value.savefig(png, format="png", dpi=110, bbox_inches="tight")
                uri = f"tutorials/{name}-{figures}.png"
                GENERATED[uri] = png.getvalue()
                parts.append(f"![figure {figures}]({name}-{figures}.png)")
            elif value is not None and hasattr(value, "to_html"):
                import pandas as pd

                plain = isinstance(value.index, pd.RangeIndex)
                table = value.to_html(float_format=lambda x: f"{x:.4g}", border=0,
                                      index=not plain, na_rep="")
                parts.append(table.replace(' class="dataframe"', ""))
            elif value is not None:
                parts.append(f"```text\n{value!r}\n```")
    finally:
        os.chdir(cwd)
    head = (f"*This page is generated by running `docs/tutorials/{name}.py` when the site "
            "is built; the checks in it (`assert`) held on the data shown.*")
    return f"# {title}\n\n{head}\n\n" + "\n\n".join(parts) + "\n"


# ---------------------------------------------------------------------- mkdocs events
def on_config(config: Any) -> Any:
    GENERATED.clear()
    GENERATED["index.md"] = _home()
    GENERATED["changelog.md"] = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    GENERATED["study-file.md"] = _study_reference()
    nav_cmds, nav_methods, nav_api = [], [], []
    for name, text in _command_pages().items():
        uri = f"commands/nqpf-{_slug(name)}.md"
        GENERATED[uri] = text
        nav_cmds.append({f"nqpf {name}": uri})
    for title, text in _module_pages(METHOD_PAGES).items():
        uri = f"methods/{_slug(title)}.md"
        GENERATED[uri] = text
        nav_methods.append({title: uri})
    for title, text in _module_pages(API_PAGES).items():
        uri = f"api/{_slug(title)}.md"
        GENERATED[uri] = text
        nav_api.append({title: uri})
    for name, title in TUTORIALS.items():
        GENERATED[f"tutorials/{name}.md"] = _run_tutorial(name, title)
    generated_nav = {"Commands": nav_cmds, "Methods": nav_methods, "API reference": nav_api}
    config["nav"] = [
        {k: generated_nav[k]} if isinstance(item, dict) and (k := next(iter(item))) in
        generated_nav else item
        for item in config["nav"]
    ]
    return config


def on_files(files: Any, config: Any) -> Any:
    for uri, content in GENERATED.items():
        files.append(File.generated(config, uri, content=content))
    return files
