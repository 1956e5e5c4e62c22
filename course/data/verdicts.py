"""Remember which file contents were found valid, so a lesson does not pay for validation twice.

Validating with frictionless costs a second or more in a fresh kernel (its
import and its first descriptor), every lesson loads data, and the files
rarely change. So a verdict "valid" is stored under a hash of everything
the verdict depends on: the package descriptor, the table's file, the files
its foreign keys point into, and the validator's version (and frictionless's). A changed byte in
any of them gives a different key, so an edited file is always validated
again. Only "valid" is remembered; a broken file is validated (and raises)
every time.

The verdicts live in ``$XDG_CACHE_HOME/helsinki-nea-course/verdicts`` (or
``~/.cache/...``); ``COURSE_DATA_CACHE`` names another folder, or turns the
cache off with ``0`` or ``off``. A folder that cannot be written means no
cache, never an error. The cache only saves time: a verdict file found there
still goes through the typed loading, which raises on anything it cannot
read as the schema's type.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

__all__ = ["VALIDATOR_VERSION", "cache_dir", "verdict_key", "is_known_valid", "remember_valid"]

#: Bump when the validation rules change in a way the inputs do not show.
VALIDATOR_VERSION = "course.data/2"


@lru_cache(maxsize=1)
def _frictionless_version() -> str:
    """frictionless's installed version, read from its dist-info folder's name.

    Neither frictionless nor importlib.metadata is imported for it: both cost
    a lesson's kernel time it does not need to spend.
    """
    import importlib.util

    spec = importlib.util.find_spec("frictionless")
    if spec is None or not spec.origin:
        return "none"
    site = Path(spec.origin).resolve().parent.parent
    found = sorted(p.name for p in site.glob("frictionless-*.dist-info"))
    return found[-1].removeprefix("frictionless-").removesuffix(".dist-info") if found else "unknown"


def cache_dir() -> Path | None:
    """The folder for verdicts, or None when caching is off."""
    env = os.environ.get("COURSE_DATA_CACHE")
    if env is not None and env.strip().lower() in ("", "0", "off", "no", "false"):
        return None
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "helsinki-nea-course" / "verdicts"


def verdict_key(parts: list[tuple[str, bytes]]) -> str:
    """A hash of named byte strings (the descriptor, the file, its linked files)."""
    h = hashlib.sha256(f"{VALIDATOR_VERSION} frictionless/{_frictionless_version()}".encode())
    for name, content in parts:
        h.update(b"\0" + name.encode() + b"\0" + str(len(content)).encode() + b"\0")
        h.update(content)
    return h.hexdigest()


def is_known_valid(key: str) -> bool:
    folder = cache_dir()
    return folder is not None and (folder / key).is_file()


def remember_valid(key: str, label: str = "") -> None:
    """Record that ``key`` was validated; silently nothing if the folder cannot be written."""
    folder = cache_dir()
    if folder is None:
        return
    import tempfile

    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f"valid {label}\n")
        os.replace(tmp, folder / key)
    except OSError:
        pass
