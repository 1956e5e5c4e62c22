"""Real-browser tests: a JupyterLab server started by the tests, driven by
Playwright in Debian's Chromium.

* The server listens on a free loopback port with a random token, with its
  own settings, workspace, runtime and config directories, and serves a
  temporary copy of the course (so Run All never writes outputs into the
  committed notebooks). It is always stopped, even when a test fails.
* With ``REQUIRE_BROWSER=1`` (set by ``.ci/run``) a missing Chromium or
  Playwright fails the run; without it the browser tests skip with one
  clear message.
* Screenshots go to ``artifacts/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from labkit import REPO, SCREENSHOTS, WIRE_REPORT, WireCounter

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _missing_browser() -> str | None:
    problems = []
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        problems.append(f"no Chromium at {CHROMIUM} (install Debian's: apt-get install -y chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("the playwright Python package is not installed (make test installs it)")
    return "; ".join(problems) or None


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    browser_items = [i for i in items if here in Path(str(i.fspath)).parents]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
    # Run the browser tests last. Playwright's sync API keeps an event loop
    # running in the main thread while the browser is open; the package-scoped
    # fixtures close it when the package is done, and running it last keeps it
    # away from in-process code that calls asyncio.run() (the grading tests).
    others = [i for i in items if i not in browser_items]
    items[:] = others + browser_items
    missing = _missing_browser()
    if not missing or not browser_items:
        return
    if REQUIRE_BROWSER:
        return  # the session fixture fails them, loudly
    skip = pytest.mark.skip(
        reason=f"browser tests skipped: {missing}. Set REQUIRE_BROWSER=1 to make this an error."
    )
    for item in browser_items:
        item.add_marker(skip)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


class LabServer:
    """A running JupyterLab: ``url(path)`` builds authenticated URLs."""

    def __init__(self, root: Path, port: int, token: str, proc: subprocess.Popen, log: Path):
        self.root, self.port, self.token, self.proc, self.log = root, port, token, proc, log

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "lab") -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base}/{path.lstrip('/')}{sep}token={self.token}"

    def api(self, path: str):
        req = urllib.request.Request(
            f"{self.base}/api/{path}", headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def shutdown_kernels(self) -> None:
        """End every session and kernel, so one test's kernels never pile up under the next."""
        for kind in ("sessions", "kernels"):
            for item in self.api(kind):
                req = urllib.request.Request(
                    f"{self.base}/api/{kind}/{item['id']}",
                    method="DELETE",
                    headers={"Authorization": f"token {self.token}"},
                )
                try:
                    urllib.request.urlopen(req, timeout=30).close()
                except OSError:
                    pass

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


def _prepare_root(root: Path) -> None:
    """A copy of what a learner opens: the lessons and the nbgrader course."""
    shutil.copytree(REPO / "lessons", root / "lessons", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")  # Formgrader finds the course
    if (REPO / "assignments").is_dir():
        shutil.copytree(
            REPO / "assignments",
            root / "assignments",
            ignore=shutil.ignore_patterns(
                ".ipynb_checkpoints",
                "gradebook.db",
                "exchange",
                "submitted",
                "autograded",
                "feedback",
                "release",
            ),
        )


@pytest.fixture(scope="package")
def lab_server(tmp_path_factory):
    missing = _missing_browser()
    if missing:
        pytest.fail(f"REQUIRE_BROWSER=1 but {missing}", pytrace=False)
    base = tmp_path_factory.mktemp("lab")
    root = base / "root"
    root.mkdir()
    _prepare_root(root)
    settings, workspaces, runtime, config = (
        base / d for d in ("settings", "workspaces", "runtime", "config")
    )
    for d in (settings, workspaces, runtime, config):
        d.mkdir()
    # the news toast covers the corner of the page
    _write_json(
        settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings",
        {"fetchNews": "false"},
    )
    # render every cell, so the DOM holds every output (JupyterLab 4 windows long notebooks)
    _write_json(
        settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings",
        {"windowingMode": "none"},
    )
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(
        os.environ,
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(workspaces),
        JUPYTER_RUNTIME_DIR=str(runtime),
        JUPYTER_CONFIG_DIR=str(config),
        JUPYTER_PLATFORM_DIRS="1",
        PYTHONUNBUFFERED="1",
    )
    env.pop("JUPYTER_TOKEN", None)
    log = base / "server.log"
    cmd = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    with log.open("w") as fh:
        proc = subprocess.Popen(
            cmd, cwd=root, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = LabServer(root, port, token, proc, log)
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"JupyterLab exited with {proc.returncode}:\n{server.log_tail()}", pytrace=False)
            try:
                server.api("status")
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer in 90 s:\n{server.log_tail()}", pytrace=False)
                time.sleep(0.3)
        yield server
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server and everything it started (kernels are in its process group)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
    try:  # kernels may have been put in their own sessions: kill any left in the group
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@pytest.fixture(scope="package")
def browser(lab_server):
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()
    finally:
        pw.stop()


@pytest.fixture
def page(browser, lab_server, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.page_errors = errors
    pg.wire = WireCounter(pg)
    try:
        yield pg
    finally:
        if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            try:
                pg.screenshot(path=str(SCREENSHOTS / f"FAILED-{request.node.name}.png"), full_page=True)
            except Exception:  # noqa: BLE001 - best effort on a failing page
                pass
            print(f"--- JupyterLab server log (last lines) ---\n{lab_server.log_tail(80)}")
        context.close()
        lab_server.shutdown_kernels()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


def pytest_terminal_summary(terminalreporter):
    """The bytes each lesson's Run All received over the page's websockets (and artifacts/wire_bytes.json)."""
    if not WIRE_REPORT:
        return
    tr = terminalreporter
    tr.section("bytes received by the browser over websockets, per lesson")
    tr.write_line(f"{'lesson':<40} {'Run All MB':>11} {'frames':>7} {'opening MB':>11}")
    for name, row in sorted(WIRE_REPORT.items()):
        tr.write_line(
            f"{name:<40} {row['run_all_bytes'] / 1e6:>11.3f} {row['run_all_frames']:>7} "
            f"{row['open_bytes'] / 1e6:>11.3f}"
        )
    out = REPO / "artifacts" / "wire_bytes.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(WIRE_REPORT, indent=1, sort_keys=True), encoding="utf-8")
    tr.write_line(f"written to {out.relative_to(REPO)}")
