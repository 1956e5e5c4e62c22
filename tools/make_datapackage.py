"""Write datasets/datapackage.json (run once by hand when a schema changes).

The descriptor is the contract between the CSV files and course.data: the
loader validates every file against it. Kept as Python so the shared
field definitions are written once.
"""

import json
from pathlib import Path

URL = {
    "name": "source_url",
    "type": "string",
    "format": "uri",
    "description": "Where the row's facts were checked (http/https).",
    "constraints": {"required": True, "pattern": "https?://\\S+"},
}
VERIFIED = {
    "name": "verified",
    "type": "boolean",
    "description": "true once the row was checked against source_url. Only verified rows ship.",
    "constraints": {"required": True},
}
SOURCE_KINDS = ["primary", "official", "scholarly", "press", "reference"]
SOURCE_KIND_DESC = (
    "What kind of source source_url is (see datasets/README.md, 'Which sources count'): "
    "primary = the document itself, or its official text (a treaty, declaration, statement, resolution, cable); "
    "official = a page by a government, international organisation or its archive about the fact; "
    "scholarly = peer-reviewed or university-press scholarship, or a research institute's edited archive; "
    "press = a wire service or newspaper of record reporting the dated event; "
    "reference = an edited reference work (national encyclopedia, library or archive guide)."
)


def source_kind(name="source_kind", desc=SOURCE_KIND_DESC):
    return {
        "name": name,
        "type": "string",
        "description": desc,
        "constraints": {"required": True, "enum": SOURCE_KINDS},
    }


SOURCE_KIND = source_kind()
SLUG = {
    "type": "string",
    "constraints": {"required": True, "unique": True, "pattern": "[a-z0-9]+(-[a-z0-9]+)*"},
}


def f(name, type_="string", required=True, desc="", **constraints):
    field = {"name": name, "type": type_}
    if desc:
        field["description"] = desc
    c = dict(constraints)
    if required:
        c["required"] = True
    if c:
        field["constraints"] = c
    return field


def slug(name, desc):
    return {"name": name, **SLUG, "description": desc}


def url(name="source_url", desc=None):
    u = dict(URL, name=name)
    if desc:
        u["description"] = desc
    return u


SETTINGS = ["europe-1975", "nea-2014", "nea-2021"]  # course.scorecard.SETTINGS, in display order
TRACKS = ["csce", "detente-arms-control", "korea-diplomacy", "humanitarian", "escalation"]
ACTOR_SIDES = [
    "dprk",
    "rok",
    "us",
    "us-rok",
    "china",
    "japan",
    "russia",
    "ussr",
    "european",
    "joint",
    "multilateral",
    "civil-society",
]
ACTOR_SIDE_DESC = (
    "Whose act the event is (see datasets/README.md, 'Coding escalations'): a single state "
    "(dprk, rok, us, china, japan, russia, ussr); us-rok for the two allies acting together; "
    "european for a European state or group of states acting on its own; joint for an act two "
    "opposing sides took together (a bilateral agreement, summit or reunion); multilateral for a "
    "conference, organisation or treaty of many states; civil-society for citizens' groups acting "
    "on their own."
)

