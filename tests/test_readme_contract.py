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
    line = next(ln for ln in out.splitlines() if "jupyter lab" in ln)
    assert "--ServerApp.ip=127.0.0.1" in line
    assert "default_url=/lab/tree/lessons/00_start_here.ipynb" in line
    assert (REPO / "lessons" / "00_start_here.ipynb").is_file()


def test_make_test_runs_pytest_in_the_venv():
    out = subprocess.run(["make", "-n", "test"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert re.search(r"\.venv/bin/python -m pytest", out)


# -- the repository: named once, in pyproject.toml -------------------------
import shutil  # noqa: E402
import sys  # noqa: E402
import tomllib  # noqa: E402
from urllib.parse import parse_qs, urlsplit  # noqa: E402

sys.path.insert(0, str(REPO / "tools"))
from set_repository import parts, repository, set_repository  # noqa: E402

DOCS = {name: (REPO / name).read_text(encoding="utf-8") for name in ("README.md", "assignments/README.md")}
NBGITPULLER = re.compile(r"https://HUB/hub/user-redirect/git-pull\?[^\s`)]+")


def _check_links(root: Path) -> str:
    """Every repository link in the documents is made from pyproject.toml's Repository; returns it."""
    url = repository(root)
    owner, name = parts(url)
    readme = (root / "README.md").read_text(encoding="utf-8")
    badges = re.findall(r"\(https://mybinder\.org/v2/gh/([^/\s]+)/([^/\s]+)/HEAD\?", readme)
    assert badges == [(owner, name)], f"the Binder badge points at {badges}, pyproject.toml at {url}"
    for doc in ("README.md", "assignments/README.md"):
        text = (root / doc).read_text(encoding="utf-8")
        links = NBGITPULLER.findall(text)
        assert links, f"{doc} shows no nbgitpuller link"
        for link in links:
            q = parse_qs(urlsplit(link).query)
            assert q["repo"] == [url], f"{doc}: nbgitpuller repo={q['repo']}, pyproject.toml: {url}"
            assert q["urlpath"] == [f"lab/tree/{name}/lessons/00_start_here.ipynb?autodecode"], q["urlpath"]
        for other in re.findall(r"github\.com/([A-Za-z0-9-]+/[A-Za-z0-9._-]+)", text.replace("%2F", "/")):
            if other != "ACCOUNT/NAME":  # the example in how to set it
                assert other == f"{owner}/{name}", f"{doc} names a repository {other!r} other than {url}"
    return url


def test_project_urls_name_the_repository():
    urls = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]
    assert parts(urls["Repository"])


def test_badge_and_nbgitpuller_links_match_the_repository_in_pyproject():
    _check_links(REPO)
    assert "helsinki-nea/helsinki-nea-course" not in "".join(DOCS.values())


def test_set_repository_rewrites_pyproject_and_every_link_together(tmp_path):
    for name in ("pyproject.toml", "README.md", "assignments/README.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / name, tmp_path / name)
    old = repository(REPO)
    changed = set_repository("https://github.com/a-fork/nea-course", tmp_path)
    assert len(changed) == 3
    assert _check_links(tmp_path) == "https://github.com/a-fork/nea-course"
    assert "YOUR-ACCOUNT" not in "".join(
        (tmp_path / n).read_text() for n in ("README.md", "assignments/README.md")
    )
    set_repository(old, tmp_path)
    for name in ("pyproject.toml", "README.md", "assignments/README.md"):
        assert (tmp_path / name).read_text() == (REPO / name).read_text(), name


# -- JupyterLab 4's UI, as the READMEs name it (tests/browser checks each path) --
MENU_PATH = re.compile(r"\*([A-Z][A-Za-z]+) → ([^*]+)\*")


def readme_menu_paths() -> list[tuple[str, str]]:
    """Every *Menu → Item* the READMEs tell a reader to click."""
    return sorted(
        {(m.group(1), " ".join(m.group(2).split())) for t in DOCS.values() for m in MENU_PATH.finditer(t)}
    )


def test_readmes_name_jupyterlab_4_menus_not_the_classic_assignments_tab():
    paths = readme_menu_paths()
    assert ("Nbgrader", "Assignment List") in paths and ("Nbgrader", "Formgrader") in paths
    for text in DOCS.values():
        assert "Assignments* tab" not in text and "Assignments tab" not in text
