"""The course on a real JupyterHub (assignments/README.md, "The same course on a JupyterHub").

A JupyterHub from PyPI on 127.0.0.1, its configurable-http-proxy from npm
(tests/hub/package.json, installed by .ci/run), and jupyterhub's
LocalProcessSpawner, which starts each user's single-user server as that
user's Unix account. The test creates the accounts (an instructor and three
students) with useradd, so it needs root; elsewhere it is skipped, saying so
(with REQUIRE_HUB=1, as in .ci/run, it fails instead).

The round trip goes through each user's own server, with nbgrader's server
extensions (the REST handlers behind *Nbgrader -> Assignment List*: list,
fetch, validate, submit, fetch_feedback); the instructor's commands run as the
instructor's Unix account, as in a terminal of the instructor's server:
release --publish, collect, grade, feedback, nbgrader release_feedback.

It shows what the guide says: identity comes from the OS user (the inbound
folder carries the student's name and is owned by the student's uid),
JupyterHubAuthPlugin shows a course only to members of the hub group
nbgrader-<course>, path_includes_course changes where a student's copy lands
(not the exchange), Formgrader and Create Assignment are off on student
servers, and a submission one student forges in another's name is refused by
`course collect` (nbgrader's CollectApp.check_owner would only warn).
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

import pytest

pytestmark = [pytest.mark.hub, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
PROXY = Path(__file__).resolve().parent / "node_modules" / ".bin" / "configurable-http-proxy"
COURSE_ID = "helsinki-nea"
PS = "ps1"
REQUIRED = os.environ.get("REQUIRE_HUB") == "1"


def _unavailable(why: str):
    if REQUIRED:
        pytest.fail(f"REQUIRE_HUB=1 but {why}")
    pytest.skip(why)


def _preflight() -> None:
    if os.geteuid() != 0:
        _unavailable("the JupyterHub test creates Unix users and spawns servers as them: it needs root")
    if not shutil.which("useradd") or not shutil.which("userdel"):
        _unavailable("no useradd/userdel on this machine: cannot create the test's Unix users")
    try:
        import jupyterhub  # noqa: F401
    except ImportError:
        _unavailable("jupyterhub is not installed (it is in the test extra: make install-test)")
    if not PROXY.exists():
        _unavailable(f"configurable-http-proxy missing: run `npm ci` in {PROXY.parents[2]} (.ci/run does)")


def blocked_dirs() -> list[str]:
    """Folders above this Python, the virtual environment or the repository that other users cannot enter
    (e.g. /root, 0700, holding a pyenv Python): the hub's mount namespace makes them traversable."""
    out = []
    for target in (sys.base_prefix, sys.prefix, str(REPO)):
        p = Path(os.path.realpath(target))
        for d in [*reversed(p.parents), p]:
            if not os.stat(d).st_mode & 0o001 and str(d) not in out:
                out.append(str(d))
                break
    return out


