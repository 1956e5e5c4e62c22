"""Write environment.yml's ``pip:`` section: every package of the course's
runtime, pinned to the version installed in this environment (``make lock``).

The runtime is the closure of pyproject.toml's ``[project] dependencies``
(without extras), read from the installed packages' metadata and their
environment markers on this machine. pip, setuptools and wheel are left out,
as ``pip freeze`` does: they are the installer, not the course.

To move a pin: widen the bound in pyproject.toml if needed, install the new
version into .venv (``.venv/bin/pip install 'jupyterlab==4.7.0'``), run
``make lock``, then ``make test``. tests/test_environment.py fails while
environment.yml and what is installed disagree.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT = "helsinki-nea-course"
INSTALLER = {"pip", "setuptools", "wheel"}
REPO = Path(__file__).resolve().parent.parent


def runtime_closure(project: str = PROJECT) -> dict[str, str]:
    """{name: installed version} of every package the project needs at run time, here."""
    seen: dict[str, set[str]] = {}
    todo: list[tuple[str, frozenset[str]]] = [(project, frozenset())]
    while todo:
        name, extras = todo.pop()
        for line in metadata.distribution(name).requires or []:
            req = Requirement(line)
            if req.marker and not any(req.marker.evaluate({"extra": e}) for e in (extras or {""})):
                continue
            dep = canonicalize_name(req.name)
            if dep in seen and set(req.extras) <= seen[dep]:
                continue
            seen[dep] = seen.get(dep, set()) | set(req.extras)
            todo.append((dep, frozenset(seen[dep])))
    return {n: metadata.version(n) for n in sorted(seen) if n not in INSTALLER}


def pip_section(pins: dict[str, str], indent: str = "      ") -> str:
    return "".join(f"{indent}- {n}=={v}\n" for n, v in sorted(pins.items()))


def write(env_file: Path, pins: dict[str, str]) -> str:
    text = env_file.read_text(encoding="utf-8")
    m = re.search(r"^(\s*)-\s*pip\s*:\s*\n((?:\1\s+.*\n|\s*\n)*)", text, flags=re.M)
    if not m:
        raise SystemExit(f"error: {env_file} has no `- pip:` section")
    body = re.match(r"((?:\s*#.*\n)*)", m.group(2)).group(1)  # keep the comment lines that open it
    new = text[: m.start(2)] + body + pip_section(pins) + text[m.end(2) :]
    env_file.write_text(new, encoding="utf-8")
    return new


def main(argv: list[str]) -> int:
    env_file = Path(argv[1]) if len(argv) > 1 else REPO / "environment.yml"
    pins = runtime_closure()
    write(env_file, pins)
    print(f"wrote {len(pins)} pins into the pip: section of {env_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
