"""Print pip constraints (``name==version``) from environment.yml's ``pip:`` section.

environment.yml is the one file that pins the Python packages: its conda part
holds only ``python`` and ``pip``, and its ``pip:`` section pins every package
of the course's runtime (written by ``make lock``, tools/lock.py). Binder and
conda install that section with pip; ``make`` installs the course with these
constraints, so the packages that ``make test`` tests are exactly the ones
Binder gets, from the same index (PyPI).

Standard library only: it runs before anything is installed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PIP_SECTION = re.compile(r"^(\s*)-\s*pip\s*:\s*$")
PIN = re.compile(r"^\s*-\s*([A-Za-z0-9][A-Za-z0-9_.\-]*)\s*==\s*([0-9][A-Za-z0-9_.+!\-]*)\s*(#.*)?$")
ITEM = re.compile(r"^\s*-\s*(\S.*?)\s*(#.*)?$")


def pip_pins(text: str) -> dict[str, str]:
    """Return {package: version} for every ``- name==version`` line of the ``pip:`` section.

    Raises ValueError for an entry of that section that is not such a pin,
    so that nothing there goes unchecked.
    """
    pins: dict[str, str] = {}
    indent = None
    for n, line in enumerate(text.splitlines(), 1):
        if indent is None:
            m = PIP_SECTION.match(line)
            if m:
                indent = len(m.group(1))
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if len(line) - len(line.lstrip()) <= indent:
            break  # the section ended
        m = PIN.match(line)
        if not m:
            raise ValueError(f"environment.yml line {n}: {line.strip()!r} is not a `- name==version` pin")
        pins[m.group(1).lower()] = m.group(2)
    return pins


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent / "environment.yml"
    try:
        pins = pip_pins(path.read_text(encoding="utf-8"))
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if not pins:
        print(f"error: no pinned packages found in the pip: section of {path}", file=sys.stderr)
        return 1
    for name, version in sorted(pins.items()):
        print(f"{name}=={version}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
