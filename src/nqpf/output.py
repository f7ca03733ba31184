"""Output folders: new ones are made, existing non-empty ones are never written over unasked."""

from __future__ import annotations

from pathlib import Path

from .errors import DataError


def check_out_dir(out_dir: str | Path, force: bool) -> Path:
    """Refuse a file, or a non-empty folder unless ``force``; create nothing."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise DataError(f"{out} exists and is not a folder; choose another --out")
    if out.exists() and any(out.iterdir()) and not force:
        raise DataError(
            f"output folder {out} exists and is not empty; choose another --out "
            "or pass --force to overwrite the files nqpf writes there"
        )
    return out


def prepare_out_dir(out_dir: str | Path, force: bool) -> Path:
    """Check the folder as :func:`check_out_dir` does, then create it."""
    out = check_out_dir(out_dir, force)
    out.mkdir(parents=True, exist_ok=True)
    return out
