"""A real JupyterHub on loopback, run from the recipe file, for the hub test and the hub benchmark.

The hub runs deploy/jupyterhub_config.py, the recipe of docs/instructors.md, as it is: only its
three listening addresses are changed on the command line (to free ports), and its site settings
come from the environment, as the recipe says. So each learner gets a system account of their
own, made by the hub, and their server and kernels run as that account, never as root.

Everything here starts real processes: JupyterHub (from the project's .venv), the
configurable-http-proxy it starts (from npm, in the project's own .tools folder), the idle culler,
one single-user Jupyter server per learner with its kernels, and a ``git daemon`` on 127.0.0.1
that publishes the lesson (learners cannot clone a folder owned by root: git refuses a repository
of another user, so the lesson is served as an instructor would serve it). Nothing listens on
anything but 127.0.0.1, and nothing calls outside this machine.

Learner accounts get this run's own prefix (``Hub.account_names``); a name that already exists is
never used, and teardown deletes only accounts that this hub made (their comment and home folder
say so). Process ids and listening ports are recorded as things start, and the leak check
compares the machine against those records, against this run's tag in the environment and
against this run's learner accounts: it never looks processes up by name.

The pinned configurable-http-proxy is installed with npm into the project's own tool folder,
.tools/hub, the first time it is needed (``ensure_proxy``); after that nothing is downloaded,
so the hub test runs offline. ``python tests/hub_support.py install-proxy`` does the same by hand.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
#: The recipe: the hub configuration of docs/instructors.md, run here as it is.
RECIPE = ROOT / "deploy" / "jupyterhub_config.py"
#: What the recipe writes in each account it makes (its comment field).
ACCOUNT_NOTE = "smtplesson learner"
#: The hub's part of the project's tool folder for things that are not Python packages
#: (.tools/ is ignored by git; make clean removes it).
TOOLS = ROOT / ".tools" / "hub"
#: configurable-http-proxy, pinned: 5.3.0 warns EBADENGINE on node 20 but runs.
PROXY_VERSION = "5.3.0"
PROXY_BIN_DIR = TOOLS / "node_modules" / ".bin"
PROXY_PACKAGE = TOOLS / "node_modules" / "configurable-http-proxy" / "package.json"
#: Python packages the hub needs besides smtplesson's own.
MODULES = {
    "jupyterhub": "the hub itself",
    "nbgitpuller": "delivers the lesson to each learner",
    "jupyterhub_idle_culler": "jupyterhub-idle-culler: stops idle servers",
    "websocket": "websocket-client: runs code in a learner's kernel",
    "psutil": "finds the process tree and the listening ports",
    "requests": "talks to the hub and server REST APIs",
}
#: The password every learner types (SharedPasswordAuthenticator wants 8 characters or more).
SHARED_PASSWORD = "smtp-lesson-2024"
#: Scopes of the recipe's admin service that drives the hub (and nothing more).
ADMIN_SCOPES = ["admin:users", "admin:servers", "admin:server_state", "tokens", "access:servers"]
#: Scopes of the recipe's idle culler, as its README asks.
CULLER_SCOPES = ["list:users", "read:users:activity", "read:servers", "delete:servers"]
#: Seconds for one HTTP request; every wait below has its own bound too.
HTTP_TIMEOUT = 30
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
#: The environment variable that tags the hub and the proxy of one run (see run_processes).
RUN_MARKER = "SMTPLESSON_HUB_RUN"
#: The code of notebook 04's live lab, as a learner runs it: a lab, a wrong password, the right one.
LAB_CELL = """
from smtplesson.lab import LabServer, send_mail
lab = LabServer().start()
wrong = send_mail(lab, "alice", "not-the-password").code
right = send_mail(lab, "alice", "wonderland").code
print(lab.port, wrong, right)
"""


# --- what the machine needs ----------------------------------------------------------------------

def installed_proxy_version() -> str | None:
    """The configurable-http-proxy version in .tools, or None."""
    try:
        return json.loads(PROXY_PACKAGE.read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


def ensure_proxy(timeout: float = 300) -> str:
    """Install the pinned proxy into .tools/hub with npm unless it is there. Idempotent.

    Raises RuntimeError, with the reason, when it is missing and cannot be installed.
    """
    if installed_proxy_version() == PROXY_VERSION and (PROXY_BIN_DIR / "configurable-http-proxy").exists():
        return f"configurable-http-proxy {PROXY_VERSION} is already in {TOOLS}"
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(f"configurable-http-proxy {PROXY_VERSION} is not in {TOOLS}, and npm, "
                           "which installs it there once, is not installed")
    TOOLS.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run([npm, "install", "--prefix", str(TOOLS), "--no-save", "--no-audit",
                        "--no-fund", "--loglevel=error", f"configurable-http-proxy@{PROXY_VERSION}"],
                       check=True, timeout=timeout, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except subprocess.CalledProcessError as error:
        output = error.stdout.decode(errors="replace")[-800:]
        raise RuntimeError(f"npm could not install configurable-http-proxy@{PROXY_VERSION} "
                           f"into {TOOLS}:\n{output}") from None
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"npm install configurable-http-proxy@{PROXY_VERSION}: "
                           f"no end after {timeout:.0f} s") from None
    if installed_proxy_version() != PROXY_VERSION:
        raise RuntimeError(f"npm ran, but {PROXY_PACKAGE} is not version {PROXY_VERSION}")
    return f"installed configurable-http-proxy {PROXY_VERSION} into {TOOLS}"


def learner_paths() -> list[Path]:
    """Files each learner's account must reach: the Python, its environment, the project."""
    return [Path(os.path.realpath(sys.executable)), Path(sys.base_prefix).resolve(),
            Path(sys.prefix), ROOT]


