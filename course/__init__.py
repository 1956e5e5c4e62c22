"""Helsinki and Northeast Asia: détente, trust and small steps.

The importable side of the course: dataset loading and validation
(:mod:`course.data`), self-checks for the lessons (:mod:`course.check`) and
the instructor command line (:mod:`course.cli`).
"""
__version__ = "0.1.0"

from . import startup as _startup  # noqa: E402,F401  defers the stack's start-up waste; see course/startup.py
