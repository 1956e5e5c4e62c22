"""Self-check exercises with immediate feedback, for learners working alone.

Each question stores its answer **hashed** (salted with the question id), so
reading the notebook or the question bank does not give the answer away at a
glance. This is obfuscation, not security: a determined reader can recover
any answer. Explanations, per-option feedback and the revealable answer are
stored encoded (:func:`~course.selfcheck.hashing.encode`).

Question kinds:

* :class:`MultipleChoice` — one right option (or a set, with ``multiple=True``),
  each option with its own feedback;
* :class:`Order` — put items in order; says how many are in the right place;
* :class:`Match` — pair each left item with a right item; says how many pairs are right;
* :class:`Numeric` — a number within a tolerance; says "too high"/"too low"
  when the question stores its value for that (``direction``);
* :class:`Code` — a short function, checked by running it on cases;
* :class:`Written` — free text; the model answer is offered once the learner
  has written at least ``min_words`` words (or chooses to skip).

Every question has a pure ``check(value) -> Feedback`` (used by the tests and
the problem sets, and usable without widgets). Hints come one at a time, one
more per wrong attempt; after :data:`REVEAL_AFTER` wrong attempts
``reveal()`` gives the answer with its explanation and records that it was
revealed. In a notebook a question displays as an ipywidgets form
(:mod:`widgets.selfcheck`); lessons load questions from their bank with
:func:`course.selfcheck.ask`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence

from .feedback import Feedback
from .hashing import decode, grid_step, hash_answer, normalize

__all__ = [
    "MultipleChoice",
    "Order",
    "Match",
    "Numeric",
    "Code",
    "Written",
    "NoAnswer",
    "REVEAL_AFTER",
    "option_mark",
    "position_hash",
    "pair_hash",
]

#: Wrong attempts after which the learner may reveal the answer.
REVEAL_AFTER = 3


def _require(cond: bool, message: str) -> None:
    if not cond:
        raise ValueError(message)


def option_mark(qid: str, option: str, right: bool) -> str:
    """Per-option hash for a several-answer question: is this option one of the right ones?"""
    return hash_answer(qid, f"member:{normalize(option)}:{'yes' if right else 'no'}")


def position_hash(qid: str, position: int, item: str) -> str:
    """Per-position hash for an ordering question: ``item`` belongs at ``position`` (0-based)."""
    return hash_answer(qid, f"position:{position}:{normalize(item)}")


def pair_hash(qid: str, left: str, right: str) -> str:
    """Per-pair hash for a matching question: ``left`` goes with ``right``."""
    return hash_answer(qid, f"pair:{normalize(left)}={normalize(right)}")


class NoAnswer:
    """What a form reads when the learner has not answered yet: feedback, not an attempt."""

    def __init__(self, why: str):
        self.why = why


# ---------------------------------------------------------------- questions
class _Question:
    """Common behaviour: id, prompt, graduated hints, attempts, reveal, state."""

    kind = "question"

    def __init__(
        self,
        qid: str,
        prompt: str,
        *,
        hint: str = "",
        hints: Sequence[str] | None = None,
        explanation: str = "",
        reveal: str = "",
        objective: str = "",
    ):
        _require(
            isinstance(qid, str) and re.fullmatch(r"[a-z0-9][a-z0-9._-]*", qid or "") is not None,
            f"qid must be a lowercase slug like 'l01-test-ban', got {qid!r}",
        )
        _require(isinstance(prompt, str) and prompt.strip() != "", "prompt must be a non-empty string")
        self.qid, self.prompt = qid, prompt
        self.hints = [h for h in (list(hints) if hints else ([hint] if hint else [])) if h]
        self._explanation = explanation  # encoded
        self._reveal = reveal  # encoded: the answer, in words
        self.objective = objective
        self.attempts = 0  # answers checked (not counting unanswered forms)
        self.wrong = 0
        self.solved = False
        self.revealed = False
        self.skipped = False
        self._listeners: list[Callable] = []

    @property
    def hint(self) -> str:  # the first hint (the one-hint API of earlier versions)
        return self.hints[0] if self.hints else ""

    # -- state, for the progress store
    def state(self) -> dict:
        return {
            "attempts": self.attempts,
            "wrong": self.wrong,
            "solved": self.solved,
            "revealed": self.revealed,
            "skipped": self.skipped,
        }

    def restore(self, state: dict) -> None:
        """Take up a state saved earlier (attempts, solved, revealed...)."""
        for key in ("attempts", "wrong"):
            if isinstance(state.get(key), int) and state[key] >= 0:
                setattr(self, key, state[key])
        for key in ("solved", "revealed", "skipped"):
            if isinstance(state.get(key), bool):
                setattr(self, key, state[key])

    def subscribe(self, fn: Callable) -> None:
        """``fn(question)`` is called after every change of state (a check, a reveal)."""
        self._listeners.append(fn)

    def _changed(self) -> None:
        for fn in list(self._listeners):
            fn(self)

    @property
    def done(self) -> bool:
        """Solved, revealed or skipped: what gated cells wait for."""
        return self.solved or self.revealed or self.skipped

    # -- pure logic
    def _is_correct(self, value) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def _detail(self, value) -> str:
        """What is wrong with a wrong answer, without giving the answer away."""
        return ""

    def current_hint(self) -> str:
        if not self.hints or self.wrong == 0:
            return ""
        return self.hints[min(self.wrong, len(self.hints)) - 1]

    def _wrong_message(self, value) -> str:
        msg = "Not yet."
        detail = self._detail(value)
        if detail:
            msg += " " + detail
        hint = self.current_hint()
        if hint:
            label = (
                "Hint:"
                if len(self.hints) == 1
                else f"Hint {min(self.wrong, len(self.hints))} of {len(self.hints)}:"
            )
            msg += f" {label} {hint}"
        if self.can_reveal:
            msg += " You may now reveal the answer."
        return msg

    @property
    def can_reveal(self) -> bool:
        return bool(self._reveal or self._explanation) and self.wrong >= REVEAL_AFTER and not self.solved

    def check(self, value) -> Feedback:
        """Check an answer and return the feedback a learner sees."""
        if isinstance(value, NoAnswer):
            return Feedback(False, value.why)
        try:
            ok = self._is_correct(value)
        except (TypeError, ValueError) as e:
            return Feedback(False, f"That answer could not be read: {e}")
        self.attempts += 1
        if ok:
            self.solved = True
            msg = "Correct."
            if self._explanation:
                msg += " " + decode(self._explanation)
            self._changed()
            return Feedback(True, msg)
        self.wrong += 1
        fb = Feedback(False, self._wrong_message(value))
        self._changed()
        return fb

    def reveal(self, *, force: bool = False) -> Feedback:
        """The answer with its explanation, after three wrong attempts (or ``force=True``). Recorded."""
        if not (force or self.solved or self.wrong >= REVEAL_AFTER):
            left = REVEAL_AFTER - self.wrong
            return Feedback(
                False,
                f"Try {left} more time{'s' if left != 1 else ''} before revealing the answer: "
                "the hints get more specific with each attempt.",
            )
        parts = []
        if self._reveal:
            parts.append("The answer: " + decode(self._reveal).rstrip(".") + ".")
        if self._explanation:
            parts.append(decode(self._explanation))
        if not self.solved:
            self.revealed = True
            self._changed()
        return Feedback(self.solved, " ".join(parts) or "This question has no stored answer to reveal.")

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
    options ``hash_answer(qid, set_of_option_texts)``. ``feedback`` (encoded,
    one per option) is shown when that option is chosen wrongly. For several
    answers ``marks`` (one :func:`option_mark` per option) lets the feedback
    say how many of the chosen options are right without saying which.
    """

    kind = "multiple-choice"

    def __init__(
        self,
        qid,
        prompt,
        options: Sequence[str],
        answer: str,
        *,
        multiple=False,
        feedback: Sequence[str] | None = None,
        marks: Sequence[str] | None = None,
        **kw,
    ):
        super().__init__(qid, prompt, **kw)
        _require(len(options) >= 2, "a multiple-choice question needs at least two options")
        _require(len(set(map(normalize, options))) == len(options), "options must be distinct")
        self.options, self.answer, self.multiple = list(options), answer, multiple
        self.feedback = list(feedback) if feedback else []
        _require(not self.feedback or len(self.feedback) == len(self.options), "give one feedback per option")
        self.marks = list(marks) if marks else []
        _require(not self.marks or len(self.marks) == len(self.options), "give one mark per option")

    def _resolve(self, v):
        if isinstance(v, int) and not isinstance(v, bool):
            _require(
                0 <= v < len(self.options), f"option number {v} is out of range 0..{len(self.options) - 1}"
            )
            return self.options[v]
        if isinstance(v, str) and len(v) == 1 and v.upper() in "ABCDEFGHIJ"[: len(self.options)]:
            return self.options["ABCDEFGHIJ".index(v.upper())]
        _require(normalize(v) in map(normalize, self.options), f"{v!r} is not one of the options")
        return next(o for o in self.options if normalize(o) == normalize(v))

    def _chosen(self, value) -> list[str]:
        values = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
        chosen = []
        for v in values:
            o = self._resolve(v)
            if o not in chosen:
                chosen.append(o)
        _require(chosen, "choose at least one option")
        return chosen

    def _is_correct(self, value):
        if self.multiple:
            return hash_answer(self.qid, set(self._chosen(value))) == self.answer
        return hash_answer(self.qid, self._resolve(value)) == self.answer

    def _option_feedback(self, option: str) -> str:
        if not self.feedback:
            return ""
        return decode(self.feedback[self.options.index(option)])

    def _detail(self, value):
        if not self.multiple:
            return self._option_feedback(self._resolve(value))
        chosen = self._chosen(value)
        if not self.marks:
            return ""
        right = [o for o in chosen if option_mark(self.qid, o, True) == self.marks[self.options.index(o)]]
        n_right_total = sum(option_mark(self.qid, o, True) == m for o, m in zip(self.options, self.marks))
        wrong = [o for o in chosen if o not in right]
        parts = [
            f"{len(right)} of your {len(chosen)} choice{'s are' if len(chosen) != 1 else ' is'} right"
            + (
                f", and {n_right_total - len(right)} right option"
                f"{'s are' if n_right_total - len(right) != 1 else ' is'} missing."
                if n_right_total > len(right)
                else "."
            )
        ]
        for o in wrong:
            fb = self._option_feedback(o)
            if fb:
                parts.append(f"{o}: {fb}")
        return " ".join(parts)


