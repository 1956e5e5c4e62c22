"""Where the lessons, their question banks and the open notebook are.

In JupyterLab the kernel knows its notebook: jupyter_server sets
``JPY_SESSION_NAME`` to the notebook's path, and IPython exposes it as
``__session__``. Elsewhere (nbmake, plain Python) the current folder and the
repository's ``lessons/`` are used.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_LESSONS = Path(__file__).resolve().parents[2] / "lessons"
BANK_DIR = "questions"


def notebook_path() -> Path | None:
    """The open notebook's file, if the kernel can tell."""
    candidates = [os.environ.get("COURSE_NOTEBOOK"), os.environ.get("JPY_SESSION_NAME")]
    try:
        from IPython import get_ipython

        ip = get_ipython()
        if ip is not None:
            candidates.append(ip.user_ns.get("__session__"))
    except ImportError:  # pragma: no cover
        pass
    for c in candidates:
        if c and str(c).endswith(".ipynb"):
            p = Path(c)
            if not p.is_absolute():
                p = Path.cwd() / p
            if p.is_file():
                return p
    return None


def lessons_dir() -> Path | None:
    """The folder of lessons whose banks are used: the notebook's, the current one, or the repository's."""
    if os.environ.get("COURSE_LESSONS_DIR"):
        return Path(os.environ["COURSE_LESSONS_DIR"])
    nb = notebook_path()
    for d in ([nb.parent] if nb else []) + [Path.cwd()]:
        if (d / BANK_DIR).is_dir():
            return d
    if (REPO_LESSONS / BANK_DIR).is_dir():
        return REPO_LESSONS
    try:  # an installed wheel: the lessons it carries
        from course.resources import lessons_dir as installed

        d = installed()
    except Exception:  # noqa: BLE001 - no installed lessons either: say so below
        return None
    return d if (d / BANK_DIR).is_dir() else None


def current_lesson() -> str | None:
    """The two-digit number of the open lesson ("05"), from the notebook's name."""
    nb = notebook_path()
    if nb and nb.name[:2].isdigit():
        return nb.name[:2]
    return None
