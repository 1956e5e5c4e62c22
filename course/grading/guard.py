"""Keep plain ``nbgrader autograde`` (e.g. Formgrader's Autograde button) from running student code unjailed.

Configured first in ``c.Autograde.sanitize_preprocessors``. It stops nbgrader
before any student code runs and says to use ``course grade``. Set the
environment variable ``COURSE_ALLOW_PLAIN_NBGRADER=1`` to run plain nbgrader
anyway (the benchmark does, to compare with it).
"""

from __future__ import annotations

import os

from nbgrader.preprocessors import NbGraderPreprocessor


class RefusePlainAutograde(NbGraderPreprocessor):
    def preprocess(self, nb, resources):
        if os.environ.get("COURSE_ALLOW_PLAIN_NBGRADER") != "1":
            raise RuntimeError(
                "This course autogrades with `course grade`, which runs each submission in a jail and closes "
                "nbgrader's known gaps; plain nbgrader autograde would run student code with your rights. "
                "Run `course grade` in a terminal (or set COURSE_ALLOW_PLAIN_NBGRADER=1 to override)."
            )
        return nb, resources
