"""The datasets load, validate and say what the course claims they say;
broken copies of each file fail with an error that names file, row, column and rule."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from course import data
from course.data import DatasetError

REPO = Path(__file__).resolve().parent.parent
DATASETS = REPO / "datasets"
PACKAGE = json.loads((DATASETS / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = {r["name"]: r for r in PACKAGE["resources"]}


# ---------------------------------------------------------------- real data
@pytest.mark.parametrize("name", list(RESOURCES))
def test_every_dataset_loads_and_validates(name):
    df = data.load(name)
    assert len(df) > 0
    assert list(df.columns) == [f["name"] for f in RESOURCES[name]["schema"]["fields"]]


@pytest.mark.parametrize("name", list(RESOURCES))
def test_columns_are_typed_from_the_schema(name):
    df = data.load(name)
    for field in RESOURCES[name]["schema"]["fields"]:
        col = df[field["name"]]
        t = field.get("type", "string")
        if t == "date":
            assert pd.api.types.is_datetime64_any_dtype(col), field["name"]
        elif t == "integer":
            assert pd.api.types.is_integer_dtype(col), field["name"]
        elif t == "boolean":
            assert pd.api.types.is_bool_dtype(col), field["name"]
        else:
            assert pd.api.types.is_string_dtype(col), field["name"]


@pytest.mark.parametrize("name", list(RESOURCES))
def test_every_row_is_sourced_and_verified(name):
    df = data.load(name)
    url_cols = [f["name"] for f in RESOURCES[name]["schema"]["fields"] if f.get("format") == "uri"]
    assert "source_url" in url_cols
    for c in url_cols:
        assert df[c].str.match(r"https?://\S+$").all(), c
    assert df["verified"].all()


def test_loaders_return_fresh_copies():
    a = data.load_events()
    a.loc[0, "title"] = "changed"
    assert data.load_events().loc[0, "title"] != "changed"


def test_events_cover_1963_to_2021_on_all_tracks():
    ev = data.load_events()
    assert len(ev) >= 60
    assert ev["date"].dt.year.min() == 1963
    assert ev["date"].dt.year.max() == 2021
    tracks = {f["name"]: f for f in RESOURCES["events"]["schema"]["fields"]}["track"]["constraints"]["enum"]
    assert set(ev["track"]) == set(tracks)
    assert ev["date"].is_monotonic_increasing
    # the facts the fact check insists on
    by_id = ev.set_index("id")
    assert by_id.loc["helsinki-final-act", "date"] == pd.Timestamp("1975-08-01")
    assert by_id.loc["panmunjom-declaration-2018", "date"] == pd.Timestamp("2018-04-27")
    assert by_id.loc["inter-korean-basic-agreement", "date"] == pd.Timestamp("1991-12-13")


def test_participants_are_the_35_and_the_two_absent():
    p = data.load_participants()
    part = p[p.status == "participant"]
    assert len(part) == 35
    # Andorra was not then a sovereign state able to take part, so Albania is the only European state absent
    assert set(p[p.status == "absent"].name) == {"Albania"}
    assert (part.signed_final_act == pd.Timestamp("1975-08-01")).all()
    groups = part.group.value_counts()
    assert groups["nato"] == 15 and groups["warsaw-pact"] == 7
    assert {"United States of America", "Canada", "Holy See"} <= set(part.name)


def test_decalogue_has_the_official_short_titles_in_order():
    d = data.load_decalogue()
    assert list(d.number) == list(range(1, 11))
    assert list(d.roman) == ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
    titles = list(d.short_title)
    assert titles[2] == "Inviolability of frontiers"
    assert titles[6].startswith("Respect for human rights and fundamental freedoms")
    assert titles[9] == "Fulfilment in good faith of obligations under international law"


def test_chapters_include_mediterranean_and_follow_up():
    c = data.load_chapters()
    top = c[c.parent.isna()]
    assert set(top.basket) == {"I", "II", "III", "mediterranean", "follow-up"}
    # the Final Act's order: security, economics, Mediterranean, humanitarian, follow-up
    assert list(top.basket) == ["I", "II", "mediterranean", "III", "follow-up"]
    # sections inherit their chapter's basket
    parents = c.set_index("id").basket
    for _, row in c[c.parent.notna()].iterrows():
        assert row.basket == parents[row.parent]


def test_six_obstacles_each_with_both_conditions_sourced():
    o = data.load_obstacles()
    assert list(o.id) == [1, 2, 3, 4, 5, 6]
    for col in ("europe_1975", "korea_2014", "europe_source_url", "korea_source_url"):
        assert o[col].str.len().min() > 10, col


def test_storehouse_includes_the_documents_the_essay_leaves_out():
    s = data.load_storehouse()
    assert s.in_essay.sum() == 5
    left_out = s[~s.in_essay]
    assert set(left_out.adopted.dt.year) == {2005, 2007}
    assert left_out.signed.isna().all()  # adopted and released jointly, not signed
    assert (s.adopted.notna()).all()
    basic = s[s.event_id == "inter-korean-basic-agreement"].iloc[0]
    assert basic.signed == pd.Timestamp("1991-12-13")
    assert basic.in_force == pd.Timestamp("1992-02-19")


def test_family_registry_adds_up_and_crosses_over_in_2016():
    r = data.load_family_registry()
    full = r.dropna(subset=["registered_total", "deceased", "alive"])
    assert (full.registered_total == full.deceased + full.alive).all()
    crossed = full[full.deceased > full.alive]
    assert crossed.as_of.min().year == 2016


def test_reunion_rounds_last_face_to_face_is_2018():
    rr = data.load_reunion_rounds()
    f2f = rr[rr.kind == "face-to-face"]
    assert f2f["round"].max() == 21
    assert f2f.loc[f2f["round"].idxmax(), "start_date"] == pd.Timestamp("2018-08-20")


def test_validate_all_and_cli_report_success(capsys):
    assert all(p == [] for p in data.validate_all().values())
    assert data.main([]) == 0
    out = capsys.readouterr().out
    assert f"{len(RESOURCES)} of {len(RESOURCES)} datasets valid" in out


# ------------------------------------------------------------ broken copies
@pytest.fixture
def copy_datasets(tmp_path):
    dst = tmp_path / "datasets"
    shutil.copytree(DATASETS, dst)
    return dst


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


def _fields(name):
    return RESOURCES[name]["schema"]["fields"]


def _pk(name):
    pk = RESOURCES[name]["schema"]["primaryKey"]
    return pk[0] if isinstance(pk, list) else pk


def _breakages():
    """(name, kind) pairs: every breakage that applies to each file, from its schema."""
    cases = []
    for name, res in RESOURCES.items():
        fields = res["schema"]["fields"]
        if any(f["type"] == "date" for f in fields):
            cases.append((name, "bad date"))
        if any("enum" in f.get("constraints", {}) for f in fields):
            cases.append((name, "unknown enum value"))
        cases.append((name, "duplicate id"))
        cases.append((name, "missing source"))
        if any(r["rule"] == "not-before" for r in res["schema"].get("x-rules", [])):
            cases.append((name, "end before start"))
    return cases


def _break(name: str, kind: str, folder: Path):
    """Break row 2 of the file; return (expected column, expected rule)."""
    path = folder / RESOURCES[name]["path"]
    rows = _rows(path)
    header, row = rows[0], rows[2]  # data row 2
    col = header.index
    if kind == "bad date":
        f = next(f for f in _fields(name) if f["type"] == "date")
        row[col(f["name"])] = "1975-02-30"
        expected = (f["name"], "type date")
    elif kind == "unknown enum value":
        f = next(f for f in _fields(name) if "enum" in f.get("constraints", {}))
        row[col(f["name"])] = "no-such-value"
        expected = (f["name"], "enum")
    elif kind == "duplicate id":
        pk = _pk(name)
        row[col(pk)] = rows[1][col(pk)]
        expected = (pk, None)  # 'unique' or 'primary key'
    elif kind == "missing source":
        row[col("source_url")] = ""
        expected = ("source_url", "required")
    elif kind == "end before start":
        rule = next(r for r in RESOURCES[name]["schema"]["x-rules"] if r["rule"] == "not-before")
        start = row[col(rule["other"])] or "2000-06-15"
        row[col(rule["other"])] = start
        y, m, d = start.split("-")
        row[col(rule["field"])] = f"{int(y) - 1:04d}-{m}-{d}"
        expected = (rule["field"], "not-before")
    else:  # pragma: no cover
        raise AssertionError(kind)
    rows[2] = row
    _write(path, rows)
    return expected


@pytest.mark.parametrize("name,kind", _breakages(), ids=lambda v: str(v).replace(" ", "-"))
def test_broken_copy_raises_dataset_error_naming_the_problem(copy_datasets, name, kind):
    column, rule = _break(name, kind, copy_datasets)
    with pytest.raises(DatasetError) as exc:
        data.load(name, copy_datasets)
    err = exc.value
    fname = RESOURCES[name]["path"]
    hits = [p for p in err.problems if p.column == column and p.row == 2]
    assert hits, f"no problem reported for {column} in row 2: {err}"
    if rule:
        assert any(p.rule == rule for p in hits), [p.rule for p in hits]
    # the message names file, row and column
    text = str(err)
    assert fname in text and "row 2" in text and f"'{column}'" in text
    # the original data is untouched
    data.load(name)


def test_unquoted_comma_is_a_row_length_error_not_a_pandas_traceback(copy_datasets):
    path = copy_datasets / "events.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    # a row whose cells hold no comma, so that writing it unquoted adds exactly one value
    i = next(
        i
        for i, line in enumerate(lines[1:], 1)
        if all("," not in c and '"' not in c for c in next(csv.reader([line])))
    )
    cells = next(csv.reader([lines[i]]))
    cells[4] = cells[4] + ", with a comma"  # title, written without quoting
    lines[i] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError) as exc:
        data.load_events(copy_datasets)
    assert exc.value.row == i and exc.value.rule == "row length"
    n = len(next(csv.reader([lines[0]])))
    assert f"has {n + 1} values but the header has {n} columns" in str(exc.value)
    assert f"line {i + 1}" in str(exc.value)


def test_every_problem_in_a_file_is_reported_not_just_the_first(copy_datasets):
    path = copy_datasets / "events.csv"
    rows = _rows(path)
    rows[1][rows[0].index("track")] = "cold-war"
    rows[5][rows[0].index("date")] = "31/12/1975"
    _write(path, rows)
    with pytest.raises(DatasetError) as exc:
        data.load_events(copy_datasets)
    got = {(p.row, p.column, p.rule) for p in exc.value.problems}
    assert (1, "track", "enum") in got
    assert (5, "date", "type date") in got
    assert "allowed values: csce, detente-arms-control" in str(exc.value)


def test_unverified_row_does_not_ship(copy_datasets):
    path = copy_datasets / "decalogue.csv"
    rows = _rows(path)
    rows[4][rows[0].index("verified")] = "false"
    _write(path, rows)
    with pytest.raises(DatasetError) as exc:
        data.load_decalogue(copy_datasets)
    assert (exc.value.row, exc.value.column, exc.value.rule) == (4, "verified", "must-be-true")


def test_precision_must_match_the_date(copy_datasets):
    path = copy_datasets / "events.csv"
    rows = _rows(path)
    h = rows[0]
    rows[1][h.index("precision")] = "year"
    rows[1][h.index("date")] = "1963-08-05"
    rows[1][h.index("end_date")] = ""
    _write(path, rows)
    with pytest.raises(DatasetError) as exc:
        data.load_events(copy_datasets)
    assert any(p.rule == "precision-matches-date" and p.row == 1 for p in exc.value.problems)


def test_total_that_is_not_the_sum_of_its_parts(copy_datasets):
    path = copy_datasets / "family_registry.csv"
    rows = _rows(path)
    h = rows[0]
    i = next(
        i
        for i, r in enumerate(rows[1:], 1)
        if r[h.index("registered_total")] and r[h.index("deceased")] and r[h.index("alive")]
    )
    rows[i][h.index("alive")] = str(int(rows[i][h.index("alive")]) + 1)
    _write(path, rows)
    with pytest.raises(DatasetError) as exc:
        data.load_family_registry(copy_datasets)
    assert (exc.value.row, exc.value.rule) == (i, "sum-equals")


def test_broken_foreign_key_names_the_missing_event(copy_datasets):
    path = copy_datasets / "storehouse_documents.csv"
    rows = _rows(path)
    rows[1][rows[0].index("event_id")] = "no-such-event"
    _write(path, rows)
    with pytest.raises(DatasetError) as exc:
        data.load_storehouse(copy_datasets)
    assert exc.value.rule == "foreign key"
    assert "'no-such-event' is not a value of events.id" in str(exc.value)


def test_header_problems_name_the_missing_column(copy_datasets):
    path = copy_datasets / "eras.csv"
    rows = _rows(path)
    i = rows[0].index("label")
    for r in rows:
        del r[i]
    _write(path, rows)
    with pytest.raises(DatasetError) as exc:
        data.load_eras(copy_datasets)
    assert exc.value.column == "label" and "missing column(s): label" in str(exc.value)


@pytest.mark.parametrize("content", ["", "id,era\n"], ids=["empty", "header-only-wrong"])
def test_empty_or_truncated_file(copy_datasets, content):
    (copy_datasets / "eras.csv").write_text(content, encoding="utf-8")
    with pytest.raises(DatasetError) as exc:
        data.load_eras(copy_datasets)
    assert exc.value.file == "eras.csv"


def test_missing_file_and_missing_package(copy_datasets, tmp_path):
    (copy_datasets / "decalogue.csv").unlink()
    with pytest.raises(DatasetError, match="decalogue.csv: file not found"):
        data.load_decalogue(copy_datasets)
    with pytest.raises(DatasetError, match="no datapackage.json here"):
        data.load_events(tmp_path / "nowhere")


def test_edits_to_a_file_are_seen_on_the_next_load(copy_datasets):
    before = data.load_decalogue(copy_datasets)
    path = copy_datasets / "decalogue.csv"
    rows = _rows(path)
    rows[1][rows[0].index("summary")] = "An edited summary."
    _write(path, rows)
    after = data.load_decalogue(copy_datasets)
    assert after.summary[0] == "An edited summary." != before.summary[0]


def test_cli_exits_non_zero_on_a_broken_copy(copy_datasets, capsys):
    _break("events", "bad date", copy_datasets)
    assert data.main([str(copy_datasets)]) == 1
    out = capsys.readouterr().out
    assert "FAIL events" in out and "row 2" in out


def test_unknown_dataset_name_lists_the_known_ones():
    with pytest.raises(KeyError, match="the datasets are: events, eras"):
        data.load("evnets")
