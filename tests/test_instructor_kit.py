"""The instructor kit (assignments/instructors/): the glossary covers the course's acronyms,
the reading list gives full references."""

import json
import re
from pathlib import Path

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
