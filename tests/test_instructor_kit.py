"""The instructor kit (assignments/instructors/): the glossary covers the course's acronyms,
the reading list gives full references, and every lesson has a session plan."""

import json
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
KIT = ROOT / "assignments" / "instructors"

# Capitalised words that are not acronyms: template markers, date formats, licence codes,
# words set in capitals for emphasis, and Roman numerals (principle and basket numbers).
NOT_ACRONYMS = {"README", "BEGIN", "END", "YOUR", "CODE", "HERE", "YYYY", "MM", "DD", "CC", "BY"}
NOT_ACRONYMS |= {"TWO", "NOT", "BETWEEN", "NA", "TV", "AND", "OR", "ALL", "ONLY", "HIDDEN", "TESTS"}
ROMAN = re.compile(r"^(?=[MDCLXVI])M*(C[MD]|D?C{0,3})(X[CL]|L?X{0,3})(I[XV]|V?I{0,3})$")
TOKEN = re.compile(r"\b([A-Z][A-Z]+)s?\b")


def _course_text() -> str:
    parts = []
    for nb in sorted((ROOT / "lessons").glob("*.ipynb")) + sorted(
        (ROOT / "assignments/source").glob("*/*.ipynb")
    ):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        parts += ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    for bank in sorted((ROOT / "lessons/questions").glob("*.toml")):
        # plain-text fields only: prompts, options, items and hints (the rest is encoded)
        strings = re.findall(r'"([^"\n]*)"', bank.read_text(encoding="utf-8"))
        parts += [t for t in strings if " " in t]  # encoded blobs and hashes have no spaces
    return re.sub(r"https?://\S+", " ", "\n".join(parts))  # addresses are not prose


def acronyms_used() -> set[str]:
    found = set()
    for word in TOKEN.findall(_course_text()):
        if word in NOT_ACRONYMS or ROMAN.match(word) or len(word) > 7:
            continue
        found.add(word)
    return found


def glossary_terms() -> set[str]:
    text = (KIT / "glossary.md").read_text(encoding="utf-8")
    return set(re.findall(r"^- \*\*([^*]+)\*\*:", text, flags=re.M))


def test_every_acronym_the_course_uses_is_in_the_glossary():
    missing = sorted(acronyms_used() - glossary_terms())
    assert not missing, f"add these acronyms to assignments/instructors/glossary.md: {', '.join(missing)}"


def test_the_scan_finds_the_acronyms_it_should():
    used = acronyms_used()
    assert {"CSCE", "KEDO", "GRIT", "MBFR", "DPRK"} <= used
    assert not used & {"III", "VII", "README", "YYYY"}


def test_glossary_entries_are_sorted_and_explained():
    text = (KIT / "glossary.md").read_text(encoding="utf-8")
    for line in re.findall(r"^- \*\*.*$", text, flags=re.M):
        term, _, rest = line[4:].partition("**:")
        assert len(rest.strip()) > 10, f"glossary entry {term!r} has no explanation"


def test_reading_list_gives_full_references():
    text = (KIT / "further_reading.md").read_text(encoding="utf-8")
    entries = re.findall(r"^- (.+)$", text, flags=re.M)
    assert len(entries) >= 20
    for e in entries:
        assert re.search(r"\((1[89]|20)\d\d\)\.", e), f"no (year). in: {e}"
        assert re.search(r"\*[^*]+\*", e), f"no title or journal in italics in: {e}"
        assert e.rstrip().endswith("."), f"reference does not end with a full stop: {e}"


def test_kit_readme_links_resolve():
    text = (KIT / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+)\)", text):
        assert (KIT / target).resolve().exists(), target


# --- session plans (assignments/instructors/sessions/NN.md) ---

SESSIONS = KIT / "sessions"
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
QUESTION_ID = re.compile(r"\bl\d\d-[a-z0-9]+(?:-[a-z0-9]+)*\b")


