"""Self-check exercises with immediate feedback, for learners working alone.

Each question stores its answer **hashed** (salted with the question id), so
reading the notebook does not give the answer away; a wrong answer gets a
hint, never the answer. Explanations and model answers are stored encoded
and shown only after a correct answer or on request.

Question kinds:

* :class:`MultipleChoice` — one right option (or a set, with ``multiple=True``);
* :class:`Order` — put items (e.g. events) in order;
* :class:`Match` — pair each left item with a right item;
* :class:`Numeric` — a number within a tolerance;
* :class:`Code` — a short function, checked by running it on cases;
* :class:`Written` — free text, with a model answer on request.

Every question has a pure ``check(value) -> Feedback`` method (used by the
tests and usable without widgets). In a notebook it displays as a small
ipywidgets form with a *Check* button, built by :mod:`widgets.selfcheck`.

Authors make the hashes with ``course selfcheck hash QID ANSWER`` (or
:func:`hash_answer`) and encode explanations with
``course selfcheck encode TEXT`` (or :func:`encode`).
"""
from __future__ import annotations

import math
import re
from typing import Callable, Iterable, Sequence

from .feedback import Feedback
from .hashing import grid_step, decode, hash_answer, normalize

__all__ = ["MultipleChoice", "Order", "Match", "Numeric", "Code", "Written", "NoAnswer"]


def _require(cond: bool, message: str) -> None:
    if not cond:
        raise ValueError(message)


# ---------------------------------------------------------------- questions
class _Question:
    """Common behaviour: id, prompt, hint, attempts, feedback text, display."""

    kind = "question"

    def __init__(self, qid: str, prompt: str, *, hint: str = "", explanation: str = ""):
        _require(isinstance(qid, str) and re.fullmatch(r"[a-z0-9][a-z0-9._-]*", qid or "") is not None,
                 f"qid must be a lowercase slug like 'l01-test-ban', got {qid!r}")
        _require(isinstance(prompt, str) and prompt.strip() != "", "prompt must be a non-empty string")
        self.qid, self.prompt, self.hint = qid, prompt, hint
        self._explanation = explanation  # encoded
        self.attempts = 0
        self.solved = False

    # -- pure logic
    def _is_correct(self, value) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def _wrong_message(self, value) -> str:
        msg = "Not yet."
        if self.hint:
            msg += f" Hint: {self.hint}"
        return msg

    def check(self, value) -> Feedback:
        """Check an answer and return the feedback a learner sees."""
        if isinstance(value, NoAnswer):
            return Feedback(False, value.why)
        self.attempts += 1
        try:
            ok = self._is_correct(value)
        except (TypeError, ValueError) as e:
            return Feedback(False, f"That answer could not be read: {e}")
        if ok:
            self.solved = True
            msg = "Correct."
            if self._explanation:
                msg += " " + decode(self._explanation)
            return Feedback(True, msg)
        return Feedback(False, self._wrong_message(value))


    def _ipython_display_(self):
        """In a notebook a question shows as its form (:func:`widgets.selfcheck.form`)."""
        from IPython.display import display

        from widgets.selfcheck import form

        display(form(self))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.qid!r}): {self.prompt}"


