"""Output folders: new ones are made, existing non-empty ones are never written over unasked."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
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


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then move it into place.

    A reader never sees a half-written file and a failed write leaves ``path`` as it was;
    the temporary file is removed in every case. The file gets the permissions the
    user's umask allows, as a file opened for writing would. Errors of ``write``
    propagate unchanged.
    """
    p = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{p.stem}.", suffix=p.suffix, dir=p.parent)
    os.close(fd)
    tmp = Path(name)
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(tmp, 0o666 & ~mask)  # mkstemp makes it private (0600); a file follows the umask
    try:
        write(tmp)
        os.replace(tmp, p)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return p
