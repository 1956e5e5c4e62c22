"""``course feedback``: feedback HTML that names failed hidden tests but never shows them.

Two nbgrader preprocessors, configured in ``nbgrader_config.py`` for
``GenerateFeedback`` (so Formgrader's button uses them too):

* :class:`RedactHiddenText` removes any output, in any cell, that repeats a
  line of a hidden test (a student's cell printing ``In`` or ``_ih``, or a
  traceback quoting the test);
* :class:`HideHiddenTests` removes the hidden-test regions from the source
  and replaces the outputs of those cells (tracebacks included) with one line:
  the test's name and whether it passed.

After nbgrader has written the HTML, :func:`generate` reads every file back
and fails, naming the file, if any hidden-test line survived.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor

from .coursedir import Course, CourseError
from .notebooks import HIDDEN_TESTS, MARK_SCHEME, Secrets, grade_id, read_notebook, remove_region, strings
from .verdict import ENAME

REDACTED = "[output removed by the grader: it repeated a hidden test]\n"


HIDDEN_KINDS = ("hidden test", "mark scheme")


def _has_hidden(cell) -> bool:
    return HIDDEN_TESTS[0] in cell.get("source", "")


class RedactHiddenText(NbGraderPreprocessor):
    """Remove outputs (of cells other than the hidden tests themselves) that repeat hidden-test lines."""

    def preprocess(self, nb, resources):
        self._lines = set(Secrets.of(nb, kinds=HIDDEN_KINDS).lines)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and not _has_hidden(cell) and self._lines:
            for i, out in enumerate(cell.get("outputs", [])):
                text = strings(out)
                if any(line in text for line in self._lines):
                    cell.outputs[i] = nbformat.v4.new_output("stream", name="stdout", text=REDACTED)
        return cell, resources


def _failed(cell) -> bool:
    return any(
        o.get("output_type") == "error" or o.get("output_type") == "stream" and o.get("name") == "stderr"
        for o in cell.get("outputs", [])
    )


class HideHiddenTests(NbGraderPreprocessor):
    """Hidden tests: the region leaves the source; the outputs become 'Hidden test NAME: passed/failed'."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and _has_hidden(cell):
            name = grade_id(cell) or f"#{index + 1}"
            grader_notes = [
                o.get("evalue", "")
                for o in cell.get("outputs", [])
                if o.get("output_type") == "error" and o.get("ename") == ENAME
            ]
            verdict = "failed" if _failed(cell) else "passed"
            line = f"Hidden test {name}: {verdict}"
            if grader_notes:
                line += f" ({grader_notes[0]})"
            cell.source = remove_region(remove_region(cell.source, HIDDEN_TESTS), MARK_SCHEME)
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=line + "\n")]
        elif MARK_SCHEME[0] in cell.get("source", ""):
            cell.source = remove_region(cell.source, MARK_SCHEME)
        return cell, resources


def html_text(page: str) -> str:
    """The text of an HTML page (tags removed, entities decoded; script and style text kept, since the
    leak check must see everything a page carries)."""
    from bs4 import BeautifulSoup

    return BeautifulSoup(page, "html.parser").get_text()


@dataclass
class FeedbackReport:
    assignment: str
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # graded in the gradebook, but no autograded copy
    unwritten: list[str] = field(default_factory=list)  # graded, with a copy, but nbgrader wrote no file


def graded_without_copy(course: Course, assignment: str, graded: list[str] | None = None) -> list[str]:
    """Students the gradebook holds as graded (or waiting for hand marking) for ``assignment`` whose
    ``autograded/<student>/<assignment>/`` is gone (e.g. removed by Formgrader's Autograde button in
    nbgrader before the course refused it): their feedback cannot be written. ``graded``: the
    gradebook's graded students, if the caller has read them already."""
    from .gradebook import graded_students

    if graded is None:
        graded = graded_students(course, assignment)
    return [s for s in graded if not (course.autograded / s / assignment).is_dir()]


def hidden_secrets(course: Course, assignment: str) -> Secrets:
    """Lines of the hidden tests and mark schemes of an assignment (from its masters)."""
    lines = {}
    for name in course.notebooks(assignment):
        source = read_notebook(course.source / assignment / f"{name}.ipynb")
        lines.update(Secrets.of(source, kinds=HIDDEN_KINDS).lines)
    return Secrets(lines)


_B64 = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")
_HEX = re.compile(r"[0-9a-fA-F]{16,}")
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]+")
MIN_NORMALIZED = 20  # shorter squeezed lines would match honest text by chance


def _decoded_runs(text: str) -> list[str]:
    """Every base64 or hex run in ``text``, decoded at every alignment a longer encoded text could have."""
    import base64
    import binascii

    out = []
    for run in _B64.findall(text):
        body = run.rstrip("=").replace("-", "+").replace("_", "/")
        for skip in range(4):
            part = body[skip:]
            part = part[: len(part) - len(part) % 4] if len(part) % 4 == 1 else part
            try:
                out.append(base64.b64decode(part + "=" * (-len(part) % 4)).decode("utf-8", errors="ignore"))
            except (binascii.Error, ValueError):
                continue
    for run in _HEX.findall(text):
        for skip in range(2):
            part = run[skip:]
            part = part[: len(part) - len(part) % 2]
            try:
                out.append(bytes.fromhex(part).decode("utf-8", errors="ignore"))
            except ValueError:
                continue
    return out


