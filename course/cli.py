"""The course's command line: ``course release|collect|grade|mark|extend|roster|feedback|export|report|...``.

Built on nbgrader's Python API (``NbGraderAPI``, ``Gradebook`` and its
preprocessors) with the course's own safety layer from
:mod:`course.grading`. ``course --help`` and ``course CMD --help`` describe
each command; ``assignments/README.md`` is the instructor's guide.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import time
from pathlib import Path


def _course(args):
    from course.grading.coursedir import Course

    return Course(args.course_dir)


@contextlib.contextmanager
def _writing(path):
    """Around writing a file the instructor named (``--output``, ``--csv``, ``--out``): one that cannot be
    written (a missing folder, no permission) is a clear error naming it, not a traceback."""
    from course.grading.coursedir import CourseError

    try:
        yield Path(path)
    except OSError as e:
        raise CourseError(f"cannot write {path}: {e.strerror or e}") from None


def _write_text(path, text: str) -> None:
    with _writing(path) as p:
        p.write_text(text, encoding="utf-8")


def _quiet_nbgrader() -> None:
    # nbgrader logs every step at INFO; the course prints its own summary
    import warnings

    for name in ("traitlets", "NbGraderAPI", "nbgrader"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # nbgrader 0.9.6's gradebook triggers SQLAlchemy 2 autoflush warnings that are harmless
    warnings.filterwarnings("ignore", message=".*not in session.*")


def cmd_release(args) -> int:
    from course.grading import release as rel
    from course.grading.progress import Progress

    course = _course(args)
    names = course.select(args.ps)
    due = None
    if args.due:
        from course.grading.policy import parse_date

        due = parse_date(args.due)
    print(f"Releasing {len(names)} problem set(s) from {course.source}")
    bar = Progress(len(names), "release")
    failed = []
    for name in names:
        try:
            report = rel.release(course, name)
            if due is not None:
                from course.grading.policy import set_due

                set_due(course, name, due)
            if args.publish:
                rel.publish(course, name)
        except rel.LeakError as e:
            failed.append(name)
            bar.step(f"{name}: LEAK")
            print(
                f"FAIL {name}: {e}\n     The student version was deleted; fix the master notebook and release again."
            )
            continue
        except rel.CourseError as e:
            failed.append(name)
            bar.step(f"{name}: failed")
            print(f"FAIL {name}: {e}")
            continue
        bar.step(f"{name}: ok")
        where = " and published to the exchange" if args.publish else ""
        where += f"; due {due:%Y-%m-%d %H:%M} UTC" if due is not None else ""
        print(
            f"ok   {name}: {', '.join(report.notebooks)} written to {course.release / name}{where}; "
            f"checked against {report.secret_lines} solution and hidden-test lines: none leaked"
        )
    print(
        f"Summary: {len(names) - len(failed)} released, {len(failed)} failed"
        + (f" ({', '.join(failed)})" if failed else "")
    )
    return 1 if failed else 0


def cmd_collect(args) -> int:
    from course.grading.collect import collect

    course = _course(args)
    names = course.select(args.ps)
    bad = 0
    for name in names:
        report = collect(course, name, update=args.update, students=args.student or None)
        print(
            f"{name}: {len(report.collected)} collected, {len(report.updated)} updated, "
            f"{len(report.skipped)} already collected"
            + ("" if args.update or not report.skipped else " (use --update for newer submissions)")
        )
        for line in report.refused:
            print(f"  refused {line}")
        for line in report.backdated:
            print(f"  late, not as claimed: {line}")
        bad += len(report.refused)
    print(
        f"Summary: {len(names)} problem set(s) collected into {course.submitted}"
        + (
            f"; {bad} file(s) or submission(s) refused (not regular files); `course grade` marks them "
            f"'failed: invalid file'"
            if bad
            else ""
        )
    )
    return 0


def cmd_grade(args) -> int:
    from course.grading.grader import INTERNAL_ERROR, Grader
    from course.grading.sandbox import detect_isolation

    course = _course(args)
    if args.timeout is not None:
        course.settings.cell_timeout = args.timeout
    if args.isolation:
        course.settings.isolation = args.isolation
    names = course.select(args.ps)
    isolation = detect_isolation(
        course.settings.isolation, course.settings.sandbox_uid_base, course.settings.jail
    )
    if isolation.mode == "none" and not args.allow_unisolated:
        print(
            "error: this machine offers no isolation for student code (not root, no user namespaces);\n"
            "       a submission could read or change anything you can. Run `course doctor` for the fix,\n"
            "       or pass --allow-unisolated if you trust every submission.",
            file=sys.stderr,
        )
        return 2
    grader = Grader(course, jobs=args.jobs, isolation=isolation, progress=True)
    started = time.monotonic()
    print(
        f"Grading {', '.join(names)} with {grader.jobs} job(s); isolation: {isolation.mode} ({isolation.why}); "
        f"limits: {course.settings.cell_timeout:g} s per cell, {course.settings.memory_mb} MB, "
        f"{course.settings.output_kb} KB output per cell"
    )
    outcomes = grader.run(names, args.student or None)
    elapsed = time.monotonic() - started
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
        line = f"{o.status:15} {o.assignment}/{o.student}"
        if o.status != "graded":
            line += f": {o.reason}"
        print(line)
        for p in o.problems:
            print(f"        - {p.splitlines()[0]}")
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "no submissions found"
    print(
        f"Summary: {len(outcomes)} submission(s) in {elapsed:.1f} s: {summary}. "
        f"Scores are in {course.db_url}; `course export` writes them with their status."
    )
    for o in grader.unrecorded:
        print(
            f"error: could not record {o.assignment}/{o.student} in the gradebook: {o.record_error}",
            file=sys.stderr,
        )
    internal = [o for o in outcomes if any(n.reason.startswith(INTERNAL_ERROR) for n in o.notebooks)]
    for o in internal:
        print(
            f"error: {o.assignment}/{o.student} hit an error of the grader itself, not of the submission; "
            f"it is recorded as crashed until `course grade {o.assignment} --student {o.student}` grades it",
            file=sys.stderr,
        )
    if grader.not_graded:
        print(
            f"Interrupted: {len(grader.not_graded)} submission(s) not graded "
            f"({', '.join(f'{t.assignment}/{t.student}' for t in grader.not_graded[:10])}"
            f"{', ...' if len(grader.not_graded) > 10 else ''}); run the same `course grade` again to finish."
        )
        return 130
    return 1 if grader.unrecorded or internal else 0


def cmd_feedback(args) -> int:
    from course.grading import feedback as fb
    from course.grading.coursedir import CourseError
    from course.grading.progress import Progress

    course = _course(args)
    names = course.select(args.ps)
    bar = Progress(len(names), "feedback")
    failed = 0
    for name in names:
        try:
            report = fb.generate(course, name)
        except CourseError as e:
            failed += 1
            bar.step(f"{name}: failed")
            print(f"FAIL {name}: {e}")
            continue
        bar.step(f"{name}: {len(report.written)} file(s)")
        if report.written or not (report.missing or report.unwritten):  # (else the FAIL lines say it all)
            print(
                f"ok   {name}: {len(report.written)} feedback file(s) in {course.feedback}; hidden tests "
                f"removed and checked"
                + (f"; no feedback for {', '.join(report.skipped)} (not graded)" if report.skipped else "")
            )
        from course.grading.gradebook import missing_copy_status

        for student in report.missing:
            print(f"FAIL {name}/{student}: {missing_copy_status(course, name, student)}")
        for student in report.unwritten:
            print(
                f"FAIL {name}/{student}: graded, but nbgrader wrote no feedback file in "
                f"{course.feedback.name}/{student}/{name}/, so this student gets no feedback"
            )
        failed += bool(report.missing or report.unwritten)
    print(f"Summary: {len(names) - failed} problem set(s) done, {failed} failed")
    return 1 if failed else 0


def cmd_export(args) -> int:
    from course.grading.export import export

    course = _course(args)
    result = export(
        course,
        args.format,
        assignments=course.select(args.ps) if args.ps else None,
        per_question=args.per_question,
        canvas_id_field=args.canvas_id_field,
    )
    info = sys.stderr if args.output == "-" else sys.stdout
    if args.output == "-":
        sys.stdout.write(result.text)
    else:
        _write_text(args.output, result.text)
        print(f"Wrote {result.rows} row(s) to {args.output} ({args.format} layout)")
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    print(
        "Summary: " + (", ".join(f"{n} {s}" for s, n in sorted(result.counts.items())) or "no rows"),
        file=info,
    )
    return 0


def cmd_report(args) -> int:
    from course.grading.report import class_report
    from course.grading.report_html import write_html

    course = _course(args)
    (name,) = course.select([args.ps])
    report = class_report(course, name, reached_at=args.reached_at)
    out = Path(args.output or f"report-{name}.html")
    with _writing(out):
        write_html(report, out)
    print(f"Wrote {out}: {report.summary_line()}")
    if args.csv:
        _write_text(args.csv, report.to_csv())
        print(f"Wrote {args.csv}: the same numbers as CSV")
    for w in report.warnings:
        print(f"warning: {w}", file=sys.stderr)
    return 0


def cmd_mark(args) -> int:
    from course.grading.marking import mark

    r = mark(_course(args), args.ps, args.student, args.cell, args.points, args.comment)
    print(
        f"ok   {r.assignment}/{r.student} {r.cell}: {r.points:g} of {r.max_points:g} point(s)"
        + (" with a comment" if args.comment is not None else "")
        + f"; {r.pending:g} point(s) of this submission still to mark"
        + (f"; late penalty now {r.penalty:g}" if r.penalty else "")
    )
    return 0


def cmd_extend(args) -> int:
    from course.grading.policy import extend, parse_date

    if bool(args.until) == bool(args.clear):
        print("error: give either --until DATE or --clear", file=sys.stderr)
        return 2
    print(
        "ok   " + extend(_course(args), args.ps, args.student, parse_date(args.until) if args.until else None)
    )
    return 0


def cmd_roster(args) -> int:
    from course.grading.roster import import_roster

    r = import_roster(_course(args), Path(args.file))
    print(f"ok   {args.file}: {len(r.added)} student(s) added, {len(r.updated)} updated (names and emails)")
    return 0


def cmd_doctor(args) -> int:
    from course.grading import doctor
    from course.grading.coursedir import CourseError

    try:
        course, missing = _course(args), ""
    except CourseError as e:  # e.g. installed from a wheel, run outside the course: check the rest
        course, missing = None, str(e)
    checks = doctor.run(
        course,
        Path(args.jupyter_root) if args.jupyter_root else None,
        missing,
        [Path(r) for r in args.student_root or []],
    )
    for c in checks:
        print(f"{'ok  ' if c.ok else 'WARN' if c.warning else 'FAIL'} {c.name}: {c.detail}")
        if not c.ok and c.fix:
            print(f"     fix: {c.fix}")
    bad = sum(not c.ok and not c.warning for c in checks)
    warned = sum(not c.ok and c.warning for c in checks)
    print(f"Summary: {len(checks)} checks, {bad} problem(s)" + (f", {warned} warning(s)" if warned else ""))
    return 1 if bad else 0


def cmd_selfcheck(args) -> int:
    from course.selfcheck import encode, hash_answer, hash_numeric
    from course.selfcheck.questions import option_mark, pair_hash, position_hash

    if args.what == "validate":
        return _validate_banks(args)
    if args.what == "key":
        return _answer_key(args)
    if args.what == "hash":
        print(hash_answer(args.qid, args.answer[0] if len(args.answer) == 1 else list(args.answer)))
    elif args.what == "set":
        print(hash_answer(args.qid, set(args.answer)))
    elif args.what == "marks":
        right = set(args.right)
        print(f"answer = {hash_answer(args.qid, right)!r}".replace("'", '"'))
        for o in list(args.right) + list(args.wrong or []):
            print(f'# {o}\nmark = "{option_mark(args.qid, o, o in right)}"')
    elif args.what == "order":
        print(f'answer = "{hash_answer(args.qid, list(args.items))}"')
        print(
            "positions = ["
            + ", ".join(f'"{position_hash(args.qid, i, it)}"' for i, it in enumerate(args.items))
            + "]"
        )
    elif args.what == "match":
        pairs = {}
        for p in args.pairs:
            left, sep, right = p.partition("=")
            if not sep:
                print(f"error: give pairs as LEFT=RIGHT, got {p!r}", file=sys.stderr)
                return 2
            pairs[left] = right
        print(f'answer = "{hash_answer(args.qid, pairs)}"')
        print("pairs = [" + ", ".join(f'"{pair_hash(args.qid, ln, r)}"' for ln, r in pairs.items()) + "]")
    elif args.what == "numeric":
        print(hash_numeric(args.qid, args.value, args.tolerance))
    else:
        print(encode(" ".join(args.text)))
    return 0


def _answer_key(args) -> int:
    from course.selfcheck.key import answer_key
    from course.selfcheck.paths import REPO_LESSONS

    lessons = Path(args.lessons) if args.lessons else REPO_LESSONS
    try:
        text = answer_key(lessons, args.lesson)
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.out:
        _write_text(args.out, text + "\n")
        print(f"wrote the answer key to {args.out}")
    else:
        print(text)
    return 0


def _validate_banks(args) -> int:
    from course.selfcheck.bank import validate, validate_all
    from course.selfcheck.paths import REPO_LESSONS

    lessons = Path(args.lessons) if args.lessons else REPO_LESSONS
    if args.banks:
        results = {}
        for b in args.banks:
            b = Path(b)
            nb = next(iter(sorted(b.parent.parent.glob(f"{b.stem}_*.ipynb"))), None)
            results[b] = validate(b, nb)
    else:
        results = validate_all(lessons)
    bad = 0
    for path, problems in results.items():
        if problems:
            bad += len(problems)
            for p in problems:
                print(f"FAIL {p}")
        else:
            print(f"ok   {path}")
    print(f"Summary: {len(results)} bank(s), {bad} problem(s)")
    return 1 if bad or not results else 0


def _add_selfcheck(sub) -> None:
    s = sub.add_parser(
        "selfcheck", help="for lesson authors: make answer hashes, encode text, validate the banks"
    )
    what = s.add_subparsers(dest="what", required=True)
    h = what.add_parser("hash", help="hash an answer (several answers = an ordered list)")
    h.add_argument("qid", help="the question id, e.g. l01-test-ban")
    h.add_argument("answer", nargs="+")
    st = what.add_parser("set", help="hash a set of right options")
    st.add_argument("qid")
    st.add_argument("answer", nargs="+")
    mk = what.add_parser("marks", help="answer and per-option marks for a several-answer question")
    mk.add_argument("qid")
    mk.add_argument("--right", nargs="+", required=True, help="the right options")
    mk.add_argument("--wrong", nargs="*", help="the other options")
    o = what.add_parser("order", help="answer and per-position hashes for an ordering question")
    o.add_argument("qid")
    o.add_argument("items", nargs="+", help="the items in the right order")
    m = what.add_parser("match", help="answer and per-pair hashes for a matching question")
    m.add_argument("qid")
    m.add_argument("pairs", nargs="+", help="LEFT=RIGHT, one per left item, in the bank's order")
    n = what.add_parser("numeric", help="hash a number with its tolerance")
    n.add_argument("qid")
    n.add_argument("value", type=float)
    n.add_argument("tolerance", type=float)
    e = what.add_parser("encode", help="encode an explanation, feedback, a reveal or a model answer")
    e.add_argument("text", nargs="+")
    v = what.add_parser("validate", help="check every question bank against its lesson")
    v.add_argument("banks", nargs="*", help="bank files (default: every lessons/questions/*.toml)")
    v.add_argument("--lessons", help="the lessons folder (default: the repository's)")
    k = what.add_parser("key", help="for instructors: the lessons' answers in plain text (Markdown)")
    k.add_argument("--lesson", nargs="*", help="lesson numbers (default: every lesson)")
    k.add_argument("--lessons", help="the lessons folder (default: the repository's)")
    k.add_argument("--out", help="write the key to this file instead of printing it")
    s.set_defaults(func=cmd_selfcheck)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="course",
        description="Release and grade the course's problem sets (nbgrader); "
        "copy the lessons for a student (course lessons).",
    )
    p.add_argument(
        "--course-dir", help="the nbgrader course folder (default: ./assignments or the repository's)"
    )
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("release", help="generate the student versions and check that nothing secret leaked")
    r.add_argument("ps", nargs="*", help="problem sets (default: all)")
    r.add_argument("--publish", action="store_true", help="also copy them to the exchange for students")
    r.add_argument("--due", help="due date, e.g. '2026-03-01 17:00' (UTC) or 2026-03-01T17:00+02:00")
    r.set_defaults(func=cmd_release)

    c = sub.add_parser(
        "collect",
        help="copy submissions from the exchange (like nbgrader collect), refusing links, FIFOs and devices",
    )
    c.add_argument("ps", nargs="+", help="problem sets")
    c.add_argument("--update", action="store_true", help="replace collected submissions by newer ones")
    c.add_argument("--student", action="append", help="collect only this student (repeatable)")
    c.set_defaults(func=cmd_collect)

    g = sub.add_parser("grade", help="autograde every submission, each in its own jail")
    g.add_argument("ps", nargs="*", help="problem sets (default: all)")
    g.add_argument("--jobs", "-j", type=int, default=1, help="submissions graded in parallel (processes)")
    g.add_argument("--student", action="append", help="grade only this student (repeatable)")
    g.add_argument("--timeout", type=float, help="seconds per cell (overrides c.CourseGrader.cell_timeout)")
    g.add_argument(
        "--isolation", choices=["auto", "namespaces", "uid", "none"], help="override the isolation"
    )
    g.add_argument(
        "--allow-unisolated", action="store_true", help="grade even where no isolation is available"
    )
    g.set_defaults(func=cmd_grade)

    f = sub.add_parser("feedback", help="write feedback HTML without the hidden tests")
    f.add_argument("ps", nargs="*", help="problem sets (default: all)")
    f.set_defaults(func=cmd_feedback)

    e = sub.add_parser("export", help="CSV of scores with a status column, or for Canvas or Moodle")
    e.add_argument("ps", nargs="*", help="problem sets (default: all in the gradebook)")
    e.add_argument("--output", "-o", default="grades.csv", help="file to write, or - for standard output")
    e.add_argument(
        "--format",
        choices=["nbgrader", "canvas", "moodle"],
        default="nbgrader",
        help="nbgrader (default): a row per problem set and student; canvas, moodle: their gradebook import",
    )
    e.add_argument("--per-question", action="store_true", help="add a column per question")
    e.add_argument(
        "--canvas-id-field",
        choices=["sis_login_id", "sis_user_id"],
        default="sis_login_id",
        help="the Canvas column that holds the nbgrader student id (default: SIS Login ID)",
    )
    e.set_defaults(func=cmd_export)

    rp = sub.add_parser(
        "report", help="one HTML file of what the class learned: scores, questions, objectives"
    )
    rp.add_argument("ps", help="the problem set")
    rp.add_argument("--output", "-o", help="the HTML file (default: report-PS.html)")
    rp.add_argument("--csv", help="also write the numbers to this CSV file")
    rp.add_argument(
        "--reached-at",
        type=float,
        default=0.5,
        help="share of an objective's points a student needs to have reached it (default: 0.5)",
    )
    rp.set_defaults(func=cmd_report)

    mk = sub.add_parser("mark", help="a hand mark (and comment) for one cell, through the gradebook")
    mk.add_argument("ps")
    mk.add_argument("student")
    mk.add_argument("cell", help="the cell's grade id (NOTEBOOK/GRADE_ID if the set has several notebooks)")
    mk.add_argument("points", type=float)
    mk.add_argument("--comment", help="feedback for the student on this cell")
    mk.set_defaults(func=cmd_mark)

    x = sub.add_parser("extend", help="give one student a later due date for one problem set")
    x.add_argument("ps")
    x.add_argument("student")
    x.add_argument("--until", help="the student's due date, e.g. '2026-03-04 17:00' (UTC)")
    x.add_argument("--clear", action="store_true", help="remove the extension")
    x.set_defaults(func=cmd_extend)

    ro = sub.add_parser("roster", help="import the class list (id, first_name, last_name, email)")
    ro_what = ro.add_subparsers(dest="what", required=True)
    ri = ro_what.add_parser("import", help="add or update students from a CSV file, all or nothing")
    ri.add_argument("file")
    ri.set_defaults(func=cmd_roster)

    d = sub.add_parser("doctor", help="check versions, extensions, exchange, Jupyter root and isolation")
    d.add_argument("--jupyter-root", help="the folder JupyterLab is started in (default: the current folder)")
    d.add_argument(
        "--student-root",
        action="append",
        help="a folder a student-facing server serves (its ServerApp.root_dir); warns if the masters are "
        "inside (repeatable)",
    )
    d.set_defaults(func=cmd_doctor)

    from course.lessons_copy import add_parser as add_lessons_parser

    add_lessons_parser(sub)
    _add_selfcheck(sub)
    return p


def _venv_on_path() -> None:
    # nbgrader runs `alembic` (installed beside it) when it creates a gradebook
    import os

    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _quiet_nbgrader()
    _venv_on_path()
    from course.grading.coursedir import CourseError
    from course.grading.sandbox import IsolationError

    try:
        return args.func(args)
    except (CourseError, IsolationError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
