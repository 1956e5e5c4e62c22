"""The course directory: its configuration, its folders, its problem sets."""

from __future__ import annotations

import os
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from .settings import GradingSettings

CONFIG_NAME = "nbgrader_config.py"
REPO_COURSE = Path(__file__).resolve().parents[2] / "assignments"


class CourseError(RuntimeError):
    """Something about the course directory prevents the command; the message says what to do."""


def find_course_dir(explicit: str | os.PathLike | None = None) -> Path:
    """``--course-dir``, else $COURSE_DIR, else the current folder or its ``assignments/``, else the repository's."""
    candidates = [Path(explicit)] if explicit else []
    if not explicit:
        if os.environ.get("COURSE_DIR"):
            candidates.append(Path(os.environ["COURSE_DIR"]))
        candidates += [Path.cwd(), Path.cwd() / "assignments", REPO_COURSE]
    for c in candidates:
        if (c / CONFIG_NAME).is_file():
            return c.resolve()
    where = ", ".join(str(c) for c in candidates)
    raise CourseError(f"no {CONFIG_NAME} found (looked in {where}); pass --course-dir DIR")


def load_config(course_dir: Path) -> Config:
    return PyFileConfigLoader(CONFIG_NAME, path=str(course_dir)).load_config()


def grading_settings(config: Config) -> GradingSettings:
    """The grading limits from the ``c.CourseGrader.*`` section (traitlets would read a section named
    after the class, ``GradingSettings``, and ignore the documented one)."""
    section = Config()
    section.GradingSettings = config.get("GradingSettings", Config())
    section.GradingSettings.merge(config.get("CourseGrader", Config()))
    return GradingSettings(config=section)


class Course:
    """A loaded course: nbgrader's CourseDirectory plus the grading settings."""

    def __init__(self, course_dir: str | os.PathLike | None = None):
        from nbgrader.coursedir import CourseDirectory

        self.dir = find_course_dir(course_dir)
        self.config = load_config(self.dir)
        if "root" not in self.config.get("CourseDirectory", {}):
            self.config.CourseDirectory.root = str(self.dir)
        self.coursedir = CourseDirectory(config=self.config)
        self.settings = grading_settings(self.config)
        self.root = Path(self.coursedir.root)

    # -- folders ------------------------------------------------------------
    def folder(self, step: str) -> Path:
        return self.root / getattr(self.coursedir, f"{step}_directory")

    @property
    def source(self) -> Path:
        return self.folder("source")

    @property
    def release(self) -> Path:
        return self.folder("release")

    @property
    def submitted(self) -> Path:
        return self.folder("submitted")

    @property
    def autograded(self) -> Path:
        return self.folder("autograded")

    @property
    def feedback(self) -> Path:
        return self.folder("feedback")

    @property
    def db_url(self) -> str:
        return self.coursedir.db_url

    @property
    def course_id(self) -> str:
        return self.coursedir.course_id

    @property
    def exchange_root(self) -> Path:
        root = self.config.get("Exchange", {}).get("root")
        return Path(root) if root else Path("/usr/local/share/nbgrader/exchange")

    def ensure_exchange(self) -> bool:
        """Create the exchange folder if missing (world-writable with the sticky bit, as nbgrader expects)."""
        root = self.exchange_root
        if root.is_dir():
            return False
        root.mkdir(parents=True)
        os.chmod(root, 0o1777)
        return True

    # -- problem sets -------------------------------------------------------
    def assignments(self) -> list[str]:
        if not self.source.is_dir():
            return []
        return sorted(p.name for p in self.source.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))

    def notebooks(self, assignment: str) -> list[str]:
        """Notebook names (without .ipynb) of an assignment, from its master copy."""
        return sorted(p.stem for p in (self.source / assignment).glob("*.ipynb"))

    def select(self, names: list[str] | None) -> list[str]:
        if not self.source.is_dir():
            raise CourseError(
                f"the masters folder {self.source} does not exist; it is "
                f"c.CourseDirectory.source_directory in {self.dir / CONFIG_NAME} (or $COURSE_SOURCE_DIR): "
                f"point it at the checkout of the masters (assignments/README.md, 'Answer keys stay with "
                f"instructors')"
            )
        known = self.assignments()
        if not names:
            return known
        unknown = [n for n in names if n not in known]
        if unknown:
            raise CourseError(
                f"unknown problem set(s): {', '.join(unknown)}; the course has: {', '.join(known)}"
            )
        return list(names)

    def api(self):
        """nbgrader's NbGraderAPI for this course."""
        from nbgrader.apps.api import NbGraderAPI

        return NbGraderAPI(coursedir=self.coursedir, config=self.config)