def encoded_leaks(text: str, secrets: Secrets, public: str = "") -> list[tuple[str, str, str]]:
    """(line, where, encoding) for each secret line found in ``text``: as is, or base64-, hex- or
    rot13-encoded, reversed, or with its characters spaced out (any separators between them).

    ``public``: what students see anyway (the release); a line whose letters and digits also occur
    there (``check = f(...)`` in a visible test) is only looked for as is and encoded, not squeezed."""
    import codecs

    forms = {"as text": text, "rot13": codecs.encode(text, "rot13"), "reversed": text[::-1]}
    decoded = _decoded_runs(text)
    forms["base64/hex"] = "\n".join(decoded)
    forms["rot13 of base64/hex"] = codecs.encode(forms["base64/hex"], "rot13")
    forms["reversed base64/hex"] = "\n".join(d[::-1] for d in decoded) + "\n".join(_decoded_runs(text[::-1]))
    found, seen = [], set()
    normalized = {name: _NOT_ALNUM.sub("", form) for name, form in forms.items()}
    public_squeezed = _NOT_ALNUM.sub("", public)
    for line, where in secrets.lines.items():
        squeezed = _NOT_ALNUM.sub("", line)
        if squeezed in public_squeezed:
            squeezed = ""
        for name, form in forms.items():
            hit = line in form
            how = name
            if not hit and len(squeezed) >= MIN_NORMALIZED and squeezed in normalized[name]:
                hit, how = True, f"{name}, spaced or punctuated" if name != "as text" else "spaced out"
            if hit and line not in seen:
                seen.add(line)
                found.append((line, where, how))
                break
    return found


def check_feedback(course: Course, assignment: str) -> list[str]:
    """Leaks of hidden-test text (the hidden regions, hence every probe expression and rule) into any
    feedback file of ``assignment``, in any of the encodings of :func:`encoded_leaks`."""
    secrets = hidden_secrets(course, assignment)
    public = "\n".join(
        c.get("source", "")
        for p in sorted((course.release / assignment).glob("*.ipynb"))
        for c in read_notebook(p).cells
    )
    found = []
    for path in sorted(course.feedback.glob(f"*/{assignment}/*.html")):
        text = html_text(path.read_text(encoding="utf-8"))
        for line, where, how in encoded_leaks(text, secrets, public):
            found.append(f"{path.relative_to(course.feedback)}: contains {where} ({how}): {line[:60]!r}")
        for marker in (HIDDEN_TESTS[0], HIDDEN_TESTS[1]):
            if marker in text:
                found.append(f"{path.relative_to(course.feedback)}: contains the delimiter '{marker}'")
    return found


def generate(course: Course, assignment: str) -> FeedbackReport:
    """nbgrader generate_feedback for every autograded submission of ``assignment``, then check it."""
    from .policy import refresh_penalties

    report = FeedbackReport(assignment)
    refresh_penalties(course, assignment)  # the feedback shows the penalty of the current score
    from .gradebook import graded_students

    in_gradebook = set(graded_students(course, assignment))
    report.missing = graded_without_copy(course, assignment, sorted(in_gradebook))
    graded = sorted(p.parent.name for p in course.autograded.glob(f"*/{assignment}"))
    if not graded:
        if report.missing:
            return report
        raise CourseError(
            f"nothing of {assignment} is graded yet (no {course.autograded.name}/<student>/{assignment}/); "
            f"run `course collect {assignment}` and `course grade {assignment}` first"
        )
    import warnings

    with warnings.catch_warnings():
        # figures have no static image in the HTML feedback; nbconvert warns about each one
        warnings.filterwarnings("ignore", message="Your element with mimetype")
        result = course.api().generate_feedback(assignment)
    if not result.get("success"):
        from .release import nbgrader_errors

        raise CourseError(
            f"nbgrader could not generate feedback for {assignment}:\n{nbgrader_errors(result)}"
        )
    leaked = check_feedback(course, assignment)
    if leaked:
        for entry in leaked:
            (course.feedback / entry.split(":")[0]).unlink(missing_ok=True)
        raise CourseError(
            "hidden tests reached the feedback (those files were deleted):\n"
            + "\n".join(f"  - {x}" for x in leaked)
        )
    for student in sorted(p.name for p in course.autograded.iterdir() if (p / assignment).is_dir()):
        html_files = sorted((course.feedback / student / assignment).glob("*.html"))
        if html_files:
            report.written += [str(p.relative_to(course.feedback)) for p in html_files]
        elif student in in_gradebook:  # graded, yet no feedback: the student would get nothing
            report.unwritten.append(student)
        else:  # a copy the gradebook does not hold as graded (grading failed for it)
            report.skipped.append(student)
    return report
