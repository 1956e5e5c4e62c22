"""``course doctor``: is this machine ready to release and grade the course? Each problem comes with its fix."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .coursedir import CONFIG_NAME, Course, load_config
from .isolation import IsolationError, detect_isolation
from .readable import readable_paths

# the versions the course is tested with (pyproject.toml holds the same bounds)
REQUIRED = {
    "nbgrader": ">=0.9.6,<1",
    "jupyterlab": ">=4.6,<5",
    "jupyter_server": ">=2,<3",
    "nbclient": ">=0.10,<1",
    "ipykernel": ">=6,<8",
}
SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.assignment_list",
    "nbgrader.server_extensions.course_list",
    "nbgrader.server_extensions.validate_assignment",
)
LAB_EXTENSION = "@jupyter/nbgrader"


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    warning: bool = False  # a failed warning is printed (WARN) but does not fail `course doctor`


def _requirements() -> dict[str, str]:
    """Bounds from the installed course's metadata (pyproject.toml's, in the repository or a wheel)
    where it lists the package, else the course's own table."""
    bounds = dict(REQUIRED)
    try:
        deps = [d for d in metadata.requires("helsinki-nea-course") or [] if "extra ==" not in d]
    except metadata.PackageNotFoundError:
        return bounds
    from packaging.requirements import Requirement

    for dep in deps:
        req = Requirement(dep)
        key = req.name.replace("-", "_")
        if key in bounds or req.name in bounds:
            bounds[key if key in bounds else req.name] = str(req.specifier)
    return bounds


def check_versions() -> list[Check]:
    from packaging.specifiers import SpecifierSet

    out = []
    v = sys.version_info
    out.append(
        Check(
            "python",
            (3, 11) <= v[:2] < (3, 13),
            f"Python {v.major}.{v.minor}.{v.micro}",
            "use Python 3.11 or 3.12 (make lab / make test pick it with PYTHON=...)",
        )
    )
    for name, spec in _requirements().items():
        try:
            found = metadata.version(name)
        except metadata.PackageNotFoundError:
            out.append(
                Check(name, False, "not installed", "run `make install` (pip install -e .) in the repository")
            )
            continue
        ok = SpecifierSet(spec).contains(found, prereleases=True)
        out.append(
            Check(
                name,
                ok,
                f"{found} (needs {spec})",
                f"pip install '{name}{spec}' (or `make install`, which pins the tested versions)",
            )
        )
    return out


def check_extensions() -> list[Check]:
    from jupyter_core.paths import jupyter_config_path, jupyter_path
    from jupyter_server.extension.config import ExtensionConfigManager

    out = []
    enabled = ExtensionConfigManager(read_config_path=jupyter_config_path()).get_jpserver_extensions()
    for ext in SERVER_EXTENSIONS:
        out.append(
            Check(
                f"server extension {ext.rsplit('.', 1)[-1]}",
                bool(enabled.get(ext)),
                "enabled" if enabled.get(ext) else "not enabled",
                f"jupyter server extension enable --sys-prefix {ext}",
            )
        )
    found = [d for d in jupyter_path("labextensions") if (Path(d) / LAB_EXTENSION / "package.json").is_file()]
    disabled = set()
    for d in jupyter_config_path():
        page = Path(d) / "labconfig" / "page_config.json"
        if page.is_file():
            try:
                data = json.loads(page.read_text())
            except ValueError:
                continue
            names = data.get("disabledExtensions", {})
            disabled |= {k for k, v in names.items() if v} if isinstance(names, dict) else set(names)
    off = sorted(n for n in disabled if n.startswith(LAB_EXTENSION))
    out.append(
        Check(
            "lab extension @jupyter/nbgrader",
            bool(found) and not off,
            f"installed in {found[0]}" + (f", but disabled: {', '.join(off)}" if off else "")
            if found
            else "not installed",
            "reinstall nbgrader in this environment (pip install --force-reinstall 'nbgrader>=0.9.6,<1')"
            if not found
            else f"jupyter labextension enable {' '.join(off)}",
        )
    )
    return out


