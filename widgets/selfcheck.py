"""The self-check forms and the no-spoiler gates: thin ipywidgets views over :mod:`course.selfcheck`.

:func:`form` builds the form for any question: the prompt, an input that
fits the question's kind (each control with an accessible name), a *Check*
button, a *Show the answer* button that unlocks after three wrong attempts,
and a feedback line that screen readers announce (an ARIA live region).
Right and wrong are told by words and a mark (✓/✗), never by colour alone.
The question does the checking; the form reads the input and shows the
:class:`~course.selfcheck.Feedback`.

:func:`reveal_after` keeps whatever would give an answer away (a chart, a
table, a widget) behind the question it answers: until the question is
solved, revealed or skipped the cell says what to do instead, and answering
fills it in place. Under nbmake nothing is answered, so gated cells just
show their note (set ``COURSE_OPEN_GATES=1`` to render them all).
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Iterable

import anywidget
import ipywidgets as ipw
import traitlets

from course.selfcheck import Code, Match, MultipleChoice, NoAnswer, Numeric, Order, Written
from course.selfcheck import state as _progress
from course.selfcheck.answers import saved_answer
from course.selfcheck.lesson import asked
from course.selfcheck.paths import notebook_path
from course.selfcheck.questions import REVEAL_AFTER

__all__ = ["form", "reveal_after", "LiveFeedback"]

_LETTERS = "ABCDEFGHIJKLMNOP"


class LiveFeedback(anywidget.AnyWidget):
    """An HTML line inside a persistent ARIA live region, so each new feedback is announced."""

    _esm = """
    function render({ model, el }) {
      el.classList.add('course-check-live');
      el.setAttribute('role', 'status');
      el.setAttribute('aria-live', 'polite');
      el.setAttribute('aria-atomic', 'true');
      const update = () => { el.innerHTML = model.get('value'); };
      update();
      model.on('change:value', update);
      // Keys typed in a form belong to its controls (arrow keys in a radio group, letters in a drop-down),
      // not to JupyterLab's notebook shortcuts, which would otherwise move to the next cell.
      // The radio buttons of one question form one group (so arrow keys move between its options).
      let tries = 0;
      const guard = () => {
        const form = el.closest('.course-check');
        if (!form) { if (tries++ < 50) setTimeout(guard, 100); return; }
        if (tries < 100) { tries = 100; setTimeout(guard, 500); setTimeout(guard, 2000); }  // late-rendered inputs
        form.setAttribute('data-lm-suppress-shortcuts', 'true');
        const group = 'course-check-' + Math.random().toString(36).slice(2);
        form.querySelectorAll('input[type=radio]').forEach(r => { if (!r.name) r.name = group; });
        if (!form.dataset.courseKeys) {
          form.dataset.courseKeys = '1';
          form.addEventListener('keydown', e => {
            if (/^(Arrow|Home$|End$| $|Enter$)/.test(e.key) && e.target.matches('input, select, button, textarea'))
              e.stopPropagation();
          });
        }
      };
      guard();
    }
    export default { render };
    """
    _css = ".course-check-live { min-height: 1.5em; margin: 4px 0; line-height: 1.4; }"
    value = traitlets.Unicode("").tag(sync=True)


def _feedback_html(correct: bool | None, message: str, stamp: int | None = None, *, css: str = "") -> str:
    if correct is None:
        mark, colour, word = "ℹ", "#333333", ""
    else:
        mark, colour = ("✓", "#1b7837") if correct else ("✗", "#b2182b")
        word = ""
    body = html.escape(message).replace("\n", "<br>")
    st = f' data-attempt="{stamp}"' if stamp is not None else ""
    return (
        f'<div class="course-check-feedback {css}"{st} style="color:{colour}">'
        f'<b aria-hidden="true">{mark}</b> {word}{body}</div>'
    )


# ------------------------------------------------------------------ inputs
def _choice_input(q: MultipleChoice):
    labels = [f"{_LETTERS[i]}. {o}" for i, o in enumerate(q.options)]
    options = list(zip(labels, range(len(labels))))
    if q.multiple:
        boxes = [
            ipw.Checkbox(value=False, description=lab, indent=False, layout=ipw.Layout(width="auto"))
            for lab in labels
        ]
        box = ipw.VBox([ipw.HTML("<i>Select all that apply.</i>")] + boxes)
        box.checkboxes = boxes
        return box
    return ipw.RadioButtons(
        options=options,
        value=None,
        description="Your answer:",
        style={"description_width": "initial"},
        layout=ipw.Layout(width="max-content"),
    )


def _choice_read(q: MultipleChoice, w):
    if q.multiple:
        chosen = [i for i, b in enumerate(w.checkboxes) if b.value]
        return chosen or NoAnswer("Select at least one option first.")
    if w.value is None:
        return NoAnswer("Choose an option first.")
    return w.value


def _order_input(q: Order):
    rows = [ipw.HTML("<br>".join(f"<b>{_LETTERS[i]}</b>. {html.escape(t)}" for i, t in enumerate(q.items)))]
    drops = [
        ipw.Dropdown(
            options=[("—", None)] + [(f"{_LETTERS[i]}. {t}", t) for i, t in enumerate(q.items)],
            description=f"Position {k + 1}:",
            style={"description_width": "initial"},
            layout=ipw.Layout(width="max-content"),
        )
        for k in range(len(q.items))
    ]
    box = ipw.VBox(rows + drops)
    box.dropdowns = drops
    return box


def _order_read(q: Order, w):
    values = [d.value for d in w.dropdowns]
    if any(v is None for v in values):
        return NoAnswer("Fill every position first.")
    if len(set(values)) != len(values):
        return NoAnswer("Use each item once: two positions hold the same item.")
    return values


def _match_input(q: Match):
    drops = [
        ipw.Dropdown(
            options=[("—", None)] + [(r, r) for r in q.right],
            description=left,
            style={"description_width": "initial"},
            layout=ipw.Layout(width="max-content"),
        )
        for left in q.left
    ]
    box = ipw.VBox(drops)
    box.dropdowns = drops
    return box


def _match_read(q: Match, w):
    if any(d.value is None for d in w.dropdowns):
        return NoAnswer("Pair every item first.")
    return {left: d.value for left, d in zip(q.left, w.dropdowns)}


def _numeric_input(q: Numeric):
    return ipw.Text(
        placeholder="a number" + (f" ({q.unit})" if q.unit else ""),
        continuous_update=False,
        description="Your answer:",
        style={"description_width": "initial"},
        layout=ipw.Layout(width="22em"),
    )


def _numeric_read(q: Numeric, w):
    return w.value if w.value.strip() else NoAnswer("Type a number first.")


_INPUTS = {
    MultipleChoice: (_choice_input, _choice_read),
    Order: (_order_input, _order_read),
    Match: (_match_input, _match_read),
    Numeric: (_numeric_input, _numeric_read),
}


def _frame(children, q, label: str):
    box = ipw.VBox(children, layout=ipw.Layout(border="1px solid #767676", padding="6px", margin="6px 0"))
    box.add_class("course-check")
    box.add_class(f"course-check-{q.kind}")
    box.add_class(f"course-check-id-{q.qid}")
    return box


def _prompt(q, label="Self-check."):
    return ipw.HTML(f"<b>{label}</b> {html.escape(q.prompt)}")


def _earlier(q) -> tuple[bool | None, str] | None:
    if q.solved:
        return True, f"You solved this earlier ({q.attempts} attempt{'s' if q.attempts != 1 else ''})."
    if q.revealed:
        return None, "You revealed the answer earlier. Check your own answer again whenever you like."
    if q.wrong:
        return None, f"{q.wrong} wrong attempt{'s' if q.wrong != 1 else ''} so far."
    return None


def _answer_form(q):
    make_input, read_input = _INPUTS[type(q)]
    field = make_input(q)
    button = ipw.Button(
        description="Check",
        button_style="primary",
        tooltip="Check your answer",
        layout=ipw.Layout(width="10em"),
    )
    reveal = ipw.Button(
        description="Show the answer",
        tooltip=f"Available after {REVEAL_AFTER} wrong attempts",
        disabled=not q.can_reveal,
        layout=ipw.Layout(width="12em"),
    )
    reveal.add_class("course-check-reveal")
    out = LiveFeedback()
    clicks = {"n": 0}

    def refresh_reveal():
        reveal.disabled = not q.can_reveal
        left = max(0, REVEAL_AFTER - q.wrong)
        reveal.tooltip = (
            "Show the answer and its explanation"
            if q.can_reveal
            else ("You solved it" if q.solved else f"Available after {left} more wrong attempt(s)")
        )

    def on_click(_):
        value = read_input(q, field)
        if not isinstance(value, NoAnswer):
            clicks["n"] += 1  # each answer is stamped, so a front end can tell one feedback from the next
        feedback = q.check(value)
        out.value = _feedback_html(feedback.correct, feedback.message, clicks["n"])
        refresh_reveal()

    def on_reveal(_):
        clicks["n"] += 1
        fb = q.reveal()
        out.value = _feedback_html(None, fb.message, clicks["n"], css="course-check-revealed")
        refresh_reveal()

    button.on_click(on_click)
    reveal.on_click(on_reveal)
    earlier = _earlier(q)
    if earlier:
        out.value = _feedback_html(earlier[0], earlier[1], css="course-check-earlier")
    box = _frame([_prompt(q), field, ipw.HBox([button, reveal]), out], q, "Self-check")
    # handles for tests and for the browser suite
    box.field, box.button, box.feedback, box.reveal = field, button, out, reveal
    return box


def _code_form(q: Code):
    var = "the question"
    text = ipw.HTML(
        f"<b>Self-check.</b> {html.escape(q.prompt)}<br>"
        "<i>Write your function in the next cell, then pass it to this question's "
        "<code>.check(your_function)</code>.</i>"
    )
    reveal = ipw.Button(
        description="Show a model solution",
        disabled=not q.can_reveal,
        tooltip=f"Available after {REVEAL_AFTER} failing checks",
        layout=ipw.Layout(width="14em"),
    )
    reveal.add_class("course-check-reveal")
    out = LiveFeedback()

    def on_change(_q):
        reveal.disabled = not q.can_reveal

    q.subscribe(on_change)

    def on_reveal(_):
        out.value = _feedback_html(None, q.reveal().message, css="course-check-revealed")

    reveal.on_click(on_reveal)
    earlier = _earlier(q)
    if earlier:
        out.value = _feedback_html(earlier[0], earlier[1], css="course-check-earlier")
    box = _frame([text, reveal, out], q, var)
    box.button, box.feedback, box.reveal = None, out, reveal
    return box


def _written_form(q: Written):
    prompt = _prompt(q, "Written question.")
    how = ipw.HTML(
        "<i>Write your answer in the <b>Your answer</b> cell just below (double-click it to edit), "
        "<b>save the notebook</b> (Ctrl+S or File → Save), then press <b>Check my answer</b>. "
        f"After at least {q.min_words} words you can compare with a model answer. "
        "Your answer is kept in the notebook, so it survives closing, restarting and downloading.</i>"
    )
    button = ipw.Button(
        description="Check my answer",
        button_style="primary",
        tooltip="Read your saved answer cell and compare with the model answer",
        layout=ipw.Layout(width="14em"),
    )
    skip = ipw.Button(
        description="Skip: show the model answer",
        tooltip="Show the model answer without writing one (recorded as skipped)",
        layout=ipw.Layout(width="18em"),
    )
    skip.add_class("course-check-skip")
    out = LiveFeedback()
    clicks = {"n": 0}

    def on_click(_):
        clicks["n"] += 1
        nb = notebook_path()
        if nb is None:
            out.value = _feedback_html(
                False,
                "This kernel cannot tell which notebook it belongs to, so it cannot "
                "read your answer cell. Open the lesson in JupyterLab, or check your "
                "text from code with .check(text).",
                clicks["n"],
            )
            return
        text = saved_answer(q.qid, nb)
        if text is None:
            out.value = _feedback_html(
                False,
                f"The answer cell for this question is missing from {nb.name}. Add a "
                f"markdown cell below this one whose first line is: **Your answer** "
                f"<!-- answer:{q.qid} -->",
                clicks["n"],
            )
            return
        if not text.strip():
            out.value = _feedback_html(
                False,
                "Your answer cell is empty in the saved notebook. Write your answer in "
                "the cell below, save the notebook (Ctrl+S), then press Check my "
                "answer again.",
                clicks["n"],
            )
            return
        fb = q.check(text)
        msg = (
            fb.message if fb.correct else fb.message + " (If you have written more, save the notebook first.)"
        )
        out.value = _feedback_html(fb.correct, msg, clicks["n"])

    def on_skip(_):
        clicks["n"] += 1
        if q.solved:
            out.value = _feedback_html(True, "Model answer: " + q.reveal(), clicks["n"])
            return
        out.value = _feedback_html(
            None, "Skipped. Model answer: " + q.skip(), clicks["n"], css="course-check-revealed"
        )

    button.on_click(on_click)
    skip.on_click(on_skip)
    if q.solved:
        out.value = _feedback_html(
            True,
            f"You answered this earlier ({q.words} words). Press Check my answer to "
            "compare with the model answer again.",
            css="course-check-earlier",
        )
    elif q.skipped:
        out.value = _feedback_html(
            None, "You skipped this earlier. Write your answer whenever you like.", css="course-check-earlier"
        )
    box = _frame([prompt, how, ipw.HBox([button, skip]), out], q, "Written question")
    box.button, box.feedback, box.skip = button, out, skip
    return box


def form(question):
    """The ipywidgets form for a question from :mod:`course.selfcheck`."""
    if isinstance(question, Code):
        return _code_form(question)
    if isinstance(question, Written):
        return _written_form(question)
    if type(question) in _INPUTS:
        return _answer_form(question)
    raise TypeError(f"form: expected a course.selfcheck question, got {type(question).__name__}")


# ------------------------------------------------------------------- gates
def _done(qid: str, store, attempted: bool = False) -> bool:
    q = asked(qid)
    if q is not None and (q.done or (attempted and q.attempts > 0)):
        return True
    st = store.get(qid)
    return bool(
        st.get("solved") or st.get("revealed") or st.get("skipped") or (attempted and st.get("attempts"))
    )


def reveal_after(
    when: str | Iterable[str] | ipw.ValueWidget,
    show: Callable,
    *,
    instead: str = "",
    attempted: bool | Iterable[str] = False,
    store=None,
):
    """An Output that renders ``show()`` once the question(s) ``when`` are solved, revealed or skipped.

    ``when`` is a question id, a list of ids (all must be done), or a widget
    whose ``value`` must become true (e.g. a checkbox). For a prediction,
    ``attempted`` (True, or the ids it applies to) opens the gate after any
    checked answer, right or wrong. Until then the cell
    shows ``instead`` (what to do first). ``show`` may return something to
    display, or display it itself.
    """
    s = store or _progress.store()
    out = ipw.Output()
    out.add_class("course-gate")
    note = ipw.HTML()
    box = ipw.VBox([note, out])
    box.add_class("course-gate-box")
    state = {"open": False}
    if isinstance(when, ipw.ValueWidget):
        qids: list[str] = []
        ready = lambda: bool(when.value)  # noqa: E731
        default = "This cell opens once you have done the step above."
    else:
        qids = [when] if isinstance(when, str) else list(when)
        first_try = set(qids) if attempted is True else set(attempted or ())
        ready = lambda: all(_done(q, s, q in first_try) for q in qids)  # noqa: E731
        default = (
            "This cell waits for the self-check"
            + ("s " if len(qids) > 1 else " ")
            + ", ".join(qids)
            + " above: answer it (or reveal its answer), and it appears here."
        )

    def render():
        if state["open"]:
            return
        state["open"] = True
        note.value = ""
        box.remove_class("course-gate-waiting")
        box.add_class("course-gate-open")
        from IPython.display import display

        strict = os.environ.get("COURSE_OPEN_GATES") == "1"  # tests: an error in gated code must fail the run
        error = None
        with out:  # outside tests, an error shows as a traceback inside the gate, like any cell's
            try:
                result = show()
                if result is not None:
                    display(result)
            except Exception as e:  # noqa: BLE001 - re-raised below, or shown by the Output
                if not strict:
                    raise
                error = e
        if error is not None:
            raise error

    def maybe(*_):
        if not state["open"] and ready():
            render()

    if os.environ.get("COURSE_OPEN_GATES") == "1" or ready():
        render()
    else:
        box.add_class("course-gate-waiting")
        note.value = (
            f'<div class="course-gate-note" style="border-left:4px solid #767676;padding:4px 8px">'
            f"<b>Waiting for your answer.</b> {html.escape(instead or default)}</div>"
        )
        if qids:
            s.subscribe(lambda qid, _st: maybe() if qid in qids else None)
        else:
            when.observe(maybe, names="value")
    box.output = out
    box.is_open = lambda: state["open"]
    return box
