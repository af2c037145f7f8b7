"""A real JupyterHub on loopback for the hub test and the hub benchmark.

Everything here starts real processes: JupyterHub (from the project's .venv), the
configurable-http-proxy it starts (from npm, in the project's own .tools folder) and one
single-user Jupyter server per learner, each with its own kernels. Nothing listens on anything
but 127.0.0.1, and nothing calls outside this machine.

Process ids and listening ports are recorded as things start, and the leak check compares the
machine against those records after teardown: it never looks processes up by name.

The pinned configurable-http-proxy is installed with npm into the project's own tool folder,
.tools/hub, the first time it is needed (``ensure_proxy``), like ``make html`` does for .tools/site;
after that nothing is downloaded, so the hub test runs offline. ``python tests/hub_support.py
install-proxy`` does the same by hand.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
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
    "websocket": "websocket-client: runs code in a learner's kernel",
    "psutil": "finds the process tree and the listening ports",
    "requests": "talks to the hub and server REST APIs",
}
#: The password every learner types (SharedPasswordAuthenticator wants 8 characters or more).
SHARED_PASSWORD = "smtp-lesson-2024"
#: Scopes of the admin service that drives the hub (and nothing more).
ADMIN_SCOPES = ["admin:users", "admin:servers", "admin:server_state", "tokens", "access:servers"]
#: Seconds for one HTTP request; every wait below has its own bound too.
HTTP_TIMEOUT = 30
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
#: The environment variable that tags every process of one hub run (see marked_processes).
RUN_MARKER = "SMTPLESSON_HUB_RUN"


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


def missing() -> list[str]:
    """Why the hub cannot run here (empty when it can). Installs the proxy if it can."""
    reasons = [f"the Python package {name} is not installed ({why}); make test installs it"
               for name, why in MODULES.items() if importlib.util.find_spec(name) is None]
    for tool, why in (("node", "runs configurable-http-proxy"), ("git", "nbgitpuller clones with it")):
        if shutil.which(tool) is None:
            reasons.append(f"{tool} is not installed ({why})")
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


def marked_processes(marker: str) -> dict[int, str]:
    """Processes whose environment carries ``marker``: everything a run started, recorded or not.

    The hub gets the marker in its environment and passes it to the servers it spawns; the
    proxy and the kernels inherit it. This finds a process by a tag this run gave it, never by
    its name.
    """
    import psutil

    found = {}
    for process in psutil.process_iter():
        try:
            if process.environ().get(RUN_MARKER) == marker and process.status() != psutil.STATUS_ZOMBIE:
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
                          stream=True, timeout=HTTP_TIMEOUT) as response:
            response.raise_for_status()
            for line in response.iter_lines(decode_unicode=True):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"nbgitpuller for {self.name}: no end after {timeout} s")
                if line and line.startswith("data: "):
                    events.append(json.loads(line[len("data: "):]))
                    if events[-1].get("phase") in ("finished", "error"):
                        break
        return events

    def start_kernel(self) -> str:
        import requests

        response = requests.post(f"{self.server}/api/kernels", json={"name": "python3"},
                                 headers=self.headers(), timeout=HTTP_TIMEOUT)
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
        self.ws = websocket.create_connection(
            f"{url}/api/kernels/{kernel_id}/channels?session_id={self.session}",
            header=[f"Authorization: token {learner.token}"], timeout=timeout)

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
    """In the hub's process before it starts: get SIGTERM if the process that started it dies.

    Then a test run that is killed still ends with the hub's own shutdown (which stops the
    servers and the proxy) instead of leaving a hub behind. Linux only; elsewhere a no-op.
    The signal comes when the starting *thread* ends, so start the hub from the main thread.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Hub:
    """One JupyterHub on 127.0.0.1 with its own state folder; ``start()``, then ``stop()``."""

    state: Path
    port: int = field(default_factory=free_port)
    hub_api_port: int = field(default_factory=free_port)
    proxy_api_port: int = field(default_factory=free_port)
    admin_token: str = field(default_factory=lambda: secrets.token_hex(32))
    process: subprocess.Popen | None = None
    recorded: dict[int, Recorded] = field(default_factory=dict)
    ports: set[int] = field(default_factory=set)
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.state / "jupyterhub.log"

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no hub log)"

    # -- configuration --

    def write_config(self) -> Path:
        """The hub's config file and the Jupyter config folder its learners' servers read."""
        jupyter_config = self.state / "jupyter-config"
        lab_settings = jupyter_config / "lab-settings"
        lab_settings.mkdir(parents=True, exist_ok=True)
        # The servers' side: no news feed, no update check, no extension manager (it asks PyPI).
        (jupyter_config / "jupyter_server_config.json").write_text(json.dumps({
            "LabApp": {"news_url": None,
                       "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
                       "extension_manager": "readonly",
                       "app_settings_dir": str(lab_settings)},
        }, indent=1))
        # The browser's side: JupyterLab does not even ask for news or updates.
        (lab_settings / "overrides.json").write_text(json.dumps({
            "@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                           "checkForUpdates": False},
        }, indent=1))
        args = ["--allow-root"] if IS_ROOT else []
        settings = {
            "bind_url": self.url,
            "hub_bind_url": f"http://127.0.0.1:{self.hub_api_port}",
            "proxy_api_url": f"http://127.0.0.1:{self.proxy_api_port}",
            "state": str(self.state),
            "home": str(self.state / "home" / "{username}"),
            "python": sys.executable,
            "args": args,
            "jupyter_config": str(jupyter_config),
            "path": os.environ.get("PATH", os.defpath),
            "marker": {RUN_MARKER: self.run_id},
            "password": SHARED_PASSWORD,
            "token": self.admin_token,
            "scopes": ADMIN_SCOPES,
        }
        config = self.state / "jupyterhub_config.py"
        config.write_text(textwrap.dedent(f"""\
            # Written by tests/hub_support.py; docs/instructors.md (On JupyterHub) explains each setting.
            import json
            s = json.loads({json.dumps(json.dumps(settings))})

            # Loopback only, each port chosen free; the state of this run stays in its own folder.
            c.JupyterHub.bind_url = s["bind_url"]
            c.JupyterHub.hub_bind_url = s["hub_bind_url"]
            c.ConfigurableHTTPProxy.api_url = s["proxy_api_url"]
            c.ConfigurableHTTPProxy.pid_file = s["state"] + "/proxy.pid"
            c.JupyterHub.db_url = "sqlite:///" + s["state"] + "/jupyterhub.sqlite"
            c.JupyterHub.cookie_secret_file = s["state"] + "/jupyterhub_cookie_secret"
            c.JupyterHub.cleanup_servers = True

            # One password for the whole class; any user name may log in.
            c.JupyterHub.authenticator_class = "shared-password"
            c.SharedPasswordAuthenticator.user_password = s["password"]
            c.Authenticator.allow_all = True

            # Each learner: a Jupyter server in a home folder of their own, on 127.0.0.1,
            # run by the Python that has smtplesson installed.
            c.JupyterHub.spawner_class = "simple"
            c.SimpleLocalProcessSpawner.home_dir_template = s["home"]
            c.Spawner.cmd = [s["python"], "-m", "jupyterhub.singleuser"]
            c.Spawner.args = s["args"]
            c.Spawner.ip = "127.0.0.1"
            c.Spawner.default_url = "/lab"
            c.Spawner.start_timeout = 120
            c.Spawner.http_timeout = 120
            c.Spawner.environment = {{"JUPYTER_CONFIG_PATH": s["jupyter_config"], "PATH": s["path"],
                                     **s["marker"]}}

            # The instructor's (here: the test's) key to the REST API, with only the scopes it uses.
            c.JupyterHub.services = [{{"name": "lesson-admin", "api_token": s["token"]}}]
            c.JupyterHub.load_roles = [{{"name": "lesson-admin", "scopes": s["scopes"],
                                        "services": ["lesson-admin"]}}]
            """))
        return config

    # -- start and stop --

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

        self.state.mkdir(parents=True, exist_ok=True)
        config = self.write_config()
        env = dict(os.environ)
        # The proxy is found on PATH: the project's .tools/hub folder, for the hub only.
        env["PATH"] = f"{PROXY_BIN_DIR}{os.pathsep}{env.get('PATH', os.defpath)}"
        env.pop("JUPYTERHUB_API_TOKEN", None)
        env[RUN_MARKER] = self.run_id  # the proxy inherits it; the spawner passes it on
        log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "jupyterhub", "-f", str(config)],
                cwd=self.state, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=_stop_with_parent)
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
        return self

    def _keep(self, pid: int, role: str) -> None:
        item = record(pid, role)
        if item is not None:
            self.recorded.setdefault(pid, item)

    def record_tree(self) -> None:
        """Record every process below the hub now (servers, kernels) and what each listens on."""
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
                parent = child.ppid()
            except psutil.NoSuchProcess:
                continue
            self._keep(child.pid, f"kernel of {servers[parent]}" if parent in servers
                       else "process below the hub")
        for pid in list(self.recorded):
            self.ports |= listening_ports(pid)

    def pid_of(self, role: str) -> int:
        [pid] = [item.pid for item in self.recorded.values() if item.role == role]
        return pid

    def stop(self, timeout: float = 30) -> list[str]:
        """SIGTERM the hub (it stops the proxy); SIGKILL after ``timeout``. Return what went wrong."""
        problems = []
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                problems.append(f"the hub did not stop within {timeout} s of SIGTERM: killed")
                self.process.kill()
                self.process.wait(10)
        return problems

    def leftovers(self, timeout: float = 15) -> tuple[list[str], list[str]]:
        """What this run left: processes still running and the sockets they listen on.

        Checks the recorded processes (pid and start time) and every process carrying this
        run's marker, waiting up to ``timeout`` s for them to end.
        """
        def running():
            alive = {item.pid: f"{item.role} (pid {item.pid})"
                     for item in self.recorded.values() if still_running(item)}
            for pid, command in marked_processes(self.run_id).items():
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
        for pid in pids | set(marked_processes(self.run_id)):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    # -- the REST API, as the admin service --

    def api(self, method: str, path: str, **kwargs):
        import requests

        response = requests.request(method, f"{self.url}/hub/api/{path}", timeout=HTTP_TIMEOUT,
                                    headers={"Authorization": f"token {self.admin_token}"}, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} /hub/api/{path}: {response.status_code} {response.text[:300]}")
        return response

    def create_learners(self, names: list[str]) -> dict[str, Learner]:
        """Create the users, and give each a token that acts as that user only."""
        self.api("POST", "users", json={"usernames": names})
        learners = {}
        for name in names:
            token = self.api("POST", f"users/{quote(name)}/tokens",
                             json={"note": "smtplesson hub test", "expires_in": 3600}).json()["token"]
            learners[name] = Learner(name, token, self.url)
        return learners

    def start_servers(self, names: list[str]) -> None:
        """Ask for every learner's server at once (201 started, 202 starting)."""
        for name in names:
            status = self.api("POST", f"users/{quote(name)}/server").status_code
            if status not in (201, 202):
                raise RuntimeError(f"starting the server of {name}: status {status}")

    def server_model(self, name: str) -> dict | None:
        return self.api("GET", f"users/{quote(name)}").json()["servers"].get("")

    def wait_ready(self, names: list[str], timeout: float = 150) -> dict[str, float]:
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
            wait_for(f"{len(names)} learner servers ready", all_ready, timeout, interval=0.25)
        except TimeoutError as error:
            raise TimeoutError(f"{error} (ready: {sorted(ready)})\n{self.log_tail()}") from None
        return ready

    def stop_servers(self, names: list[str], timeout: float = 60) -> None:
        """DELETE every learner's server at once, then wait until the hub says each is gone.

        The hub answers 204 when a server stopped within its own wait, 202 when still stopping.
        """
        with ThreadPoolExecutor(max_workers=len(names)) as pool:
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


if __name__ == "__main__":
    if sys.argv[1:] != ["install-proxy"]:
        sys.exit("usage: python tests/hub_support.py install-proxy")
    try:
        print(ensure_proxy())
    except RuntimeError as error:
        sys.exit(str(error))
