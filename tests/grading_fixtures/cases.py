"""The submissions the grading tests grade: reference, blank, partial, the fault matrix and the attacks.

Every case says which test cells must pass, so the expected score is exact
(the sum of those cells' points, read from the release).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course.grading.notebooks import grade_id, is_test

from .submissions import answered, blank, cell, reference, reference_answers, release_nb, submit

# Wrong answers that pass some visible tests but fail the hidden ones (or fail both).
PARTIAL = {
    "ps1": {
        "q2_answer": "def signed_after(participants, date):\n"
        "    # wrong: on or after the date, so the states that signed on it count too\n"
        '    later = participants[participants["signed_final_act"] >= date]\n'
        '    return later.sort_values(["signed_final_act", "name"])["name"].tolist()\n',
        "q4_answer": "Human Contacts, because it is about travel. The official can say no.",
        "q5_answer": "def principles_mentioning(decalogue, word):\n"
        '    hits = decalogue["short_title"].str.lower().str.contains(word.lower(), regex=False)\n'
        '    return decalogue.loc[hits, "roman"].tolist()  # wrong: keeps the input order\n',
        "q6_answer": "There were eight agreements before and two during, so the scaffolding was gone.",
    },
    "ps2": {
        "q1_answer": "def side_sensitivity(events_given, agreement_ids):\n"
        "    # wrong: measures the notebook's own events, not the table it is given\n"
        '    escalations = events[events["track"] == "escalation"]\n'
        '    dprk = escalations[escalations["actor_side"] == "dprk"]\n'
        '    others = escalations[escalations["actor_side"] != "dprk"]\n'
        '    table = agreement_intervals(events, agreement_ids)[["agreement", "days"]]\n'
        '    table = table.rename(columns={"days": "any side"})\n'
        '    table["dprk only"] = agreement_intervals(events, agreement_ids, dprk)["days"]\n'
        '    table["others only"] = agreement_intervals(events, agreement_ids, others)["days"]\n'
        "    return table.reset_index(drop=True)\n\n\n"
        "sensitivity = side_sensitivity(events, AGREEMENT_IDS)\n",
        "q2_answer": "def share_within(days, window):\n"
        "    # wrong: strictly less than the window\n"
        "    within = [not pd.isna(d) and d < window for d in days]\n"
        "    return float(sum(within) / len(days))\n",
        "q3_answer": "Only a few intervals change. The others-only column shows the allies escalate less.",
        "q4_answer": "The chart shows a cycle.",
    },
    "ps3": {
        "q1_answer": "def scorecard(design, partner, seed=0):\n"
        "    result = play(design, partner, seed)\n"
        "    # wrong: the largest worst loss over the runs, not their mean\n"
        '    return {"mean payoff": float(result.total_payoff("a").mean()),\n'
        '            "mean worst loss": float(result.worst_loss("a").max())}\n',
        "q2_answer": 'my_design = {"opening": "small", "raise_by": 0.5, "response": "forgive", '
        '"forgive_after": 3, "restart": "small"}\n',
        "q3_answer": "Small steps lose less.",
    },
    "ps4": {
        "a1_answer": 'panmunjom_date = "2018-05-26"  # wrong: the Tongilgak meeting\n',
        "a4_answer": "def parties_to(storehouse, state):\n"
        '    ordered = storehouse.sort_values(["adopted", "id"])\n'
        "    # wrong: a substring test, so the DPRK's texts count for the Republic of Korea too\n"
        '    return [str(i) for i in ordered.loc[ordered["parties"].str.contains(state, regex=False), "id"]]\n',
        "b1_memo": "Two errors: the date of the Panmunjom Declaration and the baskets.",
    },
}

PROBLEM_SETS = ("ps1", "ps2", "ps3", "ps4")
STANDARD = [(student, ps) for ps in PROBLEM_SETS for student in ("ref", "blank", "partial")]
FAULTS = [
    "f-loop-after-correct",
    "f-ignores-sigint",
    "f-os-exit",
    "f-sys-exit",
    "f-4gb",
    "f-50mb",
    "f-test-pass",
    "f-test-deleted",
    "f-metadata-removed",
    "f-duplicate-ids",
    "f-invalid-json",
    "f-empty",
    "f-wrong-name",
    "f-rebinds-builtins",
    "f-patches-checker",
]
ATTACKS = ["x-gradebook", "x-delete-peer", "x-read-source", "x-background", "x-network"]

# The test cells each partial submission passes.
PARTIAL_PASSES = {
    "ps1": {"q1_tests", "q1_hidden", "q2_tests", "q3_tests", "q3_hidden", "q5_tests"},
    "ps2": {"q1_tests", "q2_tests"},
    "ps3": {"q2_tests", "q2_hidden"},
    "ps4": {"a2_tests", "a2_hidden", "a3_tests", "a3_hidden", "a4_tests", "a5_tests", "a5_hidden"},
}


def points(course_dir: Path, ps: str) -> dict[str, float]:
    """Points of every test cell of a problem set, in notebook order."""
    return {
        grade_id(c): float(c.metadata["nbgrader"]["points"])
        for c in release_nb(course_dir, ps).cells
        if is_test(c)
    }


def points_before(course_dir: Path, ps: str, gid: str) -> float:
    """Points of the test cells before cell ``gid`` (what survives a fault in that cell)."""
    total = 0.0
    for c in release_nb(course_dir, ps).cells:
        if grade_id(c) == gid:
            return total
        if is_test(c):
            total += float(c.metadata["nbgrader"]["points"])
    raise KeyError(gid)


def partial_answers(course_dir: Path, ps: str) -> dict[str, str]:
    answers = reference_answers(course_dir, ps)
    written = {
        g
        for g, c in ((grade_id(c), c) for c in release_nb(course_dir, ps).cells)
        if c.cell_type == "markdown" and g in answers
    }
    for g in written:
        answers[g] = release_nb_text(course_dir, ps, g)  # unanswered unless PARTIAL says otherwise
    answers.update(PARTIAL[ps])
    return answers


def release_nb_text(course_dir: Path, ps: str, gid: str) -> str:
    return cell(release_nb(course_dir, ps), gid).source


@dataclass
class Case:
    student: str
    ps: str
    expect_score: float
    expect_status: str  # prefix of the export status
    expect_problem: str = ""  # a substring of the recorded problems / reason
    why: str = ""
    write: object = None  # callable(course_dir) that writes the submission
    sequential: bool = False  # also graded in the sequential run (no timeouts there, to keep it quick)
    extra: dict = field(default_factory=dict)


def _with(nb, gid, text):
    nb = copy.deepcopy(nb)
    cell(nb, gid).source = text
    return nb


def standard_cases(course_dir: Path) -> list[Case]:
    cases = []
    for ps in PROBLEM_SETS:
        pts = points(course_dir, ps)
        auto = sum(pts.values())
        cases.append(
            Case(
                "ref",
                ps,
                auto,
                "needs-manual-grading",
                why="the reference solution",
                write=lambda d, ps=ps: submit(d, "ref", ps, reference(d, ps)),
                sequential=ps in ("ps1", "ps2"),
            )
        )
        cases.append(
            Case(
                "blank",
                ps,
                0.0,
                "graded",
                why="the release, untouched",
                write=lambda d, ps=ps: submit(d, "blank", ps, blank(d, ps)),
                sequential=ps in ("ps1", "ps2"),
            )
        )
        cases.append(
            Case(
                "partial",
                ps,
                sum(pts[g] for g in PARTIAL_PASSES[ps]),
                "needs-manual-grading",
                why="some answers right, some wrong",
                write=lambda d, ps=ps: submit(d, "partial", ps, answered(d, ps, partial_answers(d, ps))),
                sequential=ps in ("ps1", "ps2"),
            )
        )
    return cases


def fault_cases(course_dir: Path) -> list[Case]:
    """The fault matrix, on problem set 1."""
    ps = "ps1"
    R = reference_answers(course_dir, ps)
    P = partial_answers(course_dir, ps)
    partial_score = sum(points(course_dir, ps)[g] for g in PARTIAL_PASSES[ps])

    def ref_with(gid, extra):
        return answered(course_dir, ps, {**R, gid: R[gid] + extra})

    def partial_nb():
        return answered(course_dir, ps, P)

    def test_replaced_by_pass(d):
        submit(d, "f-test-pass", ps, _with(partial_nb(), "q2_tests", "pass"))

    def test_deleted(d):
        nb = partial_nb()
        nb.cells = [c for c in nb.cells if grade_id(c) != "q2_tests"]
        submit(d, "f-test-deleted", ps, nb)

    def metadata_removed(d):
        nb = _with(partial_nb(), "q2_tests", "pass")
        del cell(nb, "q2_tests").metadata["nbgrader"]
        submit(d, "f-metadata-removed", ps, nb)

    def duplicate_ids(d):
        nb = partial_nb()
        original = cell(nb, "q2_tests")
        fake = copy.deepcopy(original)
        fake.source = "pass"
        nb.cells.insert(nb.cells.index(original), fake)
        submit(d, "f-duplicate-ids", ps, nb)

    def invalid_json(d):
        text = json.dumps(reference(course_dir, ps))
        submit(d, "f-invalid-json", ps, raw=text[: len(text) // 2].encode())

    def nbformat_v3(d):
        # the reference solution, saved in the old v3 format (worksheets; metadata kept per cell)
        old = nbformat.writes(nbformat.convert(reference(course_dir, ps), 3), version=3)
        assert json.loads(old)["nbformat"] == 3 and "worksheets" in json.loads(old)
        submit(d, "f-nbformat-v3", ps, raw=old.encode())

    def patches_checker(d):
        hook = (
            "ip = get_ipython()\nip.showtraceback = lambda *a, **k: None\n"
            "ip._showtraceback = lambda *a, **k: None\n\n"
        )
        submit(
            d, "f-patches-checker", ps, answered(course_dir, ps, {**P, "q1_answer": hook + P["q1_answer"]})
        )

    loop = "\n\nwhile True:  # a correct function, then an endless loop\n    pass\n"
    no_sigint = (
        "\n\nimport signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "while True:\n    time.sleep(0.01)\n"
    )
    return [
        Case(
            "f-loop-after-correct",
            ps,
            points_before(course_dir, ps, "q3_answer"),
            "timed out: cell 'q3_answer'",
            "cell 'q3_answer' did not finish within",
            "a correct function followed by an infinite loop",
            lambda d: submit(d, "f-loop-after-correct", ps, ref_with("q3_answer", loop)),
        ),
        Case(
            "f-ignores-sigint",
            ps,
            points_before(course_dir, ps, "q5_answer"),
            "timed out: cell 'q5_answer'",
            "cell 'q5_answer' did not finish within",
            "a loop that ignores SIGINT",
            lambda d: submit(d, "f-ignores-sigint", ps, ref_with("q5_answer", no_sigint)),
        ),
        Case(
            "f-os-exit",
            ps,
            points_before(course_dir, ps, "q2_answer"),
            "crashed: the kernel died during cell 'q2_answer'",
            "exit status 1",
            "os._exit(1)",
            lambda d: submit(d, "f-os-exit", ps, ref_with("q2_answer", "\nimport os\nos._exit(1)\n")),
            True,
        ),
        Case(
            "f-sys-exit",
            ps,
            points_before(course_dir, ps, "q5_answer"),
            "crashed: cell 'q5_answer' raised SystemExit",
            "cell 'q5_answer' raised SystemExit",
            "sys.exit()",
            lambda d: submit(d, "f-sys-exit", ps, ref_with("q5_answer", "\nimport sys\nsys.exit()\n")),
            True,
        ),
        Case(
            "f-4gb",
            ps,
            points_before(course_dir, ps, "q5_answer"),
            "killed (memory): cell 'q5_answer'",
            "cell 'q5_answer' ran out of memory",
            "allocating 4 GB",
            lambda d: submit(d, "f-4gb", ps, ref_with("q5_answer", "\nhog = bytearray(4 * 1024 ** 3)\n")),
        ),
        Case(
            "f-50mb",
            ps,
            points_before(course_dir, ps, "q2_answer"),
            "output-capped: cell 'q2_answer'",
            "cell 'q2_answer' printed more than",
            "printing 50 MB",
            lambda d: submit(d, "f-50mb", ps, ref_with("q2_answer", '\nprint("x" * 50_000_000)\n')),
        ),
        Case(
            "f-nbformat-v3",
            ps,
            sum(points(course_dir, ps).values()),
            "needs-manual-grading",
            why="a valid notebook in nbformat v3: converted and graded, not refused",
            write=nbformat_v3,
        ),
        Case(
            "f-test-pass",
            ps,
            partial_score,
            "tampered: locked cell 'q2_tests' was edited",
            "restored",
            "a test cell replaced by pass",
            test_replaced_by_pass,
            True,
        ),
        Case(
            "f-test-deleted",
            ps,
            partial_score,
            "tampered: locked cell 'q2_tests' was deleted",
            "restored",
            "a test cell deleted",
            test_deleted,
        ),
        Case(
            "f-metadata-removed",
            ps,
            partial_score,
            "tampered: cell 'q2_tests' had its nbgrader metadata removed",
            "cell 'q2_tests' had its nbgrader metadata removed",
            "a grade cell's metadata removed",
            metadata_removed,
            True,
        ),
        Case(
            "f-duplicate-ids",
            ps,
            partial_score,
            "tampered: duplicated cell ids: q2-tests",
            "q2-tests",
            "duplicated cell ids",
            duplicate_ids,
        ),
        Case(
            "f-invalid-json",
            ps,
            0.0,
            "invalid file: ps1.ipynb is not valid JSON",
            "not valid JSON",
            "invalid JSON",
            invalid_json,
            True,
        ),
        Case(
            "f-empty",
            ps,
            0.0,
            "invalid file: ps1.ipynb is an empty file",
            "empty file",
            "an empty file",
            lambda d: submit(d, "f-empty", ps, raw=b""),
        ),
        Case(
            "f-wrong-name",
            ps,
            0.0,
            "invalid file: missing file ps1.ipynb (found: ps1 (1).ipynb)",
            "missing file",
            "a wrongly named notebook",
            lambda d: submit(d, "f-wrong-name", ps, reference(course_dir, ps), name="ps1 (1).ipynb"),
            True,
        ),
        Case(
            "f-rebinds-builtins",
            ps,
            0.0,
            "tampered: the checks were tampered with",
            "assigns `builtins.sorted`",
            "code that rebinds builtins",
            lambda d: submit(
                d,
                "f-rebinds-builtins",
                ps,
                answered(
                    course_dir,
                    ps,
                    {
                        **P,
                        "q2_answer": P["q2_answer"] + "\nimport builtins\n"
                        "builtins.sorted = lambda items, reverse=False: list(items)\n",
                    },
                ),
            ),
        ),
        Case(
            "f-patches-checker",
            ps,
            0.0,
            "tampered: the checks were tampered with",
            "assigns `ip.showtraceback`",
            "code that silences the checker's tracebacks",
            patches_checker,
            True,
        ),
    ]


def attack_cases(course_dir: Path, token: str, port: int) -> list[Case]:
    """Submissions that attack the grader. The paths are the real ones of this course, as if the
    student knew the layout; each attack prints what it achieved."""
    ps = "ps1"
    P = partial_answers(course_dir, ps)
    partial_score = sum(points(course_dir, ps)[g] for g in PARTIAL_PASSES[ps])
    root = str(course_dir)
    attacks = {
        "x-gradebook": f'''
import os
for target in ["{root}/gradebook.db", "../gradebook.db", "../../gradebook.db", "../../../gradebook.db"]:
    try:
        with open(target, "r+b") as f:
            f.truncate(0)
        print("ATTACK truncated", target)
    except OSError as e:
        print("ATTACK failed", target, type(e).__name__)
''',
        "x-delete-peer": f'''
import os, shutil
for target in ["{root}/submitted/ref/ps1/ps1.ipynb", "../../../submitted/ref/ps1/ps1.ipynb"]:
    try:
        os.remove(target)
        print("ATTACK deleted", target)
    except OSError as e:
        print("ATTACK failed", target, type(e).__name__)
try:
    shutil.rmtree("{root}/autograded")
    print("ATTACK deleted autograded")
except OSError as e:
    print("ATTACK failed autograded", type(e).__name__)
''',
        "x-read-source": f'''
import os
print("ATTACK root holds", sorted(os.listdir("/")), "uid", os.getuid())
try:
    print(open("{root}/source/ps1/ps1.ipynb").read())
    print("ATTACK read the source")
except OSError as e:
    print("ATTACK failed source", type(e).__name__)
''',
        "x-background": f'''
import os, subprocess, sys
cmd = [sys.executable, "-c", "import time; time.sleep(600)", "{token}"]
subprocess.Popen(cmd, start_new_session=True)
pid = os.fork()
if pid == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, cmd)
    os._exit(0)
os.waitpid(pid, 0)
print("ATTACK started background processes")
''',
        "x-network": f"""
import socket
for host, port in [("127.0.0.1", {port}), ("10.255.255.1", 80)]:
    try:
        socket.create_connection((host, port), timeout=2).close()
        print("ATTACK connected", host)
    except OSError as e:
        print("ATTACK no connection to", host, type(e).__name__)
""",
    }
    cases = []
    for student, code in attacks.items():

        def write(d, student=student, code=code):
            import nbformat

            nb = answered(course_dir, ps, P)
            setup = [i for i, c in enumerate(nb.cells) if grade_id(c) == "ps1_setup"][0]
            nb.cells.insert(setup + 1, nbformat.v4.new_code_cell(code.strip()))
            if (
                student == "x-read-source"
            ):  # and, at the end, print every cell run so far (hidden tests included)
                nb.cells.append(nbformat.v4.new_code_cell('print("\\n".join(In))'))
            submit(d, student, ps, nb)

        cases.append(
            Case(student, ps, partial_score, "needs-manual-grading", "", f"attack: {student}", write)
        )
    return cases
