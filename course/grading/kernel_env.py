"""The grading kernel's whole environment: nothing of the grader's leaks in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .readable import datasets_path

DATA_CACHE = "data-cache"  # in the run's base directory


def warm_data_cache(base: Path) -> Path | None:
    """Validate the course's datasets once, in the grader, into a cache folder the kernels may read.

    A grading kernel's HOME is its fresh work directory, so without this every kernel that loads data
    would validate the datasets again (a second or more each: frictionless). The folder belongs to the
    grader and is bound read-only into each jail (``COURSE_DATA_CACHE``, :mod:`course.data.verdicts`): a
    kernel can use a verdict, never write one. None (and kernels validate as before) when there are no
    datasets or their validation fails here.
    """
    data = datasets_path()
    if data is None:
        return None
    folder = base / DATA_CACHE
    folder.mkdir(mode=0o755, exist_ok=True)
    os.chmod(folder, 0o755)
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
