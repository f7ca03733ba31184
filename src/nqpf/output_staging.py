"""All-or-nothing output folders: write into a staging folder, move it into place at the end.

A command that writes a folder of results (``nqpf index --out res``) calls
:func:`begin_output` before its work starts and :meth:`Staging.commit` once every file
is written. In between:

* the target is **locked**: a lock file ``.res.nqpf-lock`` beside it holds the process
  id; a second run into the same folder is refused while the first is alive (a lock
  left by a killed process is taken over);
* files go to a **staging folder** ``.res.partial-XXXX`` beside the target, on the
  same file system, holding a file ``NQPF-INCOMPLETE.txt`` that says what it is;
* :meth:`Staging.commit` moves the staging folder into place with one ``rename``.
  A new target simply appears complete. An existing target (``--force``) is renamed
  aside, the staging folder renamed into its place, and the old folder's files that
  nqpf did not write (everything not listed in its ``.nqpf-files`` manifest and not
  written again) are carried over; then the old folder is removed. Interrupt
  signals are held back during these few renames.

A run that stops before the commit (an error, Ctrl-C, ``kill``) leaves the target
exactly as it was. The staging folder is removed on the way out; only a hard kill
(``kill -9``, power loss) can leave one, and its name and ``NQPF-INCOMPLETE.txt`` say
that it is incomplete; the next run into the same target removes it.

Folders and files are created with the permissions the user's umask allows (a
staging folder from :func:`tempfile.mkdtemp` would be private, 0700).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import threading
import uuid
from pathlib import Path
from types import FrameType
from typing import Any

from .errors import DataError
from .output import check_out_dir

__all__ = ["MANIFEST", "Staging", "abort_pending", "begin_output"]

#: Names of the files nqpf wrote into an output folder, one per line.
MANIFEST = ".nqpf-files"
INCOMPLETE = "NQPF-INCOMPLETE.txt"
_PENDING: list[Staging] = []


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if os.name == "nt":  # os.kill(pid, 0) would end the process on Windows
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # type: ignore[attr-defined]
        if handle:
            ctypes.windll.kernel32.CloseHandle(handle)  # type: ignore[attr-defined]
        return bool(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Staging:
    """An output folder being written; see the module notes."""

    def __init__(self, target: Path, force: bool) -> None:
        self.target = target
        self.force = force
        self.lock = target.parent / f".{target.name}.nqpf-lock"
        self.path = target.parent / f".{target.name}.partial-{uuid.uuid4().hex[:8]}"
        self.done = False
        self._old_term: Any = None

    # ------------------------------------------------------------------ start
    def _take_lock(self) -> None:
        for _ in range(2):
            try:
                fd = os.open(self.lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                try:
                    pid = int(self.lock.read_text().split()[0])
                except (OSError, ValueError, IndexError):
                    pid = -1
                if pid != os.getpid() and _alive(pid):
                    raise DataError(
                        f"another nqpf run (process {pid}) is writing to {self.target}; wait "
                        "for it to finish or choose another --out"
                    ) from None
                with contextlib.suppress(FileNotFoundError):
                    self.lock.unlink()  # left by a process that no longer runs
                continue
            with os.fdopen(fd, "w") as f:
                f.write(f"{os.getpid()}\n")
            return
        raise DataError(f"cannot lock {self.target}: {self.lock} keeps reappearing")

    def _start(self) -> None:
        parent = self.target.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise DataError(
                f"cannot create the output folder {self.target}: a part of its path is a file, "
                "not a folder; choose another --out"
            ) from None
        self._take_lock()
        try:
            check_out_dir(self.target, self.force)  # again, under the lock
            for stale in parent.glob(f".{self.target.name}.partial-*"):
                shutil.rmtree(stale, ignore_errors=True)
            self.path.mkdir(mode=0o777 & ~_umask())
            (self.path / INCOMPLETE).write_text(
                f"nqpf is writing {self.target.name} here (process {os.getpid()}). If this "
                "folder is still here, that run was stopped before it finished: the files "
                "are incomplete. Delete the folder.\n", "utf-8",
            )
        except BaseException:
            self._release()
            raise
        _PENDING.append(self)
        if threading.current_thread() is threading.main_thread():
            self._old_term = signal.signal(signal.SIGTERM, _on_term)

    # ------------------------------------------------------------------ end
    def commit(self) -> Path:
        """Move the staged files into place in one step and release the lock."""
        if self.done:
            return self.target
        (self.path / INCOMPLETE).unlink(missing_ok=True)
        written = sorted(
            str(p.relative_to(self.path)) for p in self.path.rglob("*") if p.is_file()
        )
        (self.path / MANIFEST).write_text("\n".join(written) + "\n", "utf-8")
        mask = {signal.SIGINT, signal.SIGTERM}
        blocked = (threading.current_thread() is threading.main_thread()
                   and hasattr(signal, "pthread_sigmask"))  # not on Windows
        if blocked:
            signal.pthread_sigmask(signal.SIG_BLOCK, mask)
        try:
            self._swap(set(written))
        finally:
            self.done = True
            self._finish()
            if blocked:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, mask)
        return self.target

    def _swap(self, written: set[str]) -> None:
        t = self.target
        if not t.exists():
            os.rename(self.path, t)
            return
        if not any(t.iterdir()):
            t.rmdir()
            os.rename(self.path, t)
            return
        old = t.parent / f".{t.name}.replaced-{uuid.uuid4().hex[:8]}"
        os.rename(t, old)
        os.rename(self.path, t)
        ours = set()
        with contextlib.suppress(OSError):
            ours = set((old / MANIFEST).read_text("utf-8").split("\n"))
        tops = {w.split("/", 1)[0] for w in written} | {MANIFEST}
        for entry in old.iterdir():
            name = entry.name
            if name in tops or name in ours or name == MANIFEST:
                continue
            if entry.is_dir() and any(o.startswith(name + "/") for o in ours):
                continue  # a folder nqpf wrote (tables/): replaced as a whole
            os.rename(entry, t / name)  # the user's own file: kept
        shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        """Remove the staging folder and release the lock; the target stays as it was."""
        if self.done:
            return
        self.done = True
        shutil.rmtree(self.path, ignore_errors=True)
        self._finish()

    def _finish(self) -> None:
        with contextlib.suppress(ValueError):
            _PENDING.remove(self)
        if self._old_term is not None and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self._old_term)
            self._old_term = None
        self._release()

    def _release(self) -> None:
        with contextlib.suppress(OSError, ValueError, IndexError):
            if int(self.lock.read_text().split()[0]) == os.getpid():
                self.lock.unlink()

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def _on_term(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds like Ctrl-C, so the staging folder is removed


def begin_output(out_dir: str | os.PathLike[str], force: bool) -> Staging:
    """Lock ``out_dir`` and open a staging folder for it; see the module notes.

    Refuses, before any work, a target that is a file, a non-empty folder without
    ``force``, a path under a file, and a target another live nqpf process is writing.
    Use as a context manager (commit on success, abort on error) or call
    :meth:`Staging.commit` yourself; a staging left open is aborted by
    :func:`abort_pending` (the command line calls it on the way out) or at exit.
    """
    target = Path(out_dir).absolute()
    check_out_dir(target, force)
    st = Staging(target, force)
    st._start()
    return st


def abort_pending() -> None:
    """Abort every staging folder not committed (after an error or an interruption)."""
    for st in list(_PENDING):
        st.abort()


atexit.register(abort_pending)