resources = [
    {
        "name": "events",
        "path": "events.csv",
        "title": "Dated events 1963-2021 on five tracks",
        "schema": {
            "fields": [
                slug("id", "Stable slug; other tables and lessons refer to events by it."),
                f(
                    "date",
                    "date",
                    desc="Start date (YYYY-MM-DD). With month or year precision, the first day of that month or year.",
                ),
                f(
                    "end_date",
                    "date",
                    required=False,
                    desc="Last day of a range event; empty for a point event.",
                ),
                f("precision", desc="How precisely the date is known.", enum=["day", "month", "year"]),
                f("title"),
                f(
                    "track",
                    enum=TRACKS,
                    desc=(
                        "escalation: an escalatory act by any party, coded by the rule in "
                        "datasets/README.md; the other tracks hold diplomacy, arms control, the CSCE and "
                        "humanitarian steps."
                    ),
                ),
                f("actors", desc="Actors, separated by ';'."),
                f("actor_side", enum=ACTOR_SIDES, desc=ACTOR_SIDE_DESC),
                f("description", desc="In the course's own words."),
                URL,
                SOURCE_KIND,
                VERIFIED,
            ],
            "primaryKey": ["id"],
            "x-rules": [
                {"rule": "not-before", "field": "end_date", "other": "date"},
                {"rule": "precision-matches-date", "field": "date", "precision": "precision"},
                {"rule": "must-be-true", "field": "verified"},
            ],
        },
    },
    {
        "name": "eras",
        "path": "eras.csv",
        "title": "Shaded eras for the timeline (one row per band; an era may have several bands)",
        "schema": {
            "fields": [
                slug("id", "Stable slug of the band."),
                f("era", desc="Slug of the era the band belongs to.", pattern="[a-z0-9]+(-[a-z0-9]+)*"),
                f("label", desc="Short label shown on the band."),
                f("start", "date"),
                f("end", "date"),
                f("event_id", required=False, desc="The event the band is taken from, if any."),
                f("description", desc="In the course's own words."),
                URL,
                SOURCE_KIND,
                VERIFIED,
            ],
            "primaryKey": ["id"],
            "foreignKeys": [{"fields": ["event_id"], "reference": {"resource": "events", "fields": ["id"]}}],
            "x-rules": [
                {"rule": "not-before", "field": "end", "other": "start"},
                {"rule": "must-be-true", "field": "verified"},
            ],
        },
    },
    {
        "name": "csce_participants",
        "path": "csce_participants.csv",
        "title": "The 35 participating states of 1975, and the European states that were absent",
        "schema": {
            "fields": [
                slug("id", "Slug of the state's name."),
                f("name", desc="Name of the state as in 1975."),
                f(
                    "group",
                    desc="Alignment in 1975.",
                    enum=["nato", "warsaw-pact", "neutral-non-aligned", "other"],
                ),
                f(
                    "status",
                    desc=(
                        "participant: took part in the CSCE and signed on 1 Aug 1975; absent: a European "
                        "state that did not."
                    ),
                    enum=["participant", "absent"],
                ),
                f(
                    "signed_final_act",
                    "date",
                    required=False,
                    desc="When the state signed the Final Act (empty if it never did).",
                ),
                f("note", required=False),
                URL,
                SOURCE_KIND,
                VERIFIED,
            ],
            "primaryKey": ["id"],
            "x-rules": [{"rule": "must-be-true", "field": "verified"}],
        },
    },
    {
        "name": "decalogue",
        "path": "decalogue.csv",
        "title": "The ten principles of the Final Act (the Decalogue)",
        "schema": {
            "fields": [
                f("number", "integer", minimum=1, maximum=10, unique=True),
                f("roman", enum=["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"], unique=True),
                f("short_title", desc="The official short title, as in the Final Act."),
                f("summary", desc="In the course's own words."),
                URL,
                SOURCE_KIND,
                VERIFIED,
            ],
            "primaryKey": ["number"],
            "x-rules": [{"rule": "must-be-true", "field": "verified"}],
        },
    },
    {
        "name": "final_act_chapters",
        "path": "final_act_chapters.csv",
        "title": "The chapters of the Final Act (the 'baskets'), with their main sections",
        "schema": {
            "fields": [
                slug("id", "Slug of the chapter or section."),
                f("order", "integer", minimum=1, unique=True, desc="Order in the Final Act."),
                f(
                    "parent",
                    required=False,
                    desc="id of the chapter a section belongs to; empty for a chapter.",
                ),
                f("title", desc="The heading as in the Final Act."),
                f(
                    "basket",
                    desc="The informal 'basket' the chapter is counted in.",
                    enum=["I", "II", "III", "mediterranean", "follow-up"],
                ),
                f("summary", desc="In the course's own words."),
                URL,
                SOURCE_KIND,
                VERIFIED,
            ],
            "primaryKey": ["id"],
            "foreignKeys": [{"fields": ["parent"], "reference": {"resource": "", "fields": ["id"]}}],
            "x-rules": [{"rule": "must-be-true", "field": "verified"}],
        },
    },
    {
        "name": "transfer_obstacles",
        "path": "transfer_obstacles.csv",
        "title": "Eskeland's (2014) six obstacles to carrying the Helsinki model over to North Korea",
        "schema": {
            "fields": [
                f("id", "integer", minimum=1, maximum=6, unique=True, desc="Eskeland's order."),
                slug("slug", "Short stable name."),
                f("short_name"),
                f("summary", desc="The obstacle, in the course's own words."),
                f("europe_1975", desc="The condition in Europe in 1975."),
                f("korea_2014", desc="The condition on the Korean peninsula in 2014."),
                url("europe_source_url", "Source for europe_1975."),
                url("korea_source_url", "Source for korea_2014."),
                source_kind(
                    "europe_source_kind", "Kind of source europe_source_url is (enum as source_kind)."
                ),
                source_kind("korea_source_kind", "Kind of source korea_source_url is (enum as source_kind)."),
                url("source_url", "Where the obstacle is stated (Eskeland 2014)."),
                SOURCE_KIND,
                VERIFIED,
            ],
            "primaryKey": ["id"],
            "x-rules": [{"rule": "must-be-true", "field": "verified"}],
        },
    },
    {
        "name": "storehouse_documents",
        "path": "storehouse_documents.csv",
        "title": "Goodby & Heiskanen's (2021) 'storehouse' of documents, and two they leave out",
        "schema": {
            "fields": [
                slug("id", "Slug of the document."),
                f("title", desc="Short official title."),
                f(
                    "adopted",
                    "date",
                    desc=(
                        "Date the text was agreed and issued: the day of signature for a signed text, "
                        "the day of joint adoption and release for a text that was not signed (the "
                        "Six-Party texts of 2005 and 2007)."
                    ),
                ),
                f(
                    "signed",
                    "date",
                    required=False,
                    desc=(
                        "Date the text was signed by its parties' representatives; empty for a text that "
                        "was adopted and released jointly without signatures."
                    ),
                ),
                f("in_force", "date", required=False, desc="Date it took effect, if different and known."),
                f(
                    "parties",
                    desc="Parties (signatories, or the participants that adopted it), separated by ';'.",
                ),
                f("summary", desc="What it provides, in the course's own words."),
                f("in_essay", "boolean", desc="true if Goodby & Heiskanen (2021) list it."),
                f(
                    "essay_says",
                    required=False,
                    desc="What the essay says about it where that differs from the record.",
                ),
                f("event_id", desc="The matching event in events.csv."),
                URL,
                SOURCE_KIND,
                VERIFIED,
            ],
            "primaryKey": ["id"],
            "foreignKeys": [{"fields": ["event_id"], "reference": {"resource": "events", "fields": ["id"]}}],
            "x-rules": [
                {"rule": "not-before", "field": "in_force", "other": "adopted"},
                {"rule": "must-be-true", "field": "verified"},
            ],
        },
    },
    {
        "name": "statements",
        "path": "statements.csv",
        "title": "Short attributed statements: each party's own voice on the events, from its own sources",
        "schema": {
            "fields": [
                slug("id", "Stable slug of the statement."),
                f("event_id", desc="The event the statement is about (events.csv)."),
                f("date", "date", desc="The day the statement was made or issued."),
                f(
                    "speaker",
                    desc=(
                        "Who spoke: a person, or the office for an unsigned statement (e.g. 'DPRK "
                        "Foreign Ministry spokesman')."
                    ),
                ),
                f("office", desc="The speaker's office at the time."),
                f(
                    "country",
                    desc="Whose voice it is.",
                    enum=["dprk", "rok", "us", "china", "japan", "russia", "ussr", "multilateral"],
                ),
                f(
                    "quote",
                    desc="The words: an exact short quote, or a close paraphrase if quote_type is paraphrase.",
                    minLength=10,
                ),
                f(
                    "quote_type",
                    desc="exact: the words as in the source; paraphrase: the course's close paraphrase of the source.",
                    enum=["exact", "paraphrase"],
                ),
                f(
                    "language",
                    desc="Language of the quote as given (ISO 639-1, e.g. en).",
                    pattern="[a-z]{2}",
                ),
                f(
                    "translation_source",
                    required=False,
                    desc=(
                        "Who translated the quote, if it is a translation (e.g. 'KCNA English service', "
                        "'official English text'); empty if the quote is in the original language."
                    ),
                ),
                URL,
                SOURCE_KIND,
                VERIFIED,
            ],
            "primaryKey": ["id"],
            "foreignKeys": [{"fields": ["event_id"], "reference": {"resource": "events", "fields": ["id"]}}],
            "x-rules": [{"rule": "must-be-true", "field": "verified"}],
        },
    },
    {
        "name": "primary_texts",
        "path": "primary_texts.csv",
        "title": (
            "Short, exact excerpts from the primary texts (Final Act, Korean agreements, Six-Party "
            "and summit texts)"
        ),
        "schema": {
            "fields": [
                slug("id", "Stable slug of the excerpt."),
                f("event_id", desc="The event the document belongs to (events.csv)."),
                f("document", desc="Title of the document."),
                f("section", desc="Where in the document: principle, article, paragraph or chapter."),
                f("date", "date", desc="Date of the document (signature or adoption)."),
                f("language", desc="Language of the excerpt as given (ISO 639-1).", pattern="[a-z]{2}"),
                f(
                    "excerpt",
                    desc="The exact words of the document, copied from source_url; at most 600 characters.",
                    minLength=10,
                    maxLength=600,
                ),
                f(
                    "translation_source",
                    required=False,
                    desc=(
                        "If the excerpt is a translation: whose (an official translation is preferred). "
                        "Empty when the excerpt is in an authentic language of the text."
                    ),
                ),
                f(
                    "licence",
                    desc="Copyright status of the text (e.g. 'official document, not subject to copyright').",
                ),
                URL,
                SOURCE_KIND,
                VERIFIED,
            ],
            "primaryKey": ["id"],
            "foreignKeys": [{"fields": ["event_id"], "reference": {"resource": "events", "fields": ["id"]}}],
            "x-rules": [{"rule": "must-be-true", "field": "verified"}],
        },
    },
    {
        "name": "family_registry",
        "path": "family_registry.csv",
        "title": (
            "South Korea's register of separated-family applicants (registration since 1988): "
            "snapshots and deaths"
        ),
        "schema": {
            "fields": [
                f(
                    "as_of",
                    "date",
                    unique=True,
                    desc="Date of the snapshot, or last day of the period for deaths_in_period.",
                ),
                f(
                    "period_start",
                    "date",
                    required=False,
                    desc="First day of the period deaths_in_period covers.",
                ),
                f(
                    "registered_total",
                    "integer",
                    required=False,
                    minimum=0,
                    desc="Applicants registered since 1988.",
                ),
                f("deceased", "integer", required=False, minimum=0),
                f("alive", "integer", required=False, minimum=0),
                f("deaths_in_period", "integer", required=False, minimum=0),
                f("note", required=False),
                URL,
                SOURCE_KIND,
                VERIFIED,
            ],
            "primaryKey": ["as_of"],
            "x-rules": [
                {"rule": "not-before", "field": "as_of", "other": "period_start"},
                {"rule": "sum-equals", "field": "registered_total", "parts": ["deceased", "alive"]},
                {"rule": "must-be-true", "field": "verified"},
            ],
        },
    },
    {
        "name": "family_reunion_rounds",
        "path": "family_reunion_rounds.csv",
        "title": (
            "Inter-Korean family reunions: the 1985 hometown visits, the rounds since 2000, video "
            "rounds, and cancellations"
        ),
        "schema": {
            "fields": [
                slug("id", "Slug, e.g. round-01, video-1, hometown-1985."),
                f(
                    "round",
                    "integer",
                    required=False,
                    minimum=1,
                    desc="Official number of a face-to-face round.",
                ),
                f("kind", enum=["hometown-visit", "face-to-face", "video", "cancelled"]),
                f("start_date", "date"),
                f("end_date", "date", required=False),
                f("venue"),
                f("participants", required=False, desc="Participants as reported by the source."),
                f("event_id", required=False, desc="The matching event in events.csv, if any."),
                URL,
                SOURCE_KIND,
                VERIFIED,
            ],
            "primaryKey": ["id"],
            "foreignKeys": [{"fields": ["event_id"], "reference": {"resource": "events", "fields": ["id"]}}],
            "x-rules": [
                {"rule": "not-before", "field": "end_date", "other": "start_date"},
                {"rule": "must-be-true", "field": "verified"},
            ],
        },
    },
    {
        "name": "scorecard_ratings",
        "path": "scorecard_ratings.csv",
        "title": (
            "The course's rating of each of Eskeland's six obstacles in three settings, with a "
            "reason and a source"
        ),
        "description": (
            "A reasoned judgement, not data: the learner's scorecard (course.scorecard) "
            "compares its ratings with these. Each reason states a fact checked against source_url."
        ),
        "schema": {
            "fields": [
                f(
                    "obstacle_id",
                    "integer",
                    minimum=1,
                    maximum=6,
                    desc="The obstacle (transfer_obstacles.id, Eskeland's order).",
                ),
                f("setting", desc="Where and when the obstacle is rated.", enum=SETTINGS),
                f(
                    "rating",
                    "integer",
                    minimum=0,
                    maximum=4,
                    desc="0 no obstacle, 1 minor, 2 serious, 3 severe, 4 prohibitive.",
                ),
                f(
                    "reason",
                    minLength=40,
                    desc="Why, in one or two sentences; the fact it states is checked against source_url.",
                ),
                URL,
                SOURCE_KIND,
                VERIFIED,
            ],
            "primaryKey": ["obstacle_id", "setting"],
            "foreignKeys": [
                {"fields": ["obstacle_id"], "reference": {"resource": "transfer_obstacles", "fields": ["id"]}}
            ],
            "x-rules": [{"rule": "must-be-true", "field": "verified"}],
        },
    },
]

for r in resources:
    r.setdefault("profile", "tabular-data-resource")
    r["format"] = "csv"
    r["encoding"] = "utf-8"
    r["schema"]["missingValues"] = [""]

package = {
    "profile": "tabular-data-package",
    "name": "helsinki-northeast-asia-course",
    "title": "Helsinki and Northeast Asia: datasets of the course",
    "description": (
        "Dated, sourced facts for the course. Every row carries the URL it was checked "
        "against. The x-rules of each schema are checks that Table Schema cannot express; course.data enforces them."
    ),
    "licenses": [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Attribution 4.0",
        }
    ],
    "resources": resources,
}

out = Path(__file__).resolve().parent.parent / "datasets" / "datapackage.json"
out.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
print(f"wrote {out}")