class Order(_Question):
    """Put the items in order. ``answer`` is ``hash_answer(qid, list_in_right_order)``.

    ``positions`` (one :func:`position_hash` per position) lets a wrong
    answer say how many items are in the right place, without saying which.
    The learner answers with the items, or their letters ("C A B").
    """

    kind = "order"

    def __init__(
        self, qid, prompt, items: Sequence[str], answer: str, *, positions: Sequence[str] | None = None, **kw
    ):
        super().__init__(qid, prompt, **kw)
        _require(len(items) >= 2, "an ordering question needs at least two items")
        _require(len(set(map(normalize, items))) == len(items), "items must be distinct")
        self.items, self.answer = list(items), answer
        self.positions = list(positions) if positions else []
        _require(
            not self.positions or len(self.positions) == len(self.items), "give one position hash per item"
        )

    def _parse(self, value) -> list[str]:
        letters = "ABCDEFGHIJKLMNOP"[: len(self.items)]
        if isinstance(value, str):
            tokens = [t for t in re.split(r"[\s,;>|]+", value.strip()) if t]
            _require(
                all(len(t) == 1 and t.upper() in letters for t in tokens),
                f"give the letters {', '.join(letters)} in order, e.g. '{' '.join(reversed(letters))}'",
            )
            value = [self.items[letters.index(t.upper())] for t in tokens]
        value = list(value)
        _require(
            len(value) == len(self.items)
            and {normalize(v) for v in value} == set(map(normalize, self.items)),
            f"use each of the {len(self.items)} items exactly once",
        )
        return value

    def _is_correct(self, value):
        return hash_answer(self.qid, self._parse(value)) == self.answer

    def placed_right(self, value) -> int:
        order = self._parse(value)
        return sum(
            position_hash(self.qid, i, item) == h for i, (item, h) in enumerate(zip(order, self.positions))
        )

    def _detail(self, value):
        if not self.positions:
            return ""
        return f"{self.placed_right(value)} of {len(self.items)} items are in the right place."


