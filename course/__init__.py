"""Helsinki and Northeast Asia: détente, trust and small steps.

The importable side of the course: dataset loading and validation
(:mod:`course.data`), where the installed datasets and lessons are
(:mod:`course.resources`), self-checks for the lessons (:mod:`course.check`)
and the ``course`` command line (:mod:`course.cli`).
"""
__version__ = "0.1.0"