def closed_folders(paths: list[Path] | None = None) -> list[Path]:
    """Folders on the way to ``paths`` that other accounts may not pass through (no o+x).

    Here the Python lives under /root (pyenv), which is 0700: a learner's account cannot run it
    until the run grants that account passage (``Hub.open_paths_for``).
    """
    closed = []
    for path in paths or learner_paths():
        for folder in [*reversed(path.parents), path] if path.is_dir() else reversed(path.parents):
            if not folder.stat().st_mode & stat.S_IXOTH and folder not in closed:
                closed.append(folder)
    return closed


def git_daemon_available() -> bool:
    try:
        exec_path = subprocess.run(["git", "--exec-path"], capture_output=True, text=True,
                                   check=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return False
    return Path(exec_path, "git-daemon").exists()


def missing() -> list[str]:
    """Why the hub cannot run here (empty when it can). Installs the proxy if it can."""
    reasons = [f"the Python package {name} is not installed ({why}); make test installs it"
               for name, why in MODULES.items() if importlib.util.find_spec(name) is None]
    if not IS_ROOT:
        reasons.append("the hub makes a system account for each learner and starts their server "
                       "as that account, which needs root (CI runs as root)")
    for tool, why in (("node", "runs configurable-http-proxy"), ("git", "nbgitpuller clones with it"),
                      ("useradd", "the hub makes the learners' accounts"),
                      ("userdel", "the test removes the accounts it made")):
        if shutil.which(tool) is None:
            reasons.append(f"{tool} is not installed ({why})")
    if shutil.which("git") and not git_daemon_available():
        reasons.append("git daemon is missing (it publishes the lesson on 127.0.0.1)")
    if closed_folders() and shutil.which("setfacl") is None:
        reasons.append(f"setfacl (Debian package acl) is not installed: it lets the learners' "
                       f"accounts pass through {', '.join(map(str, closed_folders()))} to reach "
                       f"this project's Python")
    if not reasons:
        try:
            ensure_proxy()
        except RuntimeError as error:
            reasons.append(str(error))
    return reasons


# --- small helpers ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(what: str, check, timeout: float, interval: float = 0.2):
    """Call ``check`` until it returns something true; raise TimeoutError after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not done after {timeout:.0f} s")
        time.sleep(interval)


def make_lesson_repo(folder: Path) -> Path:
    """A local git repository of the lesson, on branch main, as instructors would publish it.

    It holds the working tree's notebooks/ (so uncommitted edits are what learners get) and
    the README, in one commit.
    """
    folder.mkdir(parents=True)
    shutil.copytree(ROOT / "notebooks", folder / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copyfile(ROOT / "README.md", folder / "README.md")
    git(folder, "init", "--quiet", "--initial-branch=main")
    commit_all(folder, "The lesson")
    return folder


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), "-c", "user.name=smtplesson test",
                    "-c", "user.email=test@lab.example", "-c", "commit.gpgsign=false", *args],
                   check=True, capture_output=True, timeout=60)


def commit_all(folder: Path, message: str) -> None:
    """Commit everything in the lesson repository, as an instructor publishing an update."""
    git(folder, "add", "--all")
    git(folder, "commit", "--quiet", "--message", message)


# --- processes and ports ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Recorded:
    """A process this run started: its pid, when it started (to tell a reused pid), its role."""

    pid: int
    created: float
    role: str


def record(pid: int, role: str) -> Recorded | None:
    import psutil

    try:
        return Recorded(pid, psutil.Process(pid).create_time(), role)
    except psutil.NoSuchProcess:
        return None


def still_running(item: Recorded) -> bool:
    """True while the recorded process (not a later one with the same pid) is alive."""
    import psutil

    try:
        process = psutil.Process(item.pid)
        return process.create_time() == item.created and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def listening_ports(pid: int) -> set[int]:
    import psutil

    try:
        return {c.laddr.port for c in psutil.Process(pid).net_connections(kind="inet")
                if c.status == psutil.CONN_LISTEN}
    except psutil.NoSuchProcess:
        return set()


def run_processes(marker: str, uids: set[int], hub_api: str = "") -> dict[int, str]:
    """Processes of one run: those whose environment carries ``marker`` (the hub and the proxy),
    those the hub told where its API is (``hub_api``: its services, such as the culler), and
    those of the run's own learner accounts (``uids``: servers, kernels).

    This finds a process by a tag, an address or an account this run gave it, never by its name.
    """
    import psutil

    found = {}
    for process in psutil.process_iter():
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                continue
            env = process.environ() if process.uids().real not in uids else {}
            if (process.uids().real in uids or env.get(RUN_MARKER) == marker
                    or (hub_api and env.get("JUPYTERHUB_API_URL", "").startswith(hub_api))):
                found[process.pid] = " ".join(process.cmdline()[:4])
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def listeners_of(pids: set[int], ports: set[int]) -> list[str]:
    """Listening sockets held by ``pids``, or on ``ports`` by a process that cannot be named."""
    import psutil

    return [f"{conn.laddr.ip}:{conn.laddr.port} held by "
            f"{f'pid {conn.pid}' if conn.pid else 'a process that cannot be named'}"
            for conn in psutil.net_connections(kind="inet")
            if conn.status == psutil.CONN_LISTEN
            and (conn.pid in pids or (conn.pid is None and conn.laddr.port in ports))]


def memory_mib(pid: int) -> tuple[float, float]:
    """(RSS, USS) of a process in MiB: all its resident memory, and the part only it uses."""
    import psutil

    try:
        info = psutil.Process(pid).memory_full_info()
        return info.rss / 2**20, info.uss / 2**20
    except psutil.NoSuchProcess:
        return 0.0, 0.0


def status_ids(pid: int) -> dict[str, list[int]]:
    """The Uid, Gid and Groups lines of /proc/PID/status: who the kernel says the process is."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("Uid", "Gid", "Groups"):
            fields[key] = [int(number) for number in value.split()]
    return fields


# --- the lesson, published on 127.0.0.1 ----------------------------------------------------------

@dataclass
class LessonServer:
    """``git daemon`` on 127.0.0.1, publishing the repositories in ``folder`` read-only.

    A learner's account cannot clone a repository folder owned by root (git: "dubious
    ownership"), so the lesson is served the way an instructor serves it: over the network.
    """

    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    def url(self, name: str) -> str:
        return f"git://127.0.0.1:{self.port}/{name}"

    def start(self, timeout: float = 30) -> "LessonServer":
        self.process = subprocess.Popen(
            ["git", "daemon", "--reuseaddr", "--export-all", "--listen=127.0.0.1",
             f"--port={self.port}", f"--base-path={self.folder}", str(self.folder)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            start_new_session=True)

        def up():
            if self.process.poll() is not None:
                raise RuntimeError(f"git daemon exited: {self.process.stderr.read().decode()[-500:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                return False

        wait_for("git daemon listening", up, timeout, 0.05)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        if self.process is not None and self.process.stderr:
            self.process.stderr.close()


# --- the learner's side: a token, their own server, their own kernels ------------------------------

@dataclass
class Learner:
    name: str
    token: str
    base: str  # http://127.0.0.1:PORT

    @property
    def server(self) -> str:
        return f"{self.base}/user/{self.name}"

    def headers(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"token {token or self.token}"}

    def get(self, path: str, token: str | None = None, **kwargs):
        import requests

        return requests.get(f"{self.server}/{path}", headers=self.headers(token),
                            timeout=HTTP_TIMEOUT, allow_redirects=False, **kwargs)

    def pull(self, repo: str, targetpath: str, branch: str = "main", timeout: float = 120) -> list[dict]:
        """Call nbgitpuller's API form, as its progress page does; return the events it sent."""
        import requests

        query = urlencode({"repo": repo, "branch": branch, "targetpath": targetpath})
        events: list[dict] = []
        deadline = time.monotonic() + timeout
        with requests.get(f"{self.server}/git-pull/api?{query}", headers=self.headers(),
                          stream=True, timeout=min(timeout, HTTP_TIMEOUT * 4)) as response:
            response.raise_for_status()
            for line in response.iter_lines(decode_unicode=True):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"nbgitpuller for {self.name}: no end after {timeout} s")
                if line and line.startswith("data: "):
                    events.append(json.loads(line[len("data: "):]))
                    if events[-1].get("phase") in ("finished", "error"):
                        break
        return events

    def start_kernel(self, timeout: float = HTTP_TIMEOUT) -> str:
        import requests

        response = requests.post(f"{self.server}/api/kernels", json={"name": "python3"},
                                 headers=self.headers(), timeout=timeout)
        response.raise_for_status()
        return response.json()["id"]

    def kernel(self, kernel_id: str, timeout: float = 60) -> "KernelSocket":
        return KernelSocket(self, kernel_id, timeout)


class KernelSocket:
    """Runs code in a learner's kernel over the server's websocket, like JupyterLab does.

    The Authorization header carries the learner's token: without it the handshake gets 403.
    """

    def __init__(self, learner: Learner, kernel_id: str, timeout: float) -> None:
        import websocket

        self.session = uuid.uuid4().hex
        url = learner.server.replace("http://", "ws://", 1)
        self.username = learner.name
        deadline = time.monotonic() + timeout
        while True:  # a kernel still starting answers the handshake 503; JupyterLab retries too
            try:
                self.ws = websocket.create_connection(
                    f"{url}/api/kernels/{kernel_id}/channels?session_id={self.session}",
                    header=[f"Authorization: token {learner.token}"], timeout=timeout)
                return
            except websocket.WebSocketBadStatusException as error:
                if error.status_code != 503 or time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def execute(self, code: str, timeout: float = 90) -> str:
        """Run ``code``; return what it printed. Raise RuntimeError with the traceback on error."""
        import websocket

        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": self.username, "session": self.session,
                       "msg_type": "execute_request", "version": "5.3",
                       "date": datetime.now(timezone.utc).isoformat()},
            "parent_header": {}, "metadata": {}, "buffers": [], "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": False,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        }))
        printed, error, replied, idle = [], None, False, False
        deadline = time.monotonic() + timeout
        while not (replied and idle):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"kernel of {self.username}: no answer after {timeout} s")
            self.ws.settimeout(left)
            try:
                message = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                continue
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "stream":
                printed.append(content["text"])
            elif kind == "error":
                error = f"{content['ename']}: {content['evalue']}\n" + "\n".join(content["traceback"])
            elif kind == "execute_reply":
                replied = True
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
        if error:
            raise RuntimeError(f"code failed in the kernel of {self.username}: {error}")
        return "".join(printed)

    def close(self) -> None:
        self.ws.close()