def _section(text: str, heading: str) -> str:
    """The body of the level-2 section whose heading starts with `heading` ('' if there is none)."""
    m = re.search(rf"^## {re.escape(heading)}[^\n]*\n(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    return m.group(1) if m else ""


def plan_minutes(text: str) -> list[int]:
    """Minutes of each timed segment: the rows of the session-plan table whose first cell is a number."""
    return [int(m) for m in re.findall(r"^\|\s*(\d+)\s*\|", _section(text, "Session plan"), flags=re.M)]


def bank_ids(lesson: str) -> set[str]:
    bank = tomllib.loads((ROOT / "lessons/questions" / f"{lesson}.toml").read_text(encoding="utf-8"))
    return {q["id"] for q in bank.get("question", [])}


def test_plan_parser_reads_the_minutes_column():
    text = "## Session plan (50 minutes)\n\n| Minutes | Segment |\n|---:|---|\n| 5 | a |\n| 40 | b |\n"
    text += "\n## Discussion prompts\n\n| 7 | not a segment |\n"
    assert plan_minutes(text) == [5, 40]
    assert plan_minutes("no plan here") == []
    assert QUESTION_ID.findall("see `l04-measure-limits` and l07-predict-one-round.") == [
        "l04-measure-limits",
        "l07-predict-one-round",
    ]


def test_every_lesson_has_a_session_plan():
    assert LESSONS, "no lesson notebooks found"
    missing = [nb.name for nb in LESSONS if not (SESSIONS / f"{nb.name[:2]}.md").exists()]
    assert not missing, f"no assignments/instructors/sessions/NN.md for: {', '.join(missing)}"
    extra = {p.stem for p in SESSIONS.glob("*.md")} - {nb.name[:2] for nb in LESSONS}
    assert not extra, f"session plans without a lesson: {sorted(extra)}"


@pytest.mark.parametrize("notebook", LESSONS, ids=lambda p: p.name[:2])
def test_session_plan_adds_up_to_50_minutes(notebook):
    text = (SESSIONS / f"{notebook.name[:2]}.md").read_text(encoding="utf-8")
    minutes = plan_minutes(text)
    assert len(minutes) >= 4, f"{notebook.name[:2]}.md: fewer than four timed segments in its session plan"
    assert all(m > 0 for m in minutes)
    assert sum(minutes) == 50, f"{notebook.name[:2]}.md: segments add up to {sum(minutes)} minutes, not 50"


@pytest.mark.parametrize("notebook", LESSONS, ids=lambda p: p.name[:2])
def test_session_plan_has_prompts_and_misconceptions(notebook):
    text = (SESSIONS / f"{notebook.name[:2]}.md").read_text(encoding="utf-8")
    prompts = re.findall(r"^\d+\. ", _section(text, "Discussion prompts"), flags=re.M)
    assert 3 <= len(prompts) <= 5, f"{notebook.name[:2]}.md: {len(prompts)} discussion prompts, want 3-5"
    misconceptions = re.findall(r"^### ", _section(text, "Common misconceptions"), flags=re.M)
    assert 3 <= len(misconceptions) <= 4, f"{notebook.name[:2]}.md: {len(misconceptions)} misconceptions"
    assert _section(text, "Assessment"), f"{notebook.name[:2]}.md has no Assessment section"


@pytest.mark.parametrize("notebook", LESSONS, ids=lambda p: p.name[:2])
def test_session_plan_names_only_questions_of_its_lesson(notebook):
    lesson = notebook.name[:2]
    text = (SESSIONS / f"{lesson}.md").read_text(encoding="utf-8")
    named = set(QUESTION_ID.findall(text))
    assert named, f"{lesson}.md names no self-check"
    unknown = sorted(named - bank_ids(lesson))
    assert not unknown, f"{lesson}.md names questions not in lessons/questions/{lesson}.toml: {unknown}"
    for ps in set(re.findall(r"\bps(\d)\b", text)):
        assert (ROOT / "assignments/source" / f"ps{ps}").is_dir(), (
            f"{lesson}.md names ps{ps}, which does not exist"
        )
