"""Keep plain ``nbgrader autograde`` (e.g. Formgrader's Autograde button) from running student code unjailed.

Two guards, both in ``nbgrader_config.py``:

* :class:`RefuseAutogradeExporter` is ``c.Autograde.exporter_class``. nbgrader's
  converter builds its exporter before it touches any submission, while
  ``init_destination`` then deletes ``autograded/<student>/<ps>/`` (with
  ``force``, which Formgrader's Autograde button and ``NbGraderAPI.autograde``
  always pass) before the first preprocessor runs. Refusing in the exporter
  therefore stops Formgrader's button before anything is deleted.
* :class:`RefusePlainAutograde`, first in ``c.Autograde.sanitize_preprocessors``,
  is the second line: it stops nbgrader before any student code runs.

Both say to use ``course grade``. Set the
environment variable ``COURSE_ALLOW_PLAIN_NBGRADER=1`` to run plain nbgrader
anyway (the benchmark does, to compare with it).
"""

from __future__ import annotations

import os

from nbconvert.exporters import NotebookExporter
from nbgrader.preprocessors import NbGraderPreprocessor

REFUSAL = (
    "This course autogrades with `course grade`, which runs each submission in a jail and closes "
    "nbgrader's known gaps; plain nbgrader autograde would run student code with your rights. "
    "Run `course grade` in a terminal (or set COURSE_ALLOW_PLAIN_NBGRADER=1 to override)."
)


def _allowed() -> bool:
    return os.environ.get("COURSE_ALLOW_PLAIN_NBGRADER") == "1"


class RefuseAutogradeExporter(NotebookExporter):
    """nbgrader's own exporter, unless plain autograde is refused: then refuse before anything is deleted."""

    def __init__(self, *args, **kwargs):
        if not _allowed():
            raise RuntimeError(REFUSAL + " Nothing was changed.")
        super().__init__(*args, **kwargs)


class RefusePlainAutograde(NbGraderPreprocessor):
    def preprocess(self, nb, resources):
        if not _allowed():
            raise RuntimeError(REFUSAL)
        return nb, resources