# Run in a private mount namespace (unshare -m): each blocked folder is covered by a tmpfs of mode 0711
# into which its entries are bind-mounted, so their own modes still protect them. Nothing changes outside.
OVERLAY = r"""
import os, subprocess, sys
stage, blocked, cmd = sys.argv[1], sys.argv[2].split(":"), sys.argv[3:]
def mount(*args):
    subprocess.run(["mount", *args], check=True)
for i, d in enumerate(filter(None, blocked)):
    orig = os.path.join(stage, str(i))
    os.makedirs(orig)
    mount("--bind", d, orig)
    mount("-t", "tmpfs", "-o", "mode=0711", "tmpfs", d)
    for name in os.listdir(orig):
        src, dst = os.path.join(orig, name), os.path.join(d, name)
        if os.path.islink(src):
            os.symlink(os.readlink(src), dst)
            continue
        if os.path.isdir(src):
            os.mkdir(dst)
        else:
            open(dst, "w").close()
        mount("--bind", src, dst)
os.execvp(cmd[0], cmd)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


NAMESPACE_OF: list[int] = []  # the hub's pid: the test users' commands run in its mount namespace


def as_user(
    user: str, *cmd, cwd: Path, check: bool = True, timeout: float = 300
) -> subprocess.CompletedProcess:
    """Run ``cmd`` as the Unix account ``user`` (what that user types in a terminal of their server)."""
    home = pwd.getpwnam(user).pw_dir
    env = {
        "HOME": home,
        "USER": user,
        "LOGNAME": user,
        "PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
    }
    enter = ["nsenter", f"--mount=/proc/{NAMESPACE_OF[0]}/ns/mnt", f"--wd={cwd}"] if NAMESPACE_OF else []
    proc = subprocess.run(
        [
            *enter,
            "runuser",
            "-u",
            user,
            "--",
            "env",
            "-i",
            *(f"{k}={v}" for k, v in env.items()),
            *map(str, cmd),
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, cmd))} as {user} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    return proc


class Hub:
    """A JupyterHub running as root with LocalProcessSpawner; admin API through a service token."""

    def __init__(self, base: Path, users: dict[str, str], student_cfg: Path, instructor_cfg: Path):
        import requests

        self.requests = requests
        self.base = base
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = uuid.uuid4().hex
        self.log = base / "jupyterhub.log"
        instructor = users["instructor"]
        config = base / "jupyterhub_config.py"
        config.write_text(
            textwrap.dedent(
                f"""
                c = get_config()
                c.JupyterHub.ip = "127.0.0.1"
                c.JupyterHub.port = {self.port}
                c.JupyterHub.hub_ip = "127.0.0.1"
                c.JupyterHub.hub_port = {free_port()}
                c.ConfigurableHTTPProxy.command = [{str(PROXY)!r}]
                c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"
                c.JupyterHub.db_url = "sqlite:///{base}/jupyterhub.sqlite"
                c.JupyterHub.cookie_secret_file = "{base}/jupyterhub_cookie_secret"
                c.JupyterHub.pid_file = "{base}/jupyterhub.pid"
                c.JupyterHub.cleanup_servers = True
                c.JupyterHub.tornado_settings = {{"slow_spawn_timeout": 0}}  # spawn the four servers at once
                c.JupyterHub.cleanup_proxy = True
                c.JupyterHub.authenticator_class = "dummy"
                c.Authenticator.allowed_users = {set(users.values())!r}
                c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
                c.Spawner.cmd = [{str(VENV_BIN / "jupyterhub-singleuser")!r}]
                c.Spawner.start_timeout = 180
                c.Spawner.http_timeout = 180
                c.Spawner.args = ["--ServerApp.log_level=WARN"]
                # nbgrader's JupyterHubAuthPlugin reads the user's groups with the server's own token
                c.Spawner.server_token_scopes = [
                    "users:activity!user", "access:servers!server", "read:users:groups!user",
                    "read:users:name!user",
                ]
                # the students' servers read {student_cfg} (an image's /etc/jupyter), the instructor's
                # {instructor_cfg}
                c.Spawner.environment = {{
                    "JUPYTER_CONFIG_PATH": lambda spawner: (
                        {str(instructor_cfg)!r} if spawner.user.name == {instructor!r} else {str(student_cfg)!r}
                    ),
                }}
                c.JupyterHub.services = [{{"name": "course-test", "api_token": {self.token!r}}}]
                c.JupyterHub.load_roles = [{{
                    "name": "course-test",
                    "scopes": ["admin:users", "admin:groups", "admin:servers", "tokens", "access:servers"],
                    "services": ["course-test"],
                }}]
                """
            )
        )
        stage = base / ".mounts"
        stage.mkdir(mode=0o700)
        blocked = blocked_dirs()
        command = [str(VENV_BIN / "jupyterhub"), "-f", str(config)]
        if blocked:
            command = [
                "unshare",
                "--mount",
                "--propagation",
                "private",
                sys.executable,
                "-c",
                OVERLAY,
                str(stage),
                ":".join(blocked),
                *command,
            ]
        self.proc = subprocess.Popen(
            command,
            cwd=base,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if blocked:
            NAMESPACE_OF[:] = [self.proc.pid]
        deadline = time.monotonic() + 90
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"jupyterhub exited ({self.proc.returncode}):\n{self.log.read_text()[-4000:]}"
                )
            with contextlib.suppress(requests.ConnectionError):
                if self.requests.get(f"{self.url}/hub/api/", timeout=5).ok:
                    break
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"jupyterhub did not answer within 90 s:\n{self.log.read_text()[-4000:]}"
                )
            time.sleep(0.5)

    # -- the hub's REST API, as the admin service --------------------------------
    def api(self, method: str, path: str, **kwargs):
        r = self.requests.request(
            method,
            f"{self.url}/hub/api{path}",
            headers={"Authorization": f"token {self.token}"},
            timeout=60,
            **kwargs,
        )
        assert r.status_code < 400, f"{method} {path}: {r.status_code} {r.text}"
        return r.json() if r.text else None

    def spawn(self, names: list[str]) -> None:
        for name in names:
            self.requests.post(
                f"{self.url}/hub/api/users/{name}/server",
                headers={"Authorization": f"token {self.token}"},
                timeout=60,
            )
        deadline = time.monotonic() + 120
        waiting = set(names)
        while waiting:
            for name in sorted(waiting):
                server = self.api("GET", f"/users/{name}")["servers"].get("", {})
                if server.get("ready"):
                    waiting.discard(name)
            if time.monotonic() > deadline:
                raise AssertionError(f"servers of {sorted(waiting)} not ready:\n{self.log_tail()}")
            time.sleep(1)

    def log_tail(self, n: int = 6000) -> str:
        """The hub's log without the test's own polling."""
        lines = [line for line in self.log.read_text().splitlines() if "(course-test@" not in line]
        return "\n".join(lines)[-n:]

    def user_token(self, name: str) -> str:
        return self.api(
            "POST",
            f"/users/{name}/tokens",
            json={"note": "course test", "scopes": [f"access:servers!user={name}"]},
        )["token"]

    def stop(self) -> None:
        import psutil

        try:
            tree = [self.proc.pid] + [p.pid for p in psutil.Process(self.proc.pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            tree = []
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        for pid in tree:  # the proxy and any server the hub did not stop
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


class Server:
    """One user's single-user server, reached through the hub's proxy with that user's token."""

    def __init__(self, hub: Hub, name: str):
        self.hub, self.name = hub, name
        self.base = f"{hub.url}/user/{name}"
        self.headers = {"Authorization": f"token {hub.user_token(name)}"}

    def get(self, path: str, **params):
        return self.hub.requests.get(self.base + path, headers=self.headers, params=params, timeout=120)

    def post(self, url: str, **data):
        return self.hub.requests.post(self.base + url, headers=self.headers, data=data, timeout=120)

    def json(self, r):
        assert r.status_code == 200, (
            f"{self.name} {r.request.method} {r.url}: {r.status_code} {r.text[:300]}\n{self.hub.log_tail()}"
        )
        return r.json()

    # nbgrader's Assignment List, as its buttons call it
    def assignments(self) -> list[dict]:
        out = self.json(self.get("/assignments", course_id=COURSE_ID))
        assert out["success"], out
        return out["value"]

    def action(self, action: str) -> list[dict]:
        out = self.json(self.post(f"/assignments/{action}", course_id=COURSE_ID, assignment_id=PS))
        assert out["success"], f"{self.name} {action}: {out.get('value')}"
        return out["value"]

    def put_notebook(self, path: str, nb) -> None:
        r = self.hub.requests.put(
            f"{self.base}/api/contents/{path}",
            headers=self.headers,
            json={"type": "notebook", "format": "json", "content": nb},
            timeout=60,
        )
        assert r.status_code in (200, 201), f"{self.name} save {path}: {r.status_code} {r.text[:500]}"


