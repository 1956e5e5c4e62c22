"""The saved state of every self-check: attempts, solved, revealed, skipped.

One small JSON file, rewritten atomically after every change (re-read first,
so two lessons open at once do not overwrite each other's checks). Where it
lives, first that can be written:

1. ``$COURSE_PROGRESS`` (a file path), if set;
2. ``.course-progress.json`` beside the lessons (so it stays with the course
   folder, on Binder too);
3. ``<jupyter data dir>/helsinki-nea-course/progress.json`` (when the lessons
   folder is read-only, e.g. a shared JupyterHub copy);
4. nowhere: the state is kept in memory for this kernel only, and the learner
   is told once that it will not survive a restart.

Nothing here needs a server: :func:`course.selfcheck.progress` reads the file.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

__all__ = ["ProgressStore", "store", "candidate_paths", "set_store"]

FILE_NAME = ".course-progress.json"
VERSION = 1


def _writable_dir(d: Path) -> bool:
    try:
        d.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=d, prefix=".course-probe-", delete=True):
            pass
        return True
    except OSError:
        return False


def candidate_paths(lessons_dir: Path | None = None) -> list[Path]:
    from .paths import lessons_dir as find_lessons

    out = []
    if os.environ.get("COURSE_PROGRESS"):
        out.append(Path(os.environ["COURSE_PROGRESS"]).expanduser())
    d = lessons_dir or find_lessons()
    if d is not None:
        out.append(Path(d) / FILE_NAME)
    try:
        from jupyter_core.paths import jupyter_data_dir

        out.append(Path(jupyter_data_dir()) / "helsinki-nea-course" / "progress.json")
    except Exception:  # noqa: BLE001 - jupyter_core missing or HOME unusable
        pass
    return out


class ProgressStore:
    """Check states by question id, saved to ``path`` (``None``: memory only)."""

    def __init__(self, path: Path | None = None, *, fallbacks: list[Path] | None = None):
        self._fallbacks = list(fallbacks or [])
        self.path = Path(path) if path is not None else None
        self._memory: dict[str, dict] = {}
        self._listeners: list[Callable[[str, dict], None]] = []
        self.problem = ""  # why the state is not being saved, if it is not

    @classmethod
    def default(cls) -> ProgressStore:
        paths = candidate_paths()
        for i, p in enumerate(paths):
            if _writable_dir(p.parent) and (not p.exists() or os.access(p, os.W_OK)):
                return cls(p, fallbacks=paths[i + 1 :])
        s = cls(None)
        s.problem = "no writable place for the progress file (" + ", ".join(map(str, paths)) + ")"
        return s

    # -- reading
    def _read_file(self) -> dict[str, dict]:
        if self.path is None or not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            self.problem = f"could not read {self.path}: {e}"
            return {}
        checks = data.get("checks") if isinstance(data, dict) else None
        return {k: v for k, v in (checks or {}).items() if isinstance(k, str) and isinstance(v, dict)}

    def all(self) -> dict[str, dict]:
        return {**self._read_file(), **{k: v for k, v in self._memory.items() if self.path is None}}

    def get(self, qid: str) -> dict:
        return dict(self.all().get(qid, {}))

    # -- writing
    def record(self, qid: str, state: dict) -> None:
        state = {**state, "updated": time.strftime("%Y-%m-%dT%H:%M:%S")}
        self._memory[qid] = state
        while self.path is not None:
            try:
                checks = self._read_file()
                checks[qid] = state
                self._write(checks)
                break
            except OSError as e:
                self.problem = f"could not save to {self.path}: {e}"
                self.path = self._fallbacks.pop(0) if self._fallbacks else None
                if self.path is not None and not _writable_dir(self.path.parent):
                    continue
        if self.path is None:
            self._warn()
        for fn in list(self._listeners):
            fn(qid, state)

    def _write(self, checks: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".course-progress-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"version": VERSION, "checks": checks}, fh, indent=1, sort_keys=True)
            os.replace(tmp, self.path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    _warned = False

    def _warn(self) -> None:
        if not self._warned:
            self._warned = True
            warnings.warn(
                f"Self-check progress is kept for this session only: {self.problem or 'no progress file'}.",
                stacklevel=3,
            )

    def subscribe(self, fn: Callable[[str, dict], None]) -> None:
        self._listeners.append(fn)

    def unsubscribe(self, fn) -> None:
        if fn in self._listeners:
            self._listeners.remove(fn)


_STORE: ProgressStore | None = None


def store() -> ProgressStore:
    """The kernel's progress store (created on first use)."""
    global _STORE
    if _STORE is None:
        _STORE = ProgressStore.default()
    return _STORE


def set_store(s: ProgressStore | None) -> None:
    """Use another store (tests), or ``None`` to choose again on next use."""
    global _STORE
    _STORE = s