class MultipleChoice(_Question):
    """Pick the right option (or options, with ``multiple=True``).

    ``answer`` is ``hash_answer(qid, option_text)``, or for several right
    options ``hash_answer(qid, set_of_option_texts)``.
    """

    kind = "multiple-choice"

    def __init__(self, qid, prompt, options: Sequence[str], answer: str, *, multiple=False, hint="", explanation=""):
        super().__init__(qid, prompt, hint=hint, explanation=explanation)
        _require(len(options) >= 2, "a multiple-choice question needs at least two options")
        _require(len(set(map(normalize, options))) == len(options), "options must be distinct")
        self.options, self.answer, self.multiple = list(options), answer, multiple

    def _resolve(self, v):
        if isinstance(v, int) and not isinstance(v, bool):
            _require(0 <= v < len(self.options), f"option number {v} is out of range 0..{len(self.options) - 1}")
            return self.options[v]
        if isinstance(v, str) and len(v) == 1 and v.upper() in "ABCDEFGHIJ"[: len(self.options)]:
            return self.options["ABCDEFGHIJ".index(v.upper())]
        _require(normalize(v) in map(normalize, self.options), f"{v!r} is not one of the options")
        return v

    def _is_correct(self, value):
        if self.multiple:
            chosen = {self._resolve(v) for v in (value if isinstance(value, (list, tuple, set)) else [value])}
            return hash_answer(self.qid, chosen) == self.answer
        return hash_answer(self.qid, self._resolve(value)) == self.answer


class NoAnswer:
    """What a form reads when the learner has not answered yet: feedback, not an attempt."""

    def __init__(self, why: str):
        self.why = why


class Order(_Question):
    """Put the items in order. ``answer`` is ``hash_answer(qid, list_in_right_order)``.

    The items are shown in the order given (authors should shuffle them);
    the learner answers with the items, or their letters ("C A B").
    """

    kind = "order"

    def __init__(self, qid, prompt, items: Sequence[str], answer: str, *, hint="", explanation=""):
        super().__init__(qid, prompt, hint=hint, explanation=explanation)
        _require(len(items) >= 2, "an ordering question needs at least two items")
        _require(len(set(map(normalize, items))) == len(items), "items must be distinct")
        self.items, self.answer = list(items), answer

    def _parse(self, value) -> list[str]:
        letters = "ABCDEFGHIJKLMNOP"[: len(self.items)]
        if isinstance(value, str):
            tokens = [t for t in re.split(r"[\s,;>|]+", value.strip()) if t]
            _require(all(len(t) == 1 and t.upper() in letters for t in tokens),
                     f"give the letters {', '.join(letters)} in order, e.g. '{' '.join(reversed(letters))}'")
            value = [self.items[letters.index(t.upper())] for t in tokens]
        value = list(value)
        _require(len(value) == len(self.items) and {normalize(v) for v in value} == set(map(normalize, self.items)),
                 f"use each of the {len(self.items)} items exactly once")
        return value

    def _is_correct(self, value):
        return hash_answer(self.qid, self._parse(value)) == self.answer


class Match(_Question):
    """Pair each left item with one right item. ``answer`` is ``hash_answer(qid, {left: right, ...})``."""

    kind = "match"

    def __init__(self, qid, prompt, left: Sequence[str], right: Sequence[str], answer: str, *, hint="", explanation=""):
        super().__init__(qid, prompt, hint=hint, explanation=explanation)
        _require(len(left) >= 2 and len(right) >= 2, "a matching question needs at least two items a side")
        self.left, self.right, self.answer = list(left), list(right), answer

    def _is_correct(self, value):
        _require(isinstance(value, dict), "answer with a dict {left item: right item}")
        _require(set(map(normalize, value)) == set(map(normalize, self.left)), "pair every left item")
        right = set(map(normalize, self.right))
        _require(all(normalize(v) in right for v in value.values()), "use only the right-hand items")
        return hash_answer(self.qid, dict(value)) == self.answer


