"""`course lessons --dest DIR`: copies the lessons and the widget examples, and
never overwrites a notebook the student changed; --update brings in only the
lessons that changed in the course and that the student left as copied."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from course import cli, lessons_copy
from course.lessons_copy import MANIFEST, copy_lessons, fingerprint

REPO = Path(__file__).resolve().parent.parent
LESSONS = sorted((REPO / "lessons").glob("[0-9][0-9]_*.ipynb"))
EXAMPLES = sorted((REPO / "widgets" / "examples").glob("*.ipynb"))
BANKS = sorted((REPO / "lessons" / "questions").glob("*.toml"))


@pytest.fixture
def upstream(tmp_path, monkeypatch):
    """A copy of the course's lessons and examples that a test can change, as a new release would."""
    lessons, examples = tmp_path / "up" / "lessons", tmp_path / "up" / "examples"
    lessons.mkdir(parents=True)
    examples.mkdir()
    for p in LESSONS:
        shutil.copy(p, lessons)
    for p in EXAMPLES:
        shutil.copy(p, examples)
    monkeypatch.setattr(lessons_copy, "lessons_dir", lambda: lessons)
    monkeypatch.setattr(lessons_copy, "examples_dir", lambda: examples)
    return lessons, examples


def _edit(path: Path, text: str) -> None:
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].source += text
    nbformat.write(nb, path)


def test_copies_every_lesson_and_example_from_the_installed_course(tmp_path):
    dest = tmp_path / "student" / "course"  # created if missing
    report = copy_lessons(dest)
    expected = (
        [p.name for p in LESSONS]
        + [f"questions/{p.name}" for p in BANKS]
        + [f"examples/{p.name}" for p in EXAMPLES]
    )
    assert report.copied == expected and len(LESSONS) == len(BANKS) >= 9 and len(EXAMPLES) == 2
    for p in BANKS:  # the ask(...) cells read these beside the lessons
        assert (dest / "questions" / p.name).read_bytes() == p.read_bytes()
    for p in LESSONS:
        assert (dest / p.name).read_bytes() == p.read_bytes()
    for p in EXAMPLES:
        assert (dest / "examples" / p.name).read_bytes() == p.read_bytes()
    files = json.loads((dest / MANIFEST).read_text())["files"]
    assert sorted(files) == sorted(expected)
    assert files[LESSONS[0].name]["fingerprint"] == fingerprint(LESSONS[0].read_bytes())


def test_second_run_changes_nothing(tmp_path):
    copy_lessons(tmp_path)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*.ipynb")}
    report = copy_lessons(tmp_path, update=True)
    assert report.copied == report.updated == report.kept == []
    assert len(report.unchanged) == len(LESSONS) + len(BANKS) + len(EXAMPLES)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.ipynb")} == before


def test_an_edited_lesson_is_never_overwritten(upstream, tmp_path):
    lessons, _ = upstream
    dest = tmp_path / "student"
    copy_lessons(dest)
    mine = dest / "04_korea_1972_1994.ipynb"
    _edit(mine, "\nMy answer: the 1972 communiqué.")
    my_bytes = mine.read_bytes()
    _edit(lessons / "04_korea_1972_1994.ipynb", "\nA correction from the course.")
    for update in (False, True):
        report = copy_lessons(dest, update=update)
        assert mine.read_bytes() == my_bytes
        (why,) = [w for n, w in report.kept if n == mine.name]
        assert "you edited or ran it" in why and "changed too" in why
    # the way to the new version: rename yours, run again
    mine.rename(dest / "04_mine.ipynb")
    assert copy_lessons(dest).copied == [mine.name]
    assert mine.read_bytes() == (lessons / mine.name).read_bytes()
    assert (dest / "04_mine.ipynb").read_bytes() == my_bytes