def page_config(html: str) -> dict:
    m = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html, re.S)
    assert m, "no jupyter-config-data in the lab page"
    return json.loads(m.group(1))


def users_processes(uids: set[int]) -> list[int]:
    import psutil

    return [p.pid for p in psutil.process_iter(["uids"]) if p.info["uids"] and p.info["uids"].real in uids]


@pytest.fixture(scope="module")
def world():
    """The Unix accounts, the shared exchange, the two Jupyter configurations and a running hub."""
    _preflight()
    tag = uuid.uuid4().hex[:5]
    names = {
        "instructor": f"nea{tag}-teach",
        "alice": f"nea{tag}-alice",
        "bob": f"nea{tag}-bob",
        "carol": f"nea{tag}-carol",
    }
    base = Path(tempfile.mkdtemp(prefix="course-hub-"))
    os.chmod(base, 0o755)
    (base / "home").mkdir(mode=0o755)
    created: list[str] = []
    hub = None
    try:
        for name in names.values():
            proc = subprocess.run(
                [
                    "useradd",
                    "--create-home",
                    "--home-dir",
                    str(base / "home" / name),
                    "--shell",
                    "/bin/bash",
                    name,
                ],
                capture_output=True,
                text=True,
            )
            if proc.returncode != 0:
                _unavailable(f"useradd {name} failed: {proc.stderr.strip()}")
            created.append(name)
            os.chmod(base / "home" / name, 0o700)

        # 1. one exchange for everyone: world-writable with the sticky bit
        exchange = base / "srv" / "nbgrader" / "exchange"
        exchange.mkdir(parents=True)
        os.chmod(exchange, 0o1777)

        # 2. the students' servers: the course id, the exchange, the hub's groups; no Formgrader or
        # Create Assignment (this folder stands for the image's /etc/jupyter: the test's one Python
        # environment is shared with the instructor, so --sys-prefix would switch them off for all)
        student_cfg = base / "etc-students"
        student_cfg.mkdir()
        (student_cfg / "nbgrader_config.py").write_text(
            "from nbgrader.auth import JupyterHubAuthPlugin\n\n"
            "c = get_config()\n"
            f'c.CourseDirectory.course_id = "{COURSE_ID}"\n'
            f'c.Exchange.root = "{exchange}"\n'
            "c.Authenticator.plugin_class = JupyterHubAuthPlugin\n"
        )
        (student_cfg / "jupyter_server_config.d").mkdir()
        (student_cfg / "jupyter_server_config.d" / "nbgrader-student.json").write_text(
            json.dumps(
                {"ServerApp": {"jpserver_extensions": {"nbgrader.server_extensions.formgrader": False}}}
            )
        )
        plugins = ["@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment"]
        env = {**os.environ, "JUPYTER_CONFIG_DIR": str(student_cfg)}
        for verb in ("disable", "lock"):
            subprocess.run(
                [VENV_BIN / "jupyter", "labextension", verb, "--level=user", *plugins],
                env=env,
                check=True,
                capture_output=True,
            )
        for p in student_cfg.rglob("*"):
            os.chmod(p, 0o755 if p.is_dir() else 0o644)

        # 3. the instructor: the repository's course folder in their home, the exchange changed,
        # ~/nbgrader_config.py for Formgrader
        instructor = names["instructor"]
        home = base / "home" / instructor
        repo = home / "helsinki-nea-course"
        shutil.copytree(REPO / "assignments" / "source", repo / "assignments" / "source")
        cfg = (REPO / "assignments" / "nbgrader_config.py").read_text()
        cfg, n = re.subn(r"^c\.Exchange\.root = .*$", f'c.Exchange.root = "{exchange}"', cfg, flags=re.M)
        assert n == 1, "assignments/nbgrader_config.py no longer sets c.Exchange.root on one line"
        (repo / "assignments" / "nbgrader_config.py").write_text(cfg)
        (home / "nbgrader_config.py").write_text(
            'c = get_config()\nload_subconfig("helsinki-nea-course/assignments/nbgrader_config.py")\n'
        )
        instructor_cfg = base / "etc-instructor"
        instructor_cfg.mkdir()
        os.chmod(instructor_cfg, 0o755)
        subprocess.run(["chown", "-R", f"{instructor}:{instructor}", str(home)], check=True)

        hub = Hub(base, names, student_cfg, instructor_cfg)
        # carol joins the course later: JupyterHubAuthPlugin hides it from her until then
        hub.api("POST", f"/groups/nbgrader-{COURSE_ID}", json={"users": [names["alice"], names["bob"]]})
        hub.api("POST", f"/groups/formgrade-{COURSE_ID}", json={"users": [instructor]})
        hub.spawn(list(names.values()))
        servers = {role: Server(hub, name) for role, name in names.items()}
        yield {
            "names": names,
            "hub": hub,
            "servers": servers,
            "exchange": exchange,
            "repo": repo,
            "base": base,
        }
    finally:
        if hub is not None:
            hub.stop()
            NAMESPACE_OF.clear()
        uids = set()
        for name in created:
            with contextlib.suppress(KeyError):
                uids.add(pwd.getpwnam(name).pw_uid)
        for _ in range(20):
            left = users_processes(uids)
            if not left:
                break
            for pid in left:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.2)
        for name in created:
            subprocess.run(["userdel", "--remove", name], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def test_the_round_trip_runs_through_each_users_own_server(world):
    from grading_fixtures.submissions import reference_answers

    names, servers, exchange, repo = world["names"], world["servers"], world["exchange"], world["repo"]
    instructor, alice, bob, carol = (names[k] for k in ("instructor", "alice", "bob", "carol"))
    course_dir = repo / "assignments"
    uid = {n: pwd.getpwnam(n).pw_uid for n in names.values()}

    # the instructor releases, as the instructor's Unix account
    out = as_user(instructor, VENV_BIN / "course", "release", PS, "--publish", cwd=repo).stdout
    assert f"ok   {PS}" in out and "published to the exchange" in out, out
    assert (exchange / COURSE_ID / "outbound" / PS / f"{PS}.ipynb").is_file()

    # Formgrader: on the instructor's server (it finds the course through ~/nbgrader_config.py), not
    # on a student's; Create Assignment and Formgrader are disabled and locked in the students' lab
    listed = servers["instructor"].json(servers["instructor"].get("/formgrader/api/assignments"))
    assert {a["name"] for a in listed} >= {"ps1", "ps2", "ps3", "ps4"}, listed
    assert servers["alice"].get("/formgrader/api/assignments").status_code == 404
    student_page = page_config(servers["alice"].get("/lab").text)
    teacher_page = page_config(servers["instructor"].get("/lab").text)
    for plugin in ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment"):
        assert plugin in student_page["disabledExtensions"] and plugin in student_page.get(
            "lockedExtensions", []
        )
        assert plugin not in teacher_page["disabledExtensions"]
    assert "@jupyter/nbgrader:assignment-list" not in student_page["disabledExtensions"]

    # carol is not in nbgrader-helsinki-nea yet: her server lists nothing of the course
    assert servers["carol"].assignments() == []
    world["hub"].api("POST", f"/groups/nbgrader-{COURSE_ID}/users", json={"users": [carol]})
    # path_includes_course (carol's own setting) changes where her copy lands, nothing else
    carol_jupyter = Path(pwd.getpwnam(carol).pw_dir) / ".jupyter"
    as_user(carol, "mkdir", "-p", carol_jupyter, cwd=Path("/"))
    as_user(
        carol,
        "python",
        "-c",
        f"open({str(carol_jupyter / 'nbgrader_config.py')!r}, 'w').write("
        "'c = get_config()\\nc.Exchange.path_includes_course = True\\n')",
        cwd=Path("/"),
    )

    answers = reference_answers(course_dir, PS)
    for who in ("alice", "bob", "carol"):
        server = servers[who]
        released = [a for a in server.assignments() if a["assignment_id"] == PS]
        assert [a["status"] for a in released] == ["released"], released
        fetched = [a for a in server.action("fetch") if a["assignment_id"] == PS and a["status"] == "fetched"]
        assert fetched, f"{who}: nothing fetched"
        nb_path = fetched[0]["notebooks"][0]["path"]
        expected = f"{COURSE_ID}/{PS}/{PS}.ipynb" if who == "carol" else f"{PS}/{PS}.ipynb"
        assert nb_path == expected, nb_path
        home = Path(pwd.getpwnam(names[who]).pw_dir)
        assert (home / nb_path).stat().st_uid == uid[names[who]]
        if who != "bob":  # bob hands in the problem set as released
            r = server.get(f"/api/contents/{nb_path}")
            nb = server.json(r)["content"]
            for cell in nb["cells"]:
                gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                if gid in answers:
                    cell["source"] = answers[gid]
            server.put_notebook(nb_path, nb)
        validated = server.json(server.post("/assignments/validate", path=nb_path))
        assert validated["success"], validated
        submitted = server.action("submit")
        assert any(a["status"] == "submitted" for a in submitted if a["assignment_id"] == PS), submitted

    # identity comes from the OS user: each inbound folder is named after, and owned by, its student
    inbound = exchange / COURSE_ID / "inbound"
    entries = {p.name.split("+")[0]: p for p in inbound.iterdir()}
    assert set(entries) == {alice, bob, carol}, sorted(entries)
    for student, folder in entries.items():
        assert folder.stat().st_uid == uid[student], folder

    # carol forges a later submission in alice's name (the inbound folder is writable by everyone)
    later = "2099-01-01 00:00:00.000000 UTC"
    forged = inbound / f"{alice}+{PS}+{later}"
    as_user(carol, "mkdir", forged, cwd=Path("/"))
    as_user(
        carol,
        "cp",
        Path(pwd.getpwnam(carol).pw_dir) / COURSE_ID / PS / f"{PS}.ipynb",
        forged / f"{PS}.ipynb",
        cwd=Path("/"),
    )
    as_user(
        carol, "python", "-c", f"open({str(forged / 'timestamp.txt')!r}, 'w').write({later!r})", cwd=Path("/")
    )

    # the instructor collects, grades, writes and releases the feedback
    out = as_user(instructor, VENV_BIN / "course", "collect", PS, cwd=repo).stdout
    assert "3 collected" in out, out
    assert re.search(rf"refused .*{re.escape(alice)}\+{PS}\+2099.*owned by {re.escape(carol)}", out), out
    collected_at = (course_dir / "submitted" / alice / PS / "timestamp.txt").read_text()
    assert "2099" not in collected_at, collected_at
    grade = as_user(instructor, VENV_BIN / "course", "grade", PS, "--jobs", "2", cwd=repo, check=False)
    assert grade.returncode == 0, grade.stdout + grade.stderr
    assert "isolation: none" not in grade.stdout, grade.stdout  # the instructor's account gets a jail
    for student in (alice, bob, carol):
        assert re.search(rf"(graded|needs-manual-grading)\s+{PS}/{re.escape(student)}\b", grade.stdout), (
            grade.stdout
        )
    # the gradebook records each submission under the student's own name
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        assert {s.id for s in gb.students} == {alice, bob, carol}
        scores = {s: gb.find_submission(PS, s).score for s in (alice, bob, carol)}
    assert scores[alice] == scores[carol] > scores[bob], scores

    out = as_user(instructor, VENV_BIN / "course", "feedback", PS, cwd=repo).stdout
    assert "3 feedback file(s)" in out, out
    released = as_user(instructor, VENV_BIN / "nbgrader", "release_feedback", PS, cwd=course_dir, check=False)
    assert released.returncode == 0, released.stdout + released.stderr

    # each student fetches the feedback through their own server and opens it
    for who in ("alice", "bob", "carol"):
        server = servers[who]
        listing = server.action("fetch_feedback")
        subs = [
            s
            for a in listing
            if a["assignment_id"] == PS and a["status"] == "submitted"
            for s in a["submissions"]
        ]
        assert subs and subs[-1]["has_local_feedback"], (who, subs)
        html = server.get("/files/" + subs[-1]["local_feedback_path"] + f"/{PS}.html")
        assert html.status_code == 200 and "Score" in html.text, (who, html.status_code)
        assert "BEGIN HIDDEN TESTS" not in html.text