class Numeric(_Question):
    """A number within ``tolerance`` of the answer. ``answer`` is ``hash_numeric(qid, value, tolerance)``.

    Accepted: any x with ``|x - a| <= tolerance``, where a is the answer on a
    grid of tolerance/10 (so the bound is exact to within 5 % of the tolerance).
    """

    kind = "numeric"

    def __init__(self, qid, prompt, answer: str, tolerance: float, *, unit: str = "", hint="", explanation=""):
        super().__init__(qid, prompt, hint=hint, explanation=explanation)
        _require(isinstance(tolerance, (int, float)) and tolerance > 0, f"tolerance must be > 0, got {tolerance!r}")
        self.answer, self.tolerance, self.unit = answer, float(tolerance), unit

    def _is_correct(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", "")
            if self.unit and value.endswith(self.unit):
                value = value[: -len(self.unit)].strip()
        x = float(value)
        _require(math.isfinite(x), "give a finite number")
        g = grid_step(self.tolerance)
        lo, hi = math.floor((x - self.tolerance) / g) - 1, math.ceil((x + self.tolerance) / g) + 1
        for k in range(lo, hi + 1):
            if abs(k * g - x) <= self.tolerance + 1e-12 and hash_answer(self.qid, f"grid:{k}") == self.answer:
                return True
        return False


class Code(_Question):
    """A short function, checked by running it.

    ``cases`` is a list of ``(args, expected_hash)`` pairs: the learner's
    function is called as ``fn(*args)`` and its result must hash to
    ``hash_answer(qid, result)``. Errors in the learner's code become
    feedback, not tracebacks.
    """

    kind = "code"

    def __init__(self, qid, prompt, cases: Iterable[tuple[tuple, str]], *, hint="", explanation=""):
        super().__init__(qid, prompt, hint=hint, explanation=explanation)
        self.cases = [(tuple(a), h) for a, h in cases]
        _require(len(self.cases) >= 1, "a code question needs at least one case")

    def check(self, fn: Callable) -> Feedback:
        self.attempts += 1
        if not callable(fn):
            return Feedback(False, f"Pass your function itself (without calling it), not {type(fn).__name__}.")
        failed = 0
        first_error = None
        for args, expected in self.cases:
            try:
                result = fn(*args)
            except Exception as e:  # noqa: BLE001 - the learner's code may raise anything
                failed += 1
                first_error = first_error or f"calling it with {_short(args)} raised {type(e).__name__}: {e}"
                continue
            if hash_answer(self.qid, _canonical(result)) != expected:
                failed += 1
        if failed == 0:
            self.solved = True
            msg = f"Correct: all {len(self.cases)} checks pass."
            if self._explanation:
                msg += " " + decode(self._explanation)
            return Feedback(True, msg)
        msg = f"Not yet: {failed} of {len(self.cases)} checks fail."
        if first_error:
            msg += f" First error: {first_error}."
        if self.hint:
            msg += f" Hint: {self.hint}"
        return Feedback(False, msg)


def _canonical(result):
    """Results are compared by value: numpy scalars and sequences become plain Python."""
    try:
        import numpy as np

        if isinstance(result, np.generic):
            result = result.item()
        elif isinstance(result, np.ndarray):
            result = result.tolist()
    except ImportError:  # pragma: no cover
        pass
    if hasattr(result, "tolist") and not isinstance(result, (str, bytes)):
        result = result.tolist()
    if isinstance(result, float):
        result = round(result, 6)
    if isinstance(result, (list, tuple)):
        return [_canonical(r) for r in result]
    return result


def _short(args) -> str:
    text = ", ".join(repr(a) for a in args)
    return text if len(text) < 60 else text[:57] + "..."


class Written(_Question):
    """A written answer. Nothing is graded: the learner writes, then may reveal a model answer.

    ``model_answer`` is ``encode(text)``.
    """

    kind = "written"

    def __init__(self, qid, prompt, model_answer: str, *, min_words: int = 20):
        super().__init__(qid, prompt)
        self.model_answer, self.min_words = model_answer, min_words
        decode(model_answer)  # fail early on a bad encoding

    def check(self, value) -> Feedback:
        self.attempts += 1
        words = len(str(value or "").split())
        if words < self.min_words:
            return Feedback(False, f"Write at least {self.min_words} words first ({words} so far); then compare with the model answer.")
        self.solved = True
        return Feedback(True, "Thank you. Compare your answer with the model answer: " + decode(self.model_answer))

    def reveal(self) -> str:
        """The model answer, on request."""
        return decode(self.model_answer)


