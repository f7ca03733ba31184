"""The typer application of ``nqpf`` and its entry point.

Each command module defines ``register(app)``; :data:`COMMANDS` lists them in the order of
``nqpf --help``. Errors caused by the input (a bad file, an unknown unit, a malformed
framework) print one message and exit with status 2; ``nqpf --debug ...`` shows the
traceback.
"""

from __future__ import annotations

import sys
import traceback
import warnings
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from .. import __version__
from ..errors import NqpfError
from . import (
    analyze,
    assess,
    convert,
    data,
    demo,
    evaluate,
    framework,
    geodetector,
    growth,
    impute,
    index,
    model,
    office,
    prodfn,
    robustness,
    study,
    tfp,
    units,
    validate,
)
from .common import ClickException, err, out

#: Command modules, each with ``register(app)``, in the order of ``nqpf --help``.
COMMANDS = (
    demo,
    study,
    validate,
    index,
    assess,
    robustness,
    evaluate,
    tfp,
    prodfn,
    growth,
    analyze,
    geodetector,
    model,
    impute,
    convert,
    units,
    framework,
    data,
    office,
)

app = typer.Typer(
    name="nqpf",
    help="Measure new quality productive forces and high-quality development.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback(invoke_without_command=True)
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", "-V", help="Print the version and exit.")
    ] = False,
) -> None:
    if version:
        out.print(f"nqpf {__version__}")
        raise typer.Exit()


for _mod in COMMANDS:
    _mod.register(app)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 for usage and data errors)."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            rc = _run(args, debug)
        _notes_from_warnings(caught)
        return rc
    finally:
        from ..output_staging import abort_pending

        abort_pending()  # outputs of a command that did not finish never appear


def _notes_from_warnings(caught: list[warnings.WarningMessage]) -> None:
    """Python warnings (numpy, SciPy, statsmodels, pandas) as nqpf notes, each once."""
    seen: set[tuple[str, str]] = set()
    for w in caught:
        origin = Path(w.filename).parts
        lib = next((p for p in ("numpy", "scipy", "statsmodels", "pandas", "sklearn", "esda",
                                "libpysal", "spreg", "linearmodels", "matplotlib", "nqpf")
                    if p in origin), "python")
        text = " ".join(str(w.message).split())
        if (lib, text) in seen:
            continue
        seen.add((lib, text))
        where = f" in {Path(w.filename).stem}" if lib == "nqpf" else f" ({lib})"
        err.print(f"note: a computation step warned{where}: {text}", markup=False,
                  highlight=False)


def _run(args: list[str], debug: bool) -> int:
    try:
        rc = app(args=args, prog_name="nqpf", standalone_mode=False)
    except typer.Exit as e:
        return e.exit_code
    except typer.Abort:
        err.print("aborted")
        return 130
    except ClickException as e:  # usage errors: unknown option, bad value, missing argument
        if debug:
            traceback.print_exc()
        e.show()
        return 2
    except NqpfError as e:
        if debug:
            traceback.print_exc()
        err.print(f"[bold red]error:[/bold red] {escape(str(e))}", highlight=False)
        return 2
    except (FileNotFoundError, PermissionError, IsADirectoryError) as e:
        if debug:
            traceback.print_exc()
        err.print(f"[bold red]error:[/bold red] {escape(str(e))}", highlight=False)
        return 2
    except Exception as e:  # an nqpf fault, not the user's
        if debug:
            traceback.print_exc()
        err.print(
            f"[bold red]internal error:[/bold red] {type(e).__name__}: {escape(str(e))}\n"
            "Run again with --debug for the traceback and report it.",
            highlight=False,
        )
        return 1
    return rc if isinstance(rc, int) else 0
