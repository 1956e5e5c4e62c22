"""The README's promises: the two commands come first, `make lab` opens the
first lesson on loopback, and the Binder badge opens that same lesson."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_shows_the_two_commands_first():
    first_block = re.search(r"```bash\n(.*?)```", README, flags=re.S).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.splitlines() if line.strip()]
    assert commands == ["make lab", "make test"]
    assert README.index("make lab") < README.index("## ")


def test_readme_has_a_section_for_each_audience():
    for heading in ("## For students", "## For instructors", "## For self-learners"):
        assert heading in README


def test_binder_badge_opens_the_first_lesson():
    m = re.search(r"\(https://mybinder\.org/v2/gh/[^)\s]+\?urlpath=lab/tree/([^)\s]+)\)", README)
    assert m, "no Binder badge link with urlpath=lab/tree/..."
    assert m.group(1) == "lessons/00_start_here.ipynb"
    assert (REPO / m.group(1)).is_file()


def test_make_lab_listens_on_loopback_and_opens_the_first_lesson():
    out = subprocess.run(["make", "-n", "lab"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    line = next(l for l in out.splitlines() if "jupyter lab" in l)
    assert "--ServerApp.ip=127.0.0.1" in line
    assert "default_url=/lab/tree/lessons/00_start_here.ipynb" in line
    assert (REPO / "lessons" / "00_start_here.ipynb").is_file()


def test_make_test_runs_pytest_in_the_venv():
    out = subprocess.run(["make", "-n", "test"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert re.search(r"\.venv/bin/python -m pytest", out)
