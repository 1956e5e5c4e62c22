"""Every objective is assessed, and every assessed item names an objective (lessons/README.md)."""

from pathlib import Path

import pytest

from course.objectives import END, START, markdown_table, objective_map, readme_with_table

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def omap():
    return objective_map(ROOT / "lessons", ROOT / "assignments" / "source")


def test_every_item_names_exactly_one_objective(omap):
    assert not omap.orphans, [f"{i.name}: {why}" for i, why in omap.orphans]


def test_every_objective_is_assessed(omap):
    gaps = [f"{o.lesson}: {o.text}" for o in omap.unassessed()]
    assert not gaps, f"objectives with no self-check or problem-set question: {gaps}"


def test_readme_table_is_current(omap):
    readme = (ROOT / "lessons" / "README.md").read_text(encoding="utf-8")
    assert readme_with_table(readme, omap) == readme, "run `python -m course.objectives --write`"


def test_every_lesson_objective_has_a_row(omap):
    table = markdown_table(omap)
    lessons = {p.name[:2] for p in (ROOT / "lessons").glob("[0-9][0-9]_*.ipynb")}
    assert {o.lesson for o in omap.objectives} == lessons
    assert table.count("\n") == len(omap.objectives) + 1


def test_a_misnamed_objective_is_an_orphan(tmp_path):
    import shutil

    lessons = tmp_path / "lessons"
    shutil.copytree(ROOT / "lessons", lessons, ignore=shutil.ignore_patterns(".*"))
    bank = lessons / "questions" / "06.toml"
    text = bank.read_text(encoding="utf-8")
    bank.write_text(
        text.replace('objective = "classify a piece of evidence under"', 'objective = "juggle"', 1)
    )
    m = objective_map(lessons)
    assert any(i.objective == "juggle" for i, _ in m.orphans)
    readme = (ROOT / "lessons" / "README.md").read_text()
    assert START in readme and END in readme