def check_course(course: Course, jupyter_root: Path) -> list[Check]:
    out = []
    created = course.ensure_exchange()
    ex = course.exchange_root
    writable = os.access(ex, os.W_OK | os.X_OK)
    out.append(
        Check(
            "exchange directory",
            ex.is_dir() and writable,
            f"{ex}" + (" (created now)" if created else "") + ("" if writable else ", not writable"),
            f"mkdir -p {ex} && chmod 1777 {ex}   (or set c.Exchange.root in {course.dir / CONFIG_NAME})",
        )
    )
    root = jupyter_root.resolve()
    inside = course.root == root or root in course.root.parents
    out.append(
        Check(
            "course inside the Jupyter root",
            inside,
            f"course {course.root}; Jupyter root {root}",
            f"start JupyterLab from {course.root.parent} (make lab does) or a folder above it, "
            f"or set c.ServerApp.root_dir to such a folder; Formgrader only works inside the root",
        )
    )
    seen = formgrader_course_root(root)
    out.append(
        Check(
            "Formgrader finds this course",
            seen == course.root,
            f"a server started in {root} would use {seen or 'no course (no nbgrader_config.py found)'}",
            f"put a file {root / CONFIG_NAME} containing\n"
            f"         c = get_config()\n"
            f"         load_subconfig('{os.path.relpath(course.dir / CONFIG_NAME, root)}')\n"
            f"       (or copy {course.dir / CONFIG_NAME} into a Jupyter config directory)",
        )
    )
    out.append(check_inert_view(course))
    released = [a for a in course.assignments() if (course.release / a).is_dir()]
    out.append(
        Check(
            "problem sets",
            bool(course.assignments()),
            f"{len(course.assignments())} in source/ ({', '.join(course.assignments())}); "
            f"released: {', '.join(released) or 'none'}",
            f"add master notebooks under {course.source}/<ps>/",
        )
    )
    return out


INERT = "course.grading.safehtml.InertStudentContent"


def check_inert_view(course: Course) -> Check:
    """Formgrader's page of a submission is served by the instructor's own server: a script on it
    would act as the instructor (course/grading/safehtml.py)."""
    listed = list(course.config.get("HTMLExporter", {}).get("preprocessors", []))
    return Check(
        "Formgrader shows students' HTML as text",
        INERT in listed,
        "a submission's HTML and scripts are shown, never run"
        if INERT in listed
        else "a script in a student's answer or output would run in your Formgrader session",
        f'add to {course.dir / CONFIG_NAME}:\n         c.HTMLExporter.preprocessors = ["{INERT}"]',
    )


def formgrader_course_root(server_root: Path) -> Path | None:
    """The course root a Jupyter server started in ``server_root`` would give Formgrader."""
    from jupyter_core.paths import jupyter_config_path
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = Config()
    for d in reversed(jupyter_config_path()):
        if (Path(d) / CONFIG_NAME).is_file():
            config.merge(PyFileConfigLoader(CONFIG_NAME, path=d).load_config())
    if (server_root / CONFIG_NAME).is_file():
        config.merge(load_config(server_root))
    if not config.get("CourseDirectory", {}).get("root") and not (server_root / CONFIG_NAME).is_file():
        return None
    return Path(config.CourseDirectory.get("root", str(server_root))).resolve()


def check_isolation(course: Course | None) -> list[Check]:
    out = []
    if course is None:  # no course directory: the isolation its default settings would get
        from .settings import GradingSettings

        settings = GradingSettings()
    else:
        settings = course.settings
    try:
        iso = detect_isolation(settings.isolation, settings.sandbox_uid_base, settings.jail)
    except IsolationError as e:
        return [
            Check("isolation", False, str(e), "set c.CourseGrader.isolation = 'auto' or fix the cause above")
        ]
    fixes = {
        "uid": "allow Linux namespaces (a container needs e.g. --security-opt seccomp=unconfined, or use a VM) "
        "for a private file system and no network",
        "none": "run `course grade` as root (kernels then run as a separate uid), or enable unprivileged user "
        "namespaces: sysctl -w kernel.unprivileged_userns_clone=1 (Debian) or "
        "kernel.apparmor_restrict_unprivileged_userns=0 (Ubuntu 24.04)",
    }
    out.append(
        Check("isolation", iso.mode == "namespaces", f"{iso.mode}: {iso.why}", fixes.get(iso.mode, ""))
    )
    if iso.mode == "namespaces":
        out.append(_jail_check(iso))
    if course is None:
        return out
    try:
        paths = readable_paths(course.settings, course.root)
        out.append(
            Check("jail file system", True, f"kernels may read {len(paths)} paths, none inside the course")
        )
    except IsolationError as e:
        out.append(
            Check("jail file system", False, str(e), "remove that path from c.CourseGrader.extra_ro_paths")
        )
    return out


def _jail_check(iso) -> Check:
    """What builds the namespaces jail: bubblewrap (preferred) or the course's own launcher (the fallback)."""
    from .isolation import bwrap_path

    if iso.jail == "bubblewrap":
        import subprocess

        path = bwrap_path()
        try:
            version = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.TimeoutExpired):
            version = ""
        return Check("sandbox", True, f"bubblewrap builds each jail ({version.strip() or path})")
    if bwrap_path() is None:
        return Check(
            "sandbox",
            True,
            "the course's own launcher builds each jail (course/grading/_jail.py: Linux namespaces, "
            "pivot_root, no_new_privs, rlimits); bubblewrap is not installed",
            "optional: apt-get install bubblewrap, the maintained sandbox, is then used instead",
        )
    return Check(
        "sandbox",
        True,
        "the course's own launcher builds each jail (course/grading/_jail.py: Linux namespaces, "
        f"pivot_root, no_new_privs, rlimits): {iso.why}",
    )