# --- the hub ---------------------------------------------------------------------------------------

class PortTaken(RuntimeError):
    """The hub or its proxy could not bind a port that was free a moment before."""


def _stop_with_parent() -> None:
    """In the hub's process before it starts: get SIGTERM if the process that started it dies,
    and take the default action for SIGINT, SIGQUIT and SIGHUP.

    Then a test run that is killed still ends with the hub's own shutdown (which stops the
    servers and the proxy) instead of leaving a hub behind. Linux only; elsewhere a no-op.
    The signal comes when the starting *thread* ends, so start the hub from the main thread.

    A run started in the background (``cmd &``, nohup, some CI runners) ignores SIGINT and
    SIGQUIT, and the hub's services inherit that: the hub stops its idle culler with SIGINT
    first, and a culler that ignores it held the hub's shutdown for longer than 30 s. A hub
    started from a terminal or by systemd has the default actions, as here.
    """
    for number in (signal.SIGINT, signal.SIGQUIT, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def new_run_folder() -> Path:
    """A fresh folder for one run, that learners' accounts may pass through but not list."""
    folder = Path(tempfile.mkdtemp(prefix="smtplesson-hub-"))
    folder.chmod(0o711)
    return folder


@dataclass
class Hub:
    """One JupyterHub on 127.0.0.1 running the recipe, in its own folder; ``start()``, ``stop()``,
    then ``cleanup()`` (always: it removes the accounts the hub made)."""

    root: Path = field(default_factory=new_run_folder)
    idle_timeout: int = 3600
    quick_start: bool = True
    port: int = field(default_factory=free_port)
    hub_api_port: int = field(default_factory=free_port)
    proxy_api_port: int = field(default_factory=free_port)
    admin_token: str = field(default_factory=lambda: secrets.token_hex(32))
    process: subprocess.Popen | None = None
    recorded: dict[int, Recorded] = field(default_factory=dict)
    ports: set[int] = field(default_factory=set)
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    #: The account names this run asked the hub for (made or not); cleanup() looks at each.
    accounts: list[str] = field(default_factory=list)
    #: (folder, account) pairs given passage with an ACL entry; cleanup() takes each back.
    opened: list[tuple[Path, str]] = field(default_factory=list)
    #: For each folder opened: whether it had no named ACL entries before (then none after).
    plain_acl: dict[Path, bool] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def hub_api(self) -> str:
        """The hub's internal address, which it gives its services and servers."""
        return f"http://127.0.0.1:{self.hub_api_port}/"

    @property
    def base(self) -> Path:
        """The recipe's SMTPLESSON_HUB_DIR."""
        return self.root / "srv"

    @property
    def state(self) -> Path:
        """The hub's own folder (database, cookie secret): root only."""
        return self.base / "hub"

    def home(self, name: str) -> Path:
        return self.base / "home" / name

    @property
    def log_path(self) -> Path:
        return self.root / "jupyterhub.log"

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no hub log)"

    def account_names(self, count: int, label: str = "") -> list[str]:
        """``count`` learner names unique to this run that no account on this machine has."""
        stem = f"slt{label}{self.run_id[:6]}"
        names = [f"{stem}-{number}" for number in range(1, count + 1)]
        taken = [name for name in names if _account(name) is not None]
        if taken:
            raise RuntimeError(f"accounts {taken} already exist: this run does not touch them")
        return names

    # -- start and stop --

    def command(self) -> list[str]:
        """The hub's command: the recipe, with only its three addresses changed."""
        return [sys.executable, "-m", "jupyterhub", "-f", str(RECIPE),
                f"--JupyterHub.bind_url={self.url}",
                f"--JupyterHub.hub_bind_url=http://127.0.0.1:{self.hub_api_port}",
                f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{self.proxy_api_port}"]

    def environment(self) -> dict[str, str]:
        """The recipe's site settings, and the proxy on PATH (the project's .tools/hub)."""
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("JUPYTERHUB_", "SMTPLESSON_", "JUPYTER_"))}
        env["PATH"] = f"{PROXY_BIN_DIR}{os.pathsep}{env.get('PATH', os.defpath)}"
        env.update({
            "SMTPLESSON_HUB_DIR": str(self.base),
            "SMTPLESSON_CLASS_PASSWORD": SHARED_PASSWORD,
            "SMTPLESSON_ADMIN_TOKEN": self.admin_token,
            "SMTPLESSON_IDLE_TIMEOUT": str(self.idle_timeout),
            "SMTPLESSON_QUICK_START": "1" if self.quick_start else "0",
            RUN_MARKER: self.run_id,  # the proxy inherits it
        })
        return env

    def start(self, timeout: float = 90, attempts: int = 3) -> "Hub":
        """Start the hub and wait until it answers. If one of its ports was taken between
        ``free_port()`` and the hub binding it, start again on new ports."""
        for attempt in range(1, attempts + 1):
            try:
                return self._start_once(timeout)
            except PortTaken:
                if attempt == attempts:
                    raise
                # A hub that could not bind its own port leaves the proxy it started running.
                self.kill_leftovers()
                # Someone else holds one of these ports now: not ours to check after teardown.
                self.ports -= {self.port, self.hub_api_port, self.proxy_api_port}
                self.port, self.hub_api_port, self.proxy_api_port = free_port(), free_port(), free_port()
        raise AssertionError("unreachable")

    def _start_once(self, timeout: float) -> "Hub":
        import requests

        log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            self.process = subprocess.Popen(
                self.command(), cwd=self.root, env=self.environment(), stdout=log,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                preexec_fn=_stop_with_parent)
        finally:
            os.close(log)
        self._keep(self.process.pid, "hub")
        self.ports |= {self.port, self.hub_api_port, self.proxy_api_port}

        def up():
            if self.process.poll() is not None:
                log = self.log_path.read_bytes()[log_start:].decode(errors="replace")
                if "EADDRINUSE" in log or "Address already in use" in log:
                    raise PortTaken(log[-2000:])
                raise RuntimeError(f"the hub exited with status {self.process.returncode}:\n"
                                   f"{self.log_tail()}")
            try:
                return requests.get(f"{self.url}/hub/api/", timeout=5).status_code == 200
            except requests.RequestException:
                return False

        try:
            wait_for("the hub answering on its URL", up, timeout)
        except TimeoutError as error:
            raise TimeoutError(f"{error}\n{self.log_tail()}") from None
        proxy_pid = int((self.state / "proxy.pid").read_text().strip())
        self._keep(proxy_pid, "proxy")
        self.record_tree()
        return self

    def _keep(self, pid: int, role: str) -> None:
        item = record(pid, role)
        if item is not None:
            self.recorded.setdefault(pid, item)

    def record_tree(self) -> None:
        """Record every process below the hub now (servers, kernels, the culler) and what each
        listens on."""
        import psutil

        if self.process is None:
            return
        try:
            children = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            children = []
        servers = {item.pid: item.role.removeprefix("server of ") for item in self.recorded.values()
                   if item.role.startswith("server of ")}
        for child in children:
            try:
                parent, command = child.ppid(), " ".join(child.cmdline())
            except psutil.NoSuchProcess:
                continue
            role = (f"kernel of {servers[parent]}" if parent in servers
                    else "idle-culler" if "jupyterhub_idle_culler" in command
                    else "process below the hub")
            self._keep(child.pid, role)
        for pid in list(self.recorded):
            self.ports |= listening_ports(pid)

    def pid_of(self, role: str) -> int:
        [pid] = [item.pid for item in self.recorded.values() if item.role == role and still_running(item)]
        return pid

    def stop(self, timeout: float = 30) -> list[str]:
        """SIGTERM the hub (it stops the proxy); SIGKILL after ``timeout``. Return what went wrong."""
        problems = []
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                problems.append(f"the hub did not stop within {timeout} s of SIGTERM: killed. "
                                f"The end of its log:\n{self.log_tail(40)}")
                self.process.kill()
                self.process.wait(10)
        return problems

    def learner_uids(self) -> set[int]:
        return {account.pw_uid for name in self.accounts
                if (account := _account(name)) is not None and self._made_by_hub(account)}

    def leftovers(self, timeout: float = 15) -> tuple[list[str], list[str]]:
        """What this run left: processes still running and the sockets they listen on.

        Checks the recorded processes (pid and start time), every process carrying this run's
        tag and every process of this run's learner accounts, waiting up to ``timeout`` s.
        """
        uids = self.learner_uids()

        def running():
            alive = {item.pid: f"{item.role} (pid {item.pid})"
                     for item in self.recorded.values() if still_running(item)}
            for pid, command in run_processes(self.run_id, uids, self.hub_api).items():
                alive.setdefault(pid, f"unrecorded process of this run (pid {pid}: {command})")
            return alive

        try:
            wait_for("every process of this run ending", lambda: not running(), timeout, 0.25)
        except TimeoutError:
            pass
        alive = running()
        return sorted(alive.values()), listeners_of(set(alive), self.ports)

    def kill_leftovers(self) -> None:
        """Last resort after a failure: SIGKILL what this run left running."""
        pids = {item.pid for item in self.recorded.values() if still_running(item)}
        for pid in pids | set(run_processes(self.run_id, self.learner_uids(), self.hub_api)):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    # -- accounts --

    def _made_by_hub(self, account: pwd.struct_passwd) -> bool:
        """True for an account the recipe made in this run's folder (never anyone else's)."""
        return account.pw_gecos == ACCOUNT_NOTE and account.pw_dir == str(self.home(account.pw_name))

    def open_paths_for(self, names: list[str]) -> None:
        """Let each learner's account pass through the folders on the way to the project's Python.

        One ACL entry per account and folder (``u:NAME:x``: pass through, not list); cleanup()
        removes each. A real hub keeps its Python where every account may read it (see the guide).
        """
        for folder in closed_folders():
            if folder not in self.plain_acl:
                self.plain_acl[folder] = not _named_acl_entries(folder)
            for name in names:
                subprocess.run(["setfacl", "--modify", f"u:{name}:x", str(folder)], check=True,
                               capture_output=True, timeout=30)
                self.opened.append((folder, name))

    def cleanup(self) -> list[str]:
        """After stop(): end what is left, take back the ACL entries, delete the accounts this
        hub made (with their homes), delete the run's folder. Return what went wrong."""
        problems = []
        self.kill_leftovers()
        for folder, name in self.opened:
            done = subprocess.run(["setfacl", "--remove", f"u:{name}", str(folder)],
                                  capture_output=True, text=True, timeout=30)
            if done.returncode:
                problems.append(f"setfacl --remove u:{name} {folder}: {done.stderr.strip()}")
        self.opened.clear()
        for folder, plain in self.plain_acl.items():
            # A folder that had no ACL gets none back (setfacl leaves an empty mask entry),
            # unless another run has added entries of its own meanwhile.
            if plain and not _named_acl_entries(folder):
                subprocess.run(["setfacl", "--remove-all", str(folder)], capture_output=True, timeout=30)
        self.plain_acl.clear()
        for name in self.accounts:
            account = _account(name)
            if account is None:
                continue
            if not self._made_by_hub(account):
                problems.append(f"account {name} was not made by this hub: left alone")
                continue
            for _ in range(3):  # userdel refuses while a process of the account still runs
                done = subprocess.run(["userdel", "--remove", name], capture_output=True,
                                      text=True, timeout=60)
                if done.returncode == 0 or _account(name) is None:
                    break
                self.kill_leftovers()
                time.sleep(0.5)
            else:
                problems.append(f"userdel --remove {name}: {done.stderr.strip()}")
        shutil.rmtree(self.root, ignore_errors=True)
        return problems

    # -- the REST API, as the admin service --

    def api(self, method: str, path: str, **kwargs):
        import requests

        response = requests.request(method, f"{self.url}/hub/api/{path}", timeout=HTTP_TIMEOUT,
                                    headers={"Authorization": f"token {self.admin_token}"}, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} /hub/api/{path}: {response.status_code} {response.text[:300]}")
        return response

    def create_learners(self, names: list[str]) -> dict[str, Learner]:
        """Create the users (the hub makes their accounts), and give each a token that acts as
        that user only."""
        fresh = [name for name in names if name not in self.accounts]
        if any(_account(name) is not None for name in fresh):
            raise RuntimeError(f"some of {fresh} already exist as accounts: not touching them")
        self.accounts += fresh
        self.api("POST", "users", json={"usernames": names})
        self.open_paths_for(fresh)
        learners = {}
        for name in names:
            token = self.api("POST", f"users/{quote(name)}/tokens",
                             json={"note": "smtplesson hub test", "expires_in": 3600}).json()["token"]
            learners[name] = Learner(name, token, self.url)
        return learners

    def start_servers(self, names: list[str]) -> dict[str, float]:
        """Ask for every learner's server at once (201 started, 202 starting); return when each
        request was sent."""
        def ask(name):
            sent = time.monotonic()
            status = self.api("POST", f"users/{quote(name)}/server").status_code
            if status not in (201, 202):
                raise RuntimeError(f"starting the server of {name}: status {status}")
            return sent

        with ThreadPoolExecutor(max_workers=min(len(names), 32)) as pool:
            return dict(zip(names, pool.map(ask, names)))

    def server_model(self, name: str) -> dict | None:
        return self.api("GET", f"users/{quote(name)}").json()["servers"].get("")

    def wait_ready(self, names: list[str], timeout: float = 180) -> dict[str, float]:
        """Poll each learner until their server is ready; return when each was seen ready."""
        ready: dict[str, float] = {}

        def all_ready():
            for name in names:
                if name not in ready:
                    model = self.server_model(name)
                    if model and model.get("ready"):
                        ready[name] = time.monotonic()
                        pid = model["state"]["pid"]
                        self._keep(pid, f"server of {name}")
            return len(ready) == len(names)

        try:
            wait_for(f"{len(names)} learner servers ready", all_ready, timeout, interval=0.1)
        except TimeoutError as error:
            raise TimeoutError(f"{error} (ready: {sorted(ready)})\n{self.log_tail()}") from None
        return ready

    def stop_servers(self, names: list[str], timeout: float = 60) -> None:
        """DELETE every learner's server at once, then wait until the hub says each is gone.

        The hub answers 204 when a server stopped within its own wait, 202 when still stopping.
        """
        with ThreadPoolExecutor(max_workers=min(len(names), 32)) as pool:
            list(pool.map(lambda name: self.api("DELETE", f"users/{quote(name)}/server"), names))
        wait_for("every learner server stopped",
                 lambda: all(self.server_model(name) is None for name in names), timeout, 0.25)

    def kernel_pids(self, name: str) -> list[int]:
        """The processes below a learner's server: its kernels."""
        import psutil

        try:
            return [p.pid for p in psutil.Process(self.pid_of(f"server of {name}")).children(recursive=True)]
        except psutil.NoSuchProcess:
            return []


def _named_acl_entries(folder: Path) -> list[str]:
    """The ACL entries of ``folder`` for named users and groups (``user:NAME:...``)."""
    listing = subprocess.run(["getfacl", "--omit-header", "--numeric", str(folder)],
                             capture_output=True, text=True, check=True, timeout=30).stdout
    return [line for line in listing.splitlines()
            if line.startswith(("user:", "group:")) and line.split(":")[1]]


def _account(name: str) -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        return None


if __name__ == "__main__":
    if sys.argv[1:] != ["install-proxy"]:
        sys.exit("usage: python tests/hub_support.py install-proxy")
    try:
        print(ensure_proxy())
    except RuntimeError as error:
        sys.exit(str(error))
