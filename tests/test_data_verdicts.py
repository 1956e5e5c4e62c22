"""Validation runs once per file content: the verdict is cached by a hash, a lesson whose
files were validated before never imports frictionless, and any edit is validated again."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# In a fresh process: load the table, then report whether frictionless was imported.
PROBE = """
import json, sys
from course.data import DatasetError, load
try:
    rows = len(load(sys.argv[1]))
    outcome = {"rows": rows}
except DatasetError as e:
    outcome = {"error": [[p.row, p.column, p.rule] for p in e.problems]}
outcome["frictionless"] = "frictionless" in sys.modules
print(json.dumps(outcome))
"""


@pytest.fixture
def env(tmp_path):
    """A copy of the datasets and an empty cache folder, for fresh processes."""
    data = tmp_path / "datasets"
    shutil.copytree(REPO / "datasets", data)
    e = {k: v for k, v in os.environ.items() if k not in ("COURSE_DATA_CACHE", "XDG_CACHE_HOME")}
    e.update(COURSE_DATASETS=str(data), XDG_CACHE_HOME=str(tmp_path / "cache"))
    return e


def probe(env, name):
    out = subprocess.run(
        [sys.executable, "-c", PROBE, name], env=env, capture_output=True, text=True, check=True, cwd=REPO
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def edit(path: Path, row: int, column: str, value: str):
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    rows[row][rows[0].index(column)] = value
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


def test_a_cached_valid_file_loads_without_importing_frictionless(env):
    first = probe(env, "events")
    assert first["frictionless"] is True and first["rows"] > 60  # not seen before: validated
    second = probe(env, "events")
    assert second == {"rows": first["rows"], "frictionless": False}  # verdict cached: not imported
    assert list((Path(env["XDG_CACHE_HOME"]) / "helsinki-nea-course" / "verdicts").iterdir())


def test_a_file_edited_after_caching_is_validated_again_and_raises(env):
    assert probe(env, "decalogue")["frictionless"] is True
    assert probe(env, "decalogue")["frictionless"] is False
    edit(Path(env["COURSE_DATASETS"]) / "decalogue.csv", 3, "verified", "false")
    again = probe(env, "decalogue")
    assert again["frictionless"] is True
    assert again["error"] == [[3, "verified", "must-be-true"]]
    # and a broken file is never remembered as valid
    assert probe(env, "decalogue")["error"] == [[3, "verified", "must-be-true"]]


def test_an_edit_to_a_linked_table_revalidates_the_foreign_keys(env):
    assert "rows" in probe(env, "storehouse_documents")
    data = Path(env["COURSE_DATASETS"])
    with (data / "storehouse_documents.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    target = rows[1][rows[0].index("event_id")]
    with (data / "events.csv").open(newline="", encoding="utf-8") as fh:
        events = list(csv.reader(fh))
    i = next(i for i, r in enumerate(events) if r[0] == target)
    edit(data / "events.csv", i, "id", target + "-renamed")
    got = probe(env, "storehouse_documents")
    assert got["frictionless"] is True and [1, "event_id", "foreign key"] in got["error"]


def test_a_schema_change_revalidates(env):
    assert probe(env, "eras")["frictionless"] is True
    path = Path(env["COURSE_DATASETS"]) / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    eras = next(r for r in package["resources"] if r["name"] == "eras")
    label = next(f for f in eras["schema"]["fields"] if f["name"] == "label")
    label.setdefault("constraints", {})["maxLength"] = 3
    path.write_text(json.dumps(package, indent=2), encoding="utf-8")
    got = probe(env, "eras")
    assert got["frictionless"] is True and got["error"][0][1:] == ["label", "maxLength"]


@pytest.mark.parametrize("setting", ["unwritable", "off"])
def test_without_a_usable_cache_every_load_validates(env, tmp_path, setting):
    if setting == "unwritable":
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("a file where the cache folder would go")
        env["XDG_CACHE_HOME"] = str(blocker)
    else:
        env["COURSE_DATA_CACHE"] = "off"
    for _ in range(2):
        got = probe(env, "eras")
        assert got["frictionless"] is True and got["rows"] > 0
