"""Every row cites a source a historian accepts, says what kind of source it is,
and the lessons' own citations follow the same rule.

The deny-list lives in one data file, datasets/source_denylist.txt (one regular
expression per line); the kinds of source are the enum of each table's
source_kind fields in datapackage.json (see datasets/README.md).
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from course import data

REPO = Path(__file__).resolve().parent.parent
DATASETS = REPO / "datasets"
LESSONS = REPO / "lessons"
PACKAGE = json.loads((DATASETS / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = {r["name"]: r for r in PACKAGE["resources"]}
URL_RE = re.compile(r"https?://[^\s<>()\"'\]\[,]+")
KINDS = {"primary", "official", "scholarly", "press", "reference"}
EXCERPT_CAP = 600


def denylist(path: Path = DATASETS / "source_denylist.txt") -> list[re.Pattern]:
    patterns = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            patterns.append(re.compile(line, re.IGNORECASE))
    return patterns


DENY = denylist()


def denied(url: str, patterns=DENY) -> str | None:
    """The first deny-list pattern the URL matches, or None."""
    for p in patterns:
        if p.search(url):
            return p.pattern
    return None


def csv_urls(path: Path):
    """(row number, column, url) for every URL anywhere in a CSV file."""
    with path.open(newline="", encoding="utf-8") as fh:
        for n, row in enumerate(csv.DictReader(fh), start=1):
            for col, cell in row.items():
                for url in URL_RE.findall(cell or ""):
                    yield n, col, url.rstrip(".;:")


def markdown_urls(nb: Path):
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "markdown":
            for url in URL_RE.findall("".join(cell["source"])):
                yield i, url.rstrip(".;:")


# ------------------------------------------------------------------ the rule itself
def test_denylist_is_well_formed_and_covers_the_kinds_of_bad_source():
    assert len(DENY) >= 10
    for bad in [
        "https://en.wikipedia.org/wiki/Helsinki_Accords",
        "https://en.wikipedia-on-ipfs.org/wiki/Korean_Armistice_Agreement",
        "https://test.pax.peaceagreements.org/agreements/1232",
        "https://doczz.net/doc/6436615/final-act",
        "https://studylib.net/doc/15620903/a-hrc-25-63",
        "https://someone.blogspot.com/2011/01/rangoon.html",
        "https://www.vfwpost8874.org/post/military-history",
        "https://www.reporternews.com/story/opinion/2016/01/23/today-in-history-north-koreans/1/",
        "https://www.ncronline.org/file/20190207t1204-24332-cns-washington-letter-nuclear-treatyjpg",
        "https://example.org/photo.JPG",
        "https://www.example.org/search?q=helsinki",
        "http://worldpopulationreview.com/countries/north-korea-population/",
        "https://www.helplinelaw.com/law/southkorea/constitution/constitution.php",
    ]:
        assert denied(bad), bad
    for good in [
        "https://www.osce.org/files/f/documents/5/c/39501.pdf",
        "https://history.state.gov/historicaldocuments/frus1969-76v33/d87",
        "https://pax.peaceagreements.org/agreements/223",
        "http://www.kcna.co.jp/item/2014/201402/news21/20140221-28ee.html",
        "https://www.latimes.com/archives/la-xpm-1991-12-13-mn-126-story.html",
    ]:
        assert denied(good) is None, good


def test_a_planted_bad_url_is_caught(tmp_path):
    bad = tmp_path / "events.csv"
    bad.write_text(
        "id,source_url,note\nx,https://fr.wikipedia.org/wiki/Acte_final,see https://doczz.net/doc/1\n",
        encoding="utf-8",
    )
    hits = [(n, col, url) for n, col, url in csv_urls(bad) if denied(url)]
    assert [(n, col) for n, col, _ in hits] == [(1, "source_url"), (1, "note")]


# ------------------------------------------------------------------ the data
@pytest.mark.parametrize("name", list(RESOURCES))
def test_no_row_cites_a_denied_source(name):
    path = DATASETS / RESOURCES[name]["path"]
    bad = [
        f"row {n}, {col}: {url} (matches {denied(url)!r})" for n, col, url in csv_urls(path) if denied(url)
    ]
    assert not bad, f"{path.name} cites sources that do not qualify:\n" + "\n".join(bad)


@pytest.mark.parametrize("name", list(RESOURCES))
def test_every_table_says_what_kind_of_source_each_row_cites(name):
    fields = {f["name"]: f for f in RESOURCES[name]["schema"]["fields"]}
    assert "source_kind" in fields
    urls = [f for f in fields if fields[f].get("format") == "uri"]
    kinds = [f for f in fields if f.endswith("source_kind")]
    assert len(kinds) == len(urls), "one *source_kind column per URL column"
    for k in kinds:
        assert set(fields[k]["constraints"]["enum"]) == KINDS
        assert fields[k]["constraints"]["required"] is True
    df = data.load(name)
    for k in kinds:
        assert df[k].notna().all() and set(df[k]) <= KINDS, k


# ------------------------------------------------------------------ the lessons
@pytest.mark.parametrize("nb", sorted(LESSONS.glob("*.ipynb")), ids=lambda p: p.name)
def test_lessons_markdown_cites_no_denied_source(nb):
    bad = [f"cell {i}: {url}" for i, url in markdown_urls(nb) if denied(url)]
    assert not bad, f"{nb.name} cites sources that do not qualify:\n" + "\n".join(bad)


# ------------------------------------------------------------------ events coded both ways
def test_escalations_are_coded_for_every_side_with_the_documented_rule():
    ev = data.load_events()
    assert ev["actor_side"].notna().all()
    esc = ev[ev.track == "escalation"]
    sides = set(esc.actor_side)
    assert "dprk" in sides and sides & {"us", "rok", "us-rok"}, sides
    assert "provocation" not in set(ev.track)
    by_id = ev.set_index("id")
    for i in (
        "kedo-fuel-oil-suspended-2002",
        "banco-delta-asia-finding-2005",
        "kaesong-complex-suspended-2016",
        "thaad-deployment-2017",
        "team-spirit-1993",
    ):
        assert by_id.loc[i, "track"] == "escalation" and by_id.loc[i, "actor_side"] != "dprk", i
    readme = (DATASETS / "README.md").read_text(encoding="utf-8")
    assert "Coding escalations" in readme and "publicly named" in readme


# ------------------------------------------------------------------ statements and primary texts
def test_statements_give_each_party_its_own_voice():
    st = data.load("statements")
    assert {"dprk", "rok", "us", "china", "japan", "russia"} <= set(st.country)
    assert set(st.quote_type) <= {"exact", "paraphrase"}
    ev = set(data.load_events().id)
    assert set(st.event_id) <= ev


def test_primary_text_excerpts_are_short_exact_quotations_linked_to_events():
    pt = data.load("primary_texts")
    field = {f["name"]: f for f in RESOURCES["primary_texts"]["schema"]["fields"]}["excerpt"]
    assert field["constraints"]["maxLength"] == EXCERPT_CAP
    too_long = pt[pt.excerpt.str.len() > EXCERPT_CAP]
    assert too_long.empty, list(too_long.id)
    fk = RESOURCES["primary_texts"]["schema"]["foreignKeys"]
    assert fk == [{"fields": ["event_id"], "reference": {"resource": "events", "fields": ["id"]}}]
    assert set(pt.event_id) <= set(data.load_events().id)
    assert pt.licence.str.len().min() > 5
    # an excerpt that is a translation names whose translation it is
    for _, row in pt.iterrows():
        if row.language == "en" and row.source_kind != "primary" and "Korea" in row.document:
            assert isinstance(row.translation_source, str) or "English text" in row.licence, row.id


# Issue 15, section 4: the excerpts the table must hold, as (event, pattern the row's `section` matches).
REQUESTED_EXCERPTS = {
    "Final Act, Principle I": ("helsinki-final-act", r"Principle I\b"),
    "Final Act, Principle III": ("helsinki-final-act", r"Principle III\b"),
    "Final Act, Principle IV": ("helsinki-final-act", r"Principle IV\b"),
    "Final Act, Principle VII": ("helsinki-final-act", r"Principle VII\b"),
    "Final Act, Human Contacts": ("helsinki-final-act", r"Human Contacts"),
    "Final Act, follow-up chapter": ("helsinki-final-act", r"Follow-up to the Conference"),
    **{
        f"Basic Agreement, Article {n}": ("inter-korean-basic-agreement", rf"Article {n}$")
        for n in (1, 2, 3, 4, 5, 18)
    },
    "Joint Declaration on Denuclearization": ("joint-declaration-denuclearization", r"paragraph"),
    "2005 Joint Statement, paragraph 4": ("six-party-joint-statement-2005", r"^paragraph 4\b"),
    "Panmunjom Declaration, paragraph 1": ("panmunjom-declaration-2018", r"^paragraph 1\b"),
    "Panmunjom Declaration, paragraph 3": ("panmunjom-declaration-2018", r"^paragraph 3\b"),
    "Singapore statement": ("singapore-joint-statement-2018", r"."),
    "2002 Pyongyang Declaration": ("japan-dprk-pyongyang-declaration-2002", r"paragraph"),
}
# Not yet in the table: no authoritative English text of these could be read (see PROVENANCE-tables.md).
# When a row is added, take its name out of this set.
MISSING_EXCERPTS = {
    "Final Act, Principle I",
    "Final Act, Principle III",
    "Final Act, Principle IV",
    "Final Act, follow-up chapter",
}


def test_primary_texts_hold_the_excerpts_the_issue_asks_for_and_the_gaps_are_listed():
    pt = data.load("primary_texts")

    def present(event, pattern):
        rows = pt[pt.event_id == event]
        return bool(rows.section.str.contains(pattern, regex=True).any())

    assert MISSING_EXCERPTS <= set(REQUESTED_EXCERPTS)
    missing = {name for name, (event, pattern) in REQUESTED_EXCERPTS.items() if not present(event, pattern)}
    # a requested excerpt is either in the table or listed as missing, and the list is not stale
    assert missing == MISSING_EXCERPTS


def test_licence_says_whose_english_when_the_rendering_is_not_an_official_one():
    """An official text is not subject to copyright, but a newspaper's, agency's or database's English rendering
    of it may be: the licence must not claim the rendering is free of copyright by calling it 'official'."""
    pt = data.load("primary_texts")
    for row in pt.itertuples():
        ts = row.translation_source if isinstance(row.translation_source, str) else ""
        if ts and "Department of State" not in ts:
            assert "rendering" in row.licence, row.id


def test_foreign_key_breaks_are_reported_for_the_new_tables(tmp_path):
    import shutil

    dst = tmp_path / "datasets"
    shutil.copytree(DATASETS, dst)
    for name in ("statements", "primary_texts"):
        path = dst / RESOURCES[name]["path"]
        rows = list(csv.reader(path.open(newline="", encoding="utf-8")))
        rows[1][rows[0].index("event_id")] = "no-such-event"
        with path.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(rows)
        with pytest.raises(data.DatasetError) as exc:
            data.load(name, dst)
        assert "no-such-event" in str(exc.value)
