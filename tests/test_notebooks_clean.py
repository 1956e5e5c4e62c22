"""Notebooks are committed without outputs or execution counts, and parse."""

from __future__ import annotations

import subprocess
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent


def _notebooks() -> list[Path]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "*.ipynb"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout
        tracked = {REPO / p for p in out.split()}
    except (OSError, subprocess.CalledProcessError):
        tracked = set()
    on_disk = {
        p
        for d in ("lessons", "assignments/source", "widgets/examples")
        for p in (REPO / d).rglob("*.ipynb")
        if ".ipynb_checkpoints" not in p.parts
    }
    return sorted(tracked | on_disk)


NOTEBOOKS = _notebooks()


def test_there_are_notebooks_to_check():
    assert NOTEBOOKS, "no notebooks found"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO)))
def test_notebook_has_no_outputs_or_execution_counts(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)
    ]
    assert not dirty, (
        f"{path.name}: cells {dirty} carry outputs or execution counts; clear them before committing"
    )
