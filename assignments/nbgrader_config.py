"""nbgrader configuration of the course "Helsinki and Northeast Asia".

Read by the `course` command (course release / grade / feedback / export /
doctor), by `nbgrader` run from this folder, and by Formgrader (see
README.md in this folder for how JupyterLab started from the repository
root finds it). Paths are relative to this file, so a copy of the folder is
a working course of its own (the tests rely on that).
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821 - provided by traitlets when it loads this file
HERE = Path(__file__).resolve().parent

# -- the course directory ----------------------------------------------------
c.CourseDirectory.root = str(HERE)
c.CourseDirectory.course_id = "helsinki-nea"
# Submissions are collected into submitted/<student>/<assignment>/; the
# exchange is the folder students fetch from and submit to. On a JupyterHub
# point it at a shared folder instead (see README.md).
c.Exchange.root = str(HERE / "exchange")

# -- the masters: every solution and hidden test ----------------------------------
# In source/ by default. A deployment students can reach (the public Binder, an nbgitpuller
# link, a hub serving this checkout) must not ship them: keep them in a private repository and
# point here at its checkout, by setting COURSE_SOURCE_DIR or by writing the absolute path
# (README.md, "Answer keys stay with instructors"; `course doctor` warns where students can reach them).
c.CourseDirectory.source_directory = (
    os.path.abspath(os.environ["COURSE_SOURCE_DIR"]) if os.environ.get("COURSE_SOURCE_DIR") else "source"
)

# -- generating the student version ------------------------------------------
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# -- plain nbgrader autograde (e.g. Formgrader's Autograde button) -----------------
# `course grade` is the way to autograde: it runs each submission in a jail
# and closes nbgrader's known gaps. Plain `nbgrader autograde` would run
# student code with the grader's rights, so it is refused (the refusal says
# why) unless COURSE_ALLOW_PLAIN_NBGRADER=1 is set.
# nbgrader deletes autograded/<student>/<ps>/ before its first preprocessor runs, so the refusal
# comes first, from the exporter, which nbgrader builds before it touches any submission
# (Formgrader's Autograde button then leaves the graded copy alone).
c.Autograde.exporter_class = "course.grading.guard.RefuseAutogradeExporter"
c.Autograde.sanitize_preprocessors = [
    "course.grading.guard.RefusePlainAutograde",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.Execute.timeout = 30

# -- Formgrader's view and feedback: a student's HTML and scripts are shown, never run ------
# Formgrader serves each submission as HTML from the instructor's own Jupyter server, where a
# script would act with the instructor's session (course/grading/safehtml.py says how).
c.HTMLExporter.preprocessors = ["course.grading.safehtml.InertStudentContent"]
c.HTMLExporter.sanitize_html = True

# -- feedback: never show hidden tests, their outputs or their tracebacks -----
# (also applies to Formgrader's "Generate feedback" button)
c.GenerateFeedback.preprocessors = [
    "course.grading.feedback.RedactHiddenText",
    "course.grading.feedback.HideHiddenTests",
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# -- `course grade`: limits and isolation of each submission ------------------
c.CourseGrader.cell_timeout = 30  # seconds per cell
c.CourseGrader.total_timeout = 600  # seconds per notebook
c.CourseGrader.memory_mb = 2048  # address space per kernel process
c.CourseGrader.output_kb = 1024  # output one cell may print
c.CourseGrader.file_mb = 64  # largest file a kernel may write
c.CourseGrader.isolation = "auto"  # strongest available: namespaces > uid > none

# -- late submissions (course/grading/policy.py) ----------------------------------
# Due dates: `course release PS --due DATE`; one student's extension: `course extend PS STUDENT --until DATE`.
# The penalty is a share of the score: percent_per_day per started day late (after grace_minutes), plus
# flat_percent once, at most max_percent. It is recomputed from the current score by course grade, mark,
# extend, feedback and export, so hand marks given in Formgrader are penalised too.
c.AssignLatePenalties.plugin_class = "course.grading.policy.LatePenalty"
c.LatePenalty.percent_per_day = 10
c.LatePenalty.flat_percent = 0
c.LatePenalty.grace_minutes = 15
c.LatePenalty.max_percent = 100
