"""Point the course at its repository: ``python tools/set_repository.py https://github.com/ACCOUNT/NAME``.

pyproject.toml's ``[project.urls] Repository`` is the one place that names the
repository. The links made from it (the Binder badge in README.md, the
nbgitpuller links in README.md and assignments/README.md) are rewritten with
it, and tests/test_readme_contract.py fails while they disagree. Run it in a
fork or a copy, then commit the three files. Standard library only.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parent.parent
GITHUB = re.compile(r"^https://github\.com/([A-Za-z0-9][A-Za-z0-9-]*)/([A-Za-z0-9._-]+?)(?:\.git)?/?$")
DOCS = ("README.md", "assignments/README.md")


def repository(root: Path = REPO) -> str:
    return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"][
        "Repository"
    ]


def parts(url: str) -> tuple[str, str]:
    m = GITHUB.match(url)
    if not m:
        raise ValueError(
            f"{url!r} is not a GitHub repository URL (https://github.com/ACCOUNT/NAME); "
            f"Binder's badge here is made for GitHub"
        )
    return m.group(1), m.group(2)


def derived(url: str) -> dict[str, str]:
    """The strings the documents hold that are made from the repository URL."""
    owner, name = parts(url)
    return {
        "url": url,
        "binder": f"mybinder.org/v2/gh/{owner}/{name}/",
        "quoted": quote(url, safe=""),
        "folder": f"urlpath=lab%2Ftree%2F{name}%2F",
    }


def set_repository(new: str, root: Path = REPO) -> list[Path]:
    old = repository(root)
    before, after = derived(old), derived(new)
    changed = []
    py = root / "pyproject.toml"
    text = py.read_text(encoding="utf-8")
    text2 = re.sub(r'(?m)^(Repository\s*=\s*)"[^"]*"', lambda m: f'{m.group(1)}"{new}"', text, count=1)
    for path in [py] + [root / d for d in DOCS]:
        t = text2 if path == py else path.read_text(encoding="utf-8")
        orig = text if path == py else t
        for key in ("binder", "quoted", "folder", "url"):
            t = t.replace(before[key], after[key])
        if t != orig:
            path.write_text(t, encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    try:
        changed = set_repository(argv[1])
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print("updated " + (", ".join(str(p.relative_to(REPO)) for p in changed) or "nothing (already set)"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