class Match(_Question):
    """Pair each left item with one right item. ``answer`` is ``hash_answer(qid, {left: right, ...})``.

    ``pairs`` (one :func:`pair_hash` per left item) lets a wrong answer say
    how many pairs are right, without saying which.
    """

    kind = "match"

    def __init__(
        self,
        qid,
        prompt,
        left: Sequence[str],
        right: Sequence[str],
        answer: str,
        *,
        pairs: Sequence[str] | None = None,
        **kw,
    ):
        super().__init__(qid, prompt, **kw)
        _require(len(left) >= 2 and len(right) >= 2, "a matching question needs at least two items a side")
        self.left, self.right, self.answer = list(left), list(right), answer
        self.pairs = list(pairs) if pairs else []
        _require(not self.pairs or len(self.pairs) == len(self.left), "give one pair hash per left item")

    def _read(self, value) -> dict:
        _require(isinstance(value, dict), "answer with a dict {left item: right item}")
        _require(set(map(normalize, value)) == set(map(normalize, self.left)), "pair every left item")
        right = set(map(normalize, self.right))
        _require(all(normalize(v) in right for v in value.values()), "use only the right-hand items")
        return {normalize(k): v for k, v in value.items()}

    def _is_correct(self, value):
        self._read(value)
        return hash_answer(self.qid, dict(value)) == self.answer

    def paired_right(self, value) -> int:
        pairs = self._read(value)
        return sum(
            pair_hash(self.qid, left, pairs[normalize(left)]) == h for left, h in zip(self.left, self.pairs)
        )

    def _detail(self, value):
        if not self.pairs:
            return ""
        return f"{self.paired_right(value)} of {len(self.left)} pairs are right."


