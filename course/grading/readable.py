"""What a jail may read: the system, Python, the course's code and data. Never the course directory."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .settings import GradingSettings

SYSTEM_PATHS = ("/usr", "/bin", "/lib", "/lib32", "/lib64", "/libx32", "/sbin", "/etc")


def existing(paths) -> list[str]:
    return [p for p in paths if os.path.lexists(p)]


def python_paths() -> list[str]:
    """Python itself: the base installation and the virtual environment."""
    out = [os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix)]
    exe = os.path.realpath(sys.executable)
    if not any(exe.startswith(p + os.sep) for p in out):
        out.append(os.path.dirname(exe))
    return out


def package_paths(names=("course", "widgets")) -> list[str]:
    """Source folders of the course's own packages (an editable install points into the repository)."""
    out = []
    for name in names:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            out.extend(os.path.realpath(p) for p in spec.submodule_search_locations)
    return out


def datasets_path() -> str | None:
    """The datasets folder, found as :func:`course.data.datasets_dir` does (without importing pandas)."""
    env = os.environ.get("COURSE_DATASETS")
    candidate = Path(env) if env else Path(__file__).resolve().parents[2] / "datasets"
    return str(candidate.resolve()) if (candidate / "datapackage.json").is_file() else None


def readable_paths(settings: GradingSettings, course_root: Path) -> list[str]:
    """Everything a jail may read, parents before children. Never the course directory."""
    from .isolation import IsolationError

    paths = existing(SYSTEM_PATHS) + python_paths() + package_paths() + list(settings.extra_ro_paths)
    data = datasets_path()
    if data:
        paths.append(data)
    root = os.path.realpath(course_root)
    clean = []
    for p in dict.fromkeys(paths):
        real = os.path.realpath(p) if not os.path.islink(p) else p
        if root == real or root.startswith(real.rstrip("/") + "/"):
            raise IsolationError(f"the jail may not read {p}: it contains the course directory {root}")
        clean.append(p)
    return sorted(clean, key=lambda p: (p.count("/"), p))
