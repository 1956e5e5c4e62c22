"""The limits and isolation of ``course grade``: ``c.CourseGrader.*`` in ``nbgrader_config.py``."""

from __future__ import annotations

from traitlets import Bool, Enum, Float, Int, List, Unicode
from traitlets.config import Configurable

MODES = ("namespaces", "uid", "none")


class GradingSettings(Configurable):
    """Limits and isolation for ``course grade`` (section ``CourseGrader`` of nbgrader_config.py)."""

    cell_timeout = Float(30.0, help="Seconds one cell may run.").tag(config=True)
    total_timeout = Float(600.0, help="Seconds the whole notebook may run.").tag(config=True)
    startup_timeout = Float(60.0, help="Seconds the kernel may take to start.").tag(config=True)
    memory_mb = Int(2048, help="Address-space limit of each process of the kernel (MB).").tag(config=True)
    output_kb = Int(1024, help="Output one cell may print before grading stops (KB).").tag(config=True)
    file_mb = Int(64, help="Largest file the kernel may write (MB).").tag(config=True)
    tmp_mb = Int(256, help="Size of the private /tmp of a jail (MB).").tag(config=True)
    max_processes = Int(64, help="Processes a submission may run (its cgroup; else its uid).").tag(
        config=True
    )
    disk_mb = Int(256, help="Size of a submission's work directory (a tmpfs, where the machine allows).").tag(
        config=True
    )
    total_output_mb = Int(
        16, help="Output of a whole notebook, display data and metadata included (MB)."
    ).tag(config=True)
    submission_timeout = Float(
        900.0, help="Wall time of a whole submission: its run, any rerun and the checks (s)."
    ).tag(config=True)
    isolation = Enum(
        ("auto",) + MODES, default_value="auto", help="Isolation: auto picks the strongest available."
    ).tag(config=True)
    jail = Enum(
        ("auto", "bubblewrap", "builtin"),
        default_value="auto",
        help="What builds the 'namespaces' jail: bubblewrap (bwrap, Debian's package bubblewrap) or the "
        "course's own launcher (course/grading/_jail.py); auto prefers bubblewrap when it works here. "
        "The environment variable COURSE_GRADING_JAIL overrides it.",
    ).tag(config=True)
    sandbox_uid_base = Int(
        61000,
        help="First uid used for kernels when grading as root; job N uses base+2N and base+2N+1 (its "
        "kernels alternate between the two, so the one started ahead never shares a uid with the one running).",
    ).tag(config=True)
    warm_kernels = Bool(
        True,
        help="Start the next submission's kernel, in its own jail, while the current one runs (not in "
        "isolation 'none', where the running submission could reach it).",
    ).tag(config=True)
    extra_ro_paths = List(Unicode(), help="More host paths the kernel may read (e.g. a data folder).").tag(
        config=True
    )
