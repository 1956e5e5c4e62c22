"""Print pip constraints (``name==version``) for the packages environment.yml pins.

``make`` installs the course with these constraints, so the packages that
``make test`` tests are exactly the ones Binder gets from environment.yml.
Standard library only: it runs before anything is installed.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

SKIP = {"python", "pip"}
PIN = re.compile(r"^\s*-\s*([A-Za-z0-9_.\-]+)\s*=\s*([0-9][A-Za-z0-9_.]*)\s*$")


def conda_pins(text: str) -> dict[str, str]:
    """Return {package: version} for every ``- name=version`` line of the conda section."""
    pins: dict[str, str] = {}
    for line in text.splitlines():
        if line.strip().startswith("- pip:"):
            break
        m = PIN.match(line)
        if m and m.group(1).lower() not in SKIP:
            pins[m.group(1).lower()] = m.group(2)
    return pins


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent / "environment.yml"
    pins = conda_pins(path.read_text(encoding="utf-8"))
    if not pins:
        print(f"error: no pinned packages found in {path}", file=sys.stderr)
        return 1
    for name, version in sorted(pins.items()):
        print(f"{name}=={version}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
