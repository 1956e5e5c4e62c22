"""Self-check exercises with immediate feedback, for learners working alone.

:mod:`.hashing` (salted answer hashes, encoded explanations),
:mod:`.feedback` (what the learner sees) and :mod:`.questions` (the question
kinds, each with a pure ``check(value) -> Feedback``). The ipywidgets forms
are in :mod:`widgets.selfcheck`; ``course selfcheck`` makes hashes for authors.
"""
from .feedback import Feedback
from .hashing import decode, encode, hash_answer, hash_numeric, normalize
from .questions import Code, Match, MultipleChoice, NoAnswer, Numeric, Order, Written

__all__ = [
    "Feedback", "MultipleChoice", "Order", "Match", "Numeric", "Code", "Written", "NoAnswer",
    "hash_answer", "hash_numeric", "encode", "decode", "normalize",
]
