"""The self-check forms: thin ipywidgets views over :mod:`course.selfcheck`.

:func:`form` builds the form for any question: the prompt, an input that
fits the question's kind, a *Check* button and a feedback line. The question
itself does the checking (``question.check(value)``); the form only reads the
input and shows the :class:`~course.selfcheck.Feedback`.
"""
from __future__ import annotations

import html

import ipywidgets as ipw

from course.selfcheck import Code, Match, MultipleChoice, NoAnswer, Numeric, Order, Written

__all__ = ["form"]

_LETTERS = "ABCDEFGHIJKLMNOP"


def _choice_input(q: MultipleChoice):
    labels = [f"{_LETTERS[i]}. {o}" for i, o in enumerate(q.options)]
    options = list(zip(labels, range(len(labels))))
    if q.multiple:
        return ipw.SelectMultiple(options=options, rows=len(labels), layout=ipw.Layout(width="max-content"))
    return ipw.RadioButtons(options=options, value=None, layout=ipw.Layout(width="max-content"))


def _choice_read(q: MultipleChoice, w):
    if q.multiple:
        return list(w.value)
    if w.value is None:
        return NoAnswer("Choose an option first.")
    return w.value


def _order_input(q: Order):
    rows = [ipw.HTML("<br>".join(f"<b>{_LETTERS[i]}</b>. {html.escape(t)}" for i, t in enumerate(q.items)))]
    drops = [ipw.Dropdown(options=[("—", None)] + [(f"{_LETTERS[i]}. {t}", t) for i, t in enumerate(q.items)],
                          description=f"{k + 1}.", layout=ipw.Layout(width="max-content"))
             for k in range(len(q.items))]
    box = ipw.VBox(rows + drops)
    box.dropdowns = drops
    return box


def _order_read(q: Order, w):
    values = [d.value for d in w.dropdowns]
    if any(v is None for v in values):
        return NoAnswer("Fill every position first.")
    return values


def _match_input(q: Match):
    drops = [ipw.Dropdown(options=[("—", None)] + [(r, r) for r in q.right], description=left,
                          style={"description_width": "initial"}, layout=ipw.Layout(width="max-content"))
             for left in q.left]
    box = ipw.VBox(drops)
    box.dropdowns = drops
    return box


def _match_read(q: Match, w):
    if any(d.value is None for d in w.dropdowns):
        return NoAnswer("Pair every item first.")
    return {left: d.value for left, d in zip(q.left, w.dropdowns)}


def _numeric_input(q: Numeric):
    return ipw.Text(placeholder="a number" + (f" ({q.unit})" if q.unit else ""), continuous_update=False,
                    layout=ipw.Layout(width="16em"))


def _numeric_read(q: Numeric, w):
    return w.value


_INPUTS = {
    MultipleChoice: (_choice_input, _choice_read),
    Order: (_order_input, _order_read),
    Match: (_match_input, _match_read),
    Numeric: (_numeric_input, _numeric_read),
}


def _answer_form(q):
    make_input, read_input = _INPUTS[type(q)]
    prompt = ipw.HTML(f"<b>Self-check.</b> {html.escape(q.prompt)}")
    field = make_input(q)
    button = ipw.Button(description="Check", button_style="primary", tooltip="Check your answer",
                        layout=ipw.Layout(width="10em"))
    out = ipw.HTML(layout=ipw.Layout(min_height="1.5em"))

    def on_click(_):
        feedback = q.check(read_input(q, field))
        out.value = feedback.html(attempt=q.attempts)

    button.on_click(on_click)
    box = ipw.VBox([prompt, field, button, out],
                   layout=ipw.Layout(border="1px solid #ccc", padding="6px", margin="6px 0"))
    box.add_class("course-check")
    box.add_class(f"course-check-{q.kind}")
    # handles for tests and for the browser suite
    box.field, box.button, box.feedback = field, button, out
    return box


def _code_form(q: Code):
    box = ipw.HTML(f"<b>Self-check.</b> {html.escape(q.prompt)}<br>"
                   "<i>Write your function in the next cell, then pass it to this question's "
                   "<code>.check(your_function)</code>.</i>")
    box.add_class("course-check")
    return box


def _written_form(q: Written):
    prompt = ipw.HTML(f"<b>Written question.</b> {html.escape(q.prompt)}")
    area = ipw.Textarea(placeholder="Write your answer here.", layout=ipw.Layout(width="100%", height="6em"))
    button = ipw.Button(description="Show model answer", tooltip="Show a model answer to compare with yours",
                        layout=ipw.Layout(width="14em"))
    out = ipw.HTML()

    def on_click(_):
        out.value = ('<div class="course-check-feedback" role="status"><b>Model answer.</b> '
                     + html.escape(q.reveal()) + "</div>")

    button.on_click(on_click)
    box = ipw.VBox([prompt, area, button, out],
                   layout=ipw.Layout(border="1px solid #ccc", padding="6px", margin="6px 0"))
    box.add_class("course-check")
    box.add_class("course-check-written")
    box.field, box.button, box.feedback = area, button, out
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