class Numeric(_Question):
    """A number within ``tolerance`` of the answer. ``answer`` is ``hash_numeric(qid, value, tolerance)``.

    Accepted: any x with ``|x - a| <= tolerance``, where a is the answer on a
    grid of tolerance/10 (so the bound is exact to within 5 % of the tolerance).
    With ``direction`` (the encoded answer) a wrong answer is told "too high"
    or "too low"; authors set it where that does not spoil the exercise.
    """

    kind = "numeric"

    def __init__(
        self, qid, prompt, answer: str, tolerance: float, *, unit: str = "", direction: str = "", **kw
    ):
        super().__init__(qid, prompt, **kw)
        _require(
            isinstance(tolerance, (int, float)) and tolerance > 0, f"tolerance must be > 0, got {tolerance!r}"
        )
        self.answer, self.tolerance, self.unit = answer, float(tolerance), unit
        self._direction = direction
        if direction:
            float(decode(direction))  # fail early on a bad encoding

    def _number(self, value) -> float:
        if isinstance(value, str):
            value = value.strip().replace(",", "")
            if self.unit and value.endswith(self.unit):
                value = value[: -len(self.unit)].strip()
        x = float(value)
        _require(math.isfinite(x), "give a finite number")
        return x

    def _is_correct(self, value):
        x = self._number(value)
        g = grid_step(self.tolerance)
        lo, hi = math.floor((x - self.tolerance) / g) - 1, math.ceil((x + self.tolerance) / g) + 1
        for k in range(lo, hi + 1):
            if abs(k * g - x) <= self.tolerance + 1e-12 and hash_answer(self.qid, f"grid:{k}") == self.answer:
                return True
        return False

    def _detail(self, value):
        if not self._direction:
            return ""
        return "Too high." if self._number(value) > float(decode(self._direction)) else "Too low."


