"""Self-check exercises with immediate feedback, for learners working alone.

:mod:`.hashing` (salted answer hashes, encoded explanations),
:mod:`.feedback` (what the learner sees), :mod:`.questions` (the question
kinds, each with a pure ``check(value) -> Feedback``), :mod:`.bank` (each
lesson's questions as data, ``lessons/questions/NN.toml``), :mod:`.state`
(the saved state of every check) and :mod:`.answers` (written answers kept
in the notebook's own answer cells). The ipywidgets forms and the no-spoiler
gates are in :mod:`widgets.selfcheck`; ``course selfcheck`` is for authors.
"""

from .bank import BankError, load_bank
from .feedback import Feedback
from .hashing import decode, encode, hash_answer, hash_numeric, normalize
from .lesson import ask, progress
from .questions import Code, Match, MultipleChoice, NoAnswer, Numeric, Order, Written

__all__ = [
    "Feedback",
    "MultipleChoice",
    "Order",
    "Match",
    "Numeric",
    "Code",
    "Written",
    "NoAnswer",
    "hash_answer",
    "hash_numeric",
    "encode",
    "decode",
    "normalize",
    "ask",
    "progress",
    "BankError",
    "load_bank",
]
