"""The grading kernel's whole environment: nothing of the grader's leaks in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .readable import datasets_path

DATA_CACHE = "data-cache"  # in the run's base directory


def verdict_store() -> Path | None:
    """The grader's own lasting store of dataset verdicts (``$XDG_CACHE_HOME`` or ``~/.cache``, then
    ``helsinki-nea-course/grading-verdicts``): a folder of the grader's, which no one else may write and
    no kernel ever sees (each run copies what it holds into the run's own folder). None when it cannot
    be had so: not a plain folder, not the grader's, or writable by others."""
    import stat

    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(root) / "helsinki-nea-course" / "grading-verdicts"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o022:
        return None
    return folder


def _validate_into(store: Path, data: str) -> bool:
    """Validate every table of ``data`` here, in the grader, with ``store`` as the verdict cache (a content
    whose verdict is there is not validated again: the verdict's key is a hash of it). True when all
    are valid."""
    from course.data import DatasetError
    from course.data.descriptor import resource_names
    from course.data.loading import validate

    before = os.environ.get("COURSE_DATA_CACHE")
    os.environ["COURSE_DATA_CACHE"] = str(store)
    try:
        for name in resource_names(data):
            # the schema's validation only: a verdict records nothing else, and the typed loading, which
            # every kernel does anyway, raises there on a value it cannot read as its type
            validate(name, data)
    except (DatasetError, OSError, ValueError, KeyError):
        return False
    finally:
        if before is None:
            os.environ.pop("COURSE_DATA_CACHE", None)
        else:
            os.environ["COURSE_DATA_CACHE"] = before
    return True


def warm_data_cache(base: Path) -> Path | None:
    """Validate the course's datasets once, in the grader, into a cache folder the kernels may read.

    A grading kernel's HOME is its fresh work directory, so without this every kernel that loads data
    would validate the datasets again (a second or more each: frictionless). The folder belongs to the
    grader and is bound read-only into each jail (``COURSE_DATA_CACHE``, :mod:`course.data.verdicts`): a
    kernel can use a verdict, never write one. None (and kernels validate as before) when there are no
    datasets or their validation fails here.

    The verdicts are kept across runs in the grader's :func:`verdict_store`, keyed by a hash of each
    table's content (and the validator's version): a run validates only what changed since the last
    one, and copies the verdicts into the run's folder. Without a store, a fresh Python validates them.
    """
    data = datasets_path()
    if data is None:
        return None
    folder = base / DATA_CACHE
    folder.mkdir(mode=0o755, exist_ok=True)
    os.chmod(folder, 0o755)
    store = verdict_store()
    if store is not None:
        if not _validate_into(store, data):
            return None
        import shutil

        for entry in os.scandir(store):
            if entry.is_file(follow_symlinks=False) and not entry.name.startswith("."):
                shutil.copyfile(entry.path, folder / entry.name, follow_symlinks=False)
                os.chmod(folder / entry.name, 0o644)
        return folder if any(folder.iterdir()) else None
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(folder),
        "COURSE_DATA_CACHE": str(folder),
        "COURSE_DATASETS": data,
        "LANG": "C.UTF-8",
    }
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "course.data", "--quiet"], env=env, capture_output=True, timeout=300
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return folder if proc.returncode == 0 and any(folder.iterdir()) else None


def kernel_environment(
    workdir: Path, mode: str, output_limit: int = 1 << 20, data_cache: Path | None = None
) -> dict[str, str]:
    """The kernel's whole environment: nothing of the grader's leaks in."""
    venv_bin = str(Path(sys.executable).parent)
    env = {
        "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(workdir),
        "TMPDIR": "/tmp" if mode == "namespaces" else str(workdir / "tmp"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "IPYTHONDIR": str(workdir / ".ipython"),
        "JUPYTER_CONFIG_DIR": str(workdir / ".jupyter"),
        "JUPYTER_DATA_DIR": str(workdir / ".jupyter-data"),
        "JUPYTER_RUNTIME_DIR": str(workdir / ".jupyter-runtime"),
        "MPLCONFIGDIR": str(workdir / ".matplotlib"),
        "MPLBACKEND": "Agg",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NUMEXPR_NUM_THREADS": "1",
        # keep the address space (what the memory limit counts) close to what is really used
        "MALLOC_ARENA_MAX": "2",
        "ARROW_DEFAULT_MEMORY_POOL": "system",
        "NBGRADER_EXECUTION": "autograde",
        "COURSE_GRADING_OUTPUT_LIMIT": str(output_limit),
    }
    data = datasets_path()
    if data:
        env["COURSE_DATASETS"] = data
    # the grader's verdicts (warm_data_cache), read-only for the kernel; else no cache at all, so a
    # kernel never writes a verdict another kernel would trust
    env["COURSE_DATA_CACHE"] = str(data_cache) if data_cache is not None else "off"
    return env