class Code(_Question):
    """A short function, checked by running it.

    ``cases`` is a list of ``(args, expected_hash)`` pairs: the learner's
    function is called as ``fn(*args)`` and its result must hash to
    ``hash_answer(qid, result)``. Errors in the learner's code become
    feedback, not tracebacks.
    """

    kind = "code"

    def __init__(self, qid, prompt, cases: Iterable[tuple[tuple, str]], **kw):
        super().__init__(qid, prompt, **kw)
        self.cases = [(tuple(a), h) for a, h in cases]
        _require(len(self.cases) >= 1, "a code question needs at least one case")

    def check(self, fn: Callable) -> Feedback:
        if not callable(fn):
            return Feedback(
                False, f"Pass your function itself (without calling it), not {type(fn).__name__}."
            )
        failed = 0
        first_error = None
        results = []
        for args, expected in self.cases:
            try:
                result = fn(*args)
            except Exception as e:  # noqa: BLE001 - the learner's code may raise anything
                failed += 1
                first_error = first_error or f"calling it with {_short(args)} raised {type(e).__name__}: {e}"
                results.append(e)
                continue
            results.append(result)
            if hash_answer(self.qid, _canonical(result)) != expected:
                failed += 1
        if first_error is None and all(_blank(r) for r in results):
            # the lesson's untouched template (or a body without `return`): not an attempt yet
            return Feedback(
                False,
                f"Your function returns {results[0]!r} for every check: write its body first "
                "(or check that it ends with a return).",
            )
        self.attempts += 1
        if failed == 0:
            self.solved = True
            msg = f"Correct: all {len(self.cases)} checks pass."
            if self._explanation:
                msg += " " + decode(self._explanation)
            self._changed()
            return Feedback(True, msg)
        self.wrong += 1
        msg = f"Not yet: {failed} of {len(self.cases)} checks fail."
        if first_error:
            msg += f" First error: {first_error}."
        hint = self.current_hint()
        if hint:
            msg += f" Hint: {hint}"
        if self.can_reveal:
            msg += " You may now reveal a model solution with .reveal()."
        self._changed()
        return Feedback(False, msg)


def _blank(result) -> bool:
    return result is None or (isinstance(result, (str, list, tuple, dict)) and len(result) == 0)


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
    text = ", ".join(_short_one(a) for a in args)
    return text if len(text) < 60 else text[:57] + "..."


def _short_one(a) -> str:
    if hasattr(a, "shape") and hasattr(a, "columns"):
        return f"<a table of {a.shape[0]} rows>"
    return repr(a)


class Written(_Question):
    """A written answer. Nothing is graded: once the learner has written at
    least ``min_words`` words, the model answer is offered to compare with.

    ``model_answer`` is ``encode(text)``. :meth:`skip` shows it without an
    answer, and records that the question was skipped.
    """

    kind = "written"

    def __init__(self, qid, prompt, model_answer: str, *, min_words: int = 20, **kw):
        super().__init__(qid, prompt, **kw)
        self.model_answer, self.min_words = model_answer, min_words
        self.words = 0
        decode(model_answer)  # fail early on a bad encoding

    def state(self) -> dict:
        return {**super().state(), "words": self.words}

    def restore(self, state: dict) -> None:
        super().restore(state)
        if isinstance(state.get("words"), int):
            self.words = state["words"]

    @staticmethod
    def count_words(value) -> int:
        return len(re.findall(r"\w+(?:['’-]\w+)*", str(value or "")))

    def check(self, value) -> Feedback:
        words = self.count_words(value)
        if words == 0:
            return Feedback(
                False,
                f"Write your answer first (at least {self.min_words} words); "
                "then compare it with the model answer.",
            )
        self.attempts += 1
        self.words = words
        if words < self.min_words:
            self._changed()
            return Feedback(
                False,
                f"Write at least {self.min_words} words first ({words} so far); "
                "then compare with the model answer.",
            )
        self.solved = True
        self._changed()
        return Feedback(
            True,
            f"Thank you ({words} words). Compare your answer with the model answer: "
            + decode(self.model_answer),
        )

    @property
    def can_reveal(self) -> bool:
        return self.solved

    def reveal(self, *, force: bool = False) -> str:
        """The model answer: after an answer of ``min_words`` words, or with ``force=True`` (recorded as skipped)."""
        if not self.solved and not force:
            raise ValueError(
                f"write at least {self.min_words} words first, or skip() to see the model answer without"
            )
        if not self.solved:
            self.skipped = True
            self._changed()
        return decode(self.model_answer)

    def skip(self) -> str:
        """Show the model answer without writing one; the progress view records it as skipped."""
        return self.reveal(force=True)