def check_limits(course: Course) -> list[Check]:
    """Which per-submission limits (cgroup, tmpfs) this machine gives, and the fallback otherwise."""
    from . import limits

    st = course.settings
    what = limits.describe(st.memory_mb, st.disk_mb, st.max_processes)
    full = what.startswith("cgroup") and "no tmpfs" not in what
    return [
        Check(
            "limits per submission",
            full,
            what + f"; output {st.output_kb} KB per cell and {st.total_output_mb} MB "
            f"per notebook; {st.cell_timeout:g} s per cell, {st.submission_timeout:g} s per submission",
            ""
            if full
            else "grade as root on a Linux machine with a writable cgroup hierarchy "
            "(e.g. `systemd-run --scope -p Delegate=yes course grade ...`) for the full limits",
        ),
    ]


def _public_checkout(path: Path) -> Path | None:
    """The checkout of the course's own repository that holds ``path`` (what Binder builds, what an
    nbgitpuller link clones), if any: the folder above it whose pyproject.toml names the course."""
    for d in [path, *path.parents]:
        project = d / "pyproject.toml"
        if project.is_file() and 'name = "helsinki-nea-course"' in project.read_text(errors="replace"):
            return d
    return None


def check_masters(course: Course, student_roots: list[Path] | None = None) -> list[Check]:
    """Are the answer keys (the masters: every solution and hidden test) out of students' reach?

    Warns where the masters are inside the course's repository checkout (the public Binder serves it to
    anyone, an nbgitpuller link copies it into every student's home) or inside a folder that a
    student-facing server serves (``--student-root``, e.g. its ServerApp.root_dir); fails where the
    grading jail could read them.
    """
    masters = course.source.resolve()
    where = f"masters in {masters}"
    fix = (
        "keep the masters in a private repository, outside every folder students are served, and set "
        f"c.CourseDirectory.source_directory in {course.dir / CONFIG_NAME} (or COURSE_SOURCE_DIR) to its "
        "checkout (assignments/README.md, 'Answer keys stay with instructors')"
    )
    reached = []
    checkout = _public_checkout(masters)
    if checkout is not None:
        reached.append(
            f"inside the course's repository {checkout}, which Binder and nbgitpuller serve to students"
        )
    for root in student_roots or []:
        root = root.resolve()
        if masters == root or root in masters.parents:
            reached.append(f"inside {root}, which a student-facing server serves")
    out = [
        Check(
            "answer keys out of students' reach",
            not reached,
            f"{where}: " + "; ".join(reached)
            if reached
            else f"{where}: outside the course's repository"
            + (f" and {', '.join(str(r) for r in student_roots)}" if student_roots else ""),
            fix,
            warning=True,
        )
    ]
    try:
        readable = readable_paths(course.settings, course.root)
    except IsolationError:
        return out  # check_isolation reports it
    inside = [
        p for p in readable if masters == Path(p) or Path(os.path.realpath(p)) in [masters, *masters.parents]
    ]
    if inside:
        out.append(
            Check(
                "answer keys out of the jail",
                False,
                f"{where}: inside {inside[0]}, which every grading jail may read",
                "move the masters out of that folder (or drop it from c.CourseGrader.extra_ro_paths)",
            )
        )
    return out


NO_COURSE_FIX = (
    "the problem sets are not part of the installed package (they hold the solutions): run "
    "`course doctor` in the folder holding the course's nbgrader_config.py (the repository's "
    "assignments/ or its parent), or pass --course-dir DIR. Students need no course directory: "
    "`course lessons --dest DIR` copies the lessons"
)


def run(
    course: Course | None,
    jupyter_root: Path | None = None,
    course_error: str = "",
    student_roots: list[Path] | None = None,
) -> list[Check]:
    """Every check; with ``course`` None (no course directory found), the ones that need none, and that."""
    root = jupyter_root or Path.cwd()
    if course is None:
        return (
            check_versions()
            + check_extensions()
            + [Check("course directory", False, course_error or "not found", NO_COURSE_FIX)]
            + check_isolation(None)
        )
    return (
        check_versions()
        + check_extensions()
        + check_course(course, root)
        + check_masters(course, student_roots)
        + check_isolation(course)
        + check_limits(course)
    )