def test_update_brings_in_only_unedited_lessons_that_changed(upstream, tmp_path, capsys):
    lessons, examples = upstream
    copy_lessons(tmp_path)
    _edit(lessons / "02_helsinki_final_act.ipynb", "\nNew in this release.")
    _edit(examples / "timeline_demo.ipynb", "\nNew example text.")
    _edit(lessons / "03_how_helsinki_mattered.ipynb", "\nAlso new.")
    _edit(tmp_path / "03_how_helsinki_mattered.ipynb", "\nStudent's note.")
    student_03 = (tmp_path / "03_how_helsinki_mattered.ipynb").read_bytes()
    old_02 = (tmp_path / "02_helsinki_final_act.ipynb").read_bytes()

    report = copy_lessons(tmp_path)  # without --update: nothing replaced, the change announced
    assert report.updatable == ["02_helsinki_final_act.ipynb", "examples/timeline_demo.ipynb"]
    assert (tmp_path / "02_helsinki_final_act.ipynb").read_bytes() == old_02

    assert cli.main(["lessons", "--dest", str(tmp_path), "--update"]) == 0
    out = capsys.readouterr().out
    assert "updated  02_helsinki_final_act.ipynb" in out and "updated  examples/timeline_demo.ipynb" in out
    assert "kept     03_how_helsinki_mattered.ipynb: you edited or ran it" in out
    assert "Summary: 0 copied, 2 updated, 1 kept" in out
    assert (tmp_path / "02_helsinki_final_act.ipynb").read_bytes() == (
        lessons / "02_helsinki_final_act.ipynb"
    ).read_bytes()
    assert (tmp_path / "03_how_helsinki_mattered.ipynb").read_bytes() == student_03
    files = json.loads((tmp_path / MANIFEST).read_text())["files"]
    assert files["02_helsinki_final_act.ipynb"]["fingerprint"] == fingerprint(
        (lessons / "02_helsinki_final_act.ipynb").read_bytes()
    )


def test_a_resave_without_changes_is_not_an_edit_but_outputs_are(upstream, tmp_path):
    lessons, _ = upstream
    copy_lessons(tmp_path)
    saved = tmp_path / "06_six_obstacles.ipynb"
    nb = json.loads(saved.read_text())
    nb["metadata"]["widgets"] = {"state": {}}  # what JupyterLab adds on save; the JSON layout changes too
    saved.write_text(json.dumps(nb, indent=2, sort_keys=True))
    ran = tmp_path / "07_small_steps_grit.ipynb"
    nb = nbformat.read(ran, as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("stream", text="my run\n")]
    nbformat.write(nb, ran)
    ran_bytes = ran.read_bytes()
    for name in (saved.name, ran.name):
        _edit(lessons / name, "\nNew.")
    report = copy_lessons(tmp_path, update=True)
    assert report.updated == [saved.name]
    assert [n for n, _ in report.kept] == [ran.name]
    assert ran.read_bytes() == ran_bytes


def test_files_it_did_not_copy_are_kept_even_with_update(upstream, tmp_path):
    (tmp_path / "00_start_here.ipynb").write_text("my own notebook with the same name")
    (tmp_path / MANIFEST).write_text("{ not json")  # a broken record counts as no record
    report = copy_lessons(tmp_path, update=True)
    assert (tmp_path / "00_start_here.ipynb").read_text() == "my own notebook with the same name"
    assert (
        "00_start_here.ipynb",
        f"not copied by `course lessons` (no record in {MANIFEST}); kept",
    ) in report.kept
    assert len(report.copied) == len(LESSONS) - 1 + len(EXAMPLES)  # all but the one it kept


def test_a_symlink_is_left_alone_and_its_target_untouched(upstream, tmp_path):
    lessons, _ = upstream
    dest, outside = tmp_path / "student", tmp_path / "outside.txt"
    copy_lessons(dest)
    outside.write_text("not a lesson")
    (dest / "01_detente_road_to_helsinki.ipynb").unlink()
    (dest / "01_detente_road_to_helsinki.ipynb").symlink_to(outside)
    _edit(lessons / "01_detente_road_to_helsinki.ipynb", "\nNew.")
    report = copy_lessons(dest, update=True)
    assert outside.read_text() == "not a lesson"
    assert ("01_detente_road_to_helsinki.ipynb", "a symbolic link; left alone") in report.kept


def test_a_deleted_lesson_is_copied_again(tmp_path):
    copy_lessons(tmp_path)
    (tmp_path / "09_toward_an_osc_for_northeast_asia.ipynb").unlink()
    assert copy_lessons(tmp_path).copied == ["09_toward_an_osc_for_northeast_asia.ipynb"]


def test_a_destination_that_is_a_file_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "f").write_text("x")
    assert cli.main(["lessons", "--dest", str(tmp_path / "f")]) == 2
    assert "exists and is not a folder" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(["lessons"])  # --dest is required
