"""A real JupyterHub on loopback, run from the recipe file: five learners, each isolated in an
account of their own, get the lesson through nbgitpuller and run the lab; idle servers are culled.

The hub runs deploy/jupyterhub_config.py, the recipe of docs/instructors.md (On JupyterHub), as
it is: the hub makes a system account for each learner, and each learner's server and kernels run
as that account. Five learners are created through the REST API, the lesson is pulled from a git
server on 127.0.0.1, and the live lab (535, then 250) runs in each learner's own kernel, all five
at once. Two of them, A and B, show what the isolation holds: A's code cannot read, change or
signal anything of B's, and A's token is refused on B's server. Then everything is stopped and
nothing may be left: no process, no listening port, no account. A second hub, with a culling
limit of ten seconds, shows idle servers stopped, the learners' work kept, and an open JupyterLab
left alone.

It needs root (the hub makes accounts), useradd and userdel, git (with git daemon), node, and
setfacl where this project's Python lies in a folder other accounts cannot enter (here: /root).
The first run installs configurable-http-proxy with npm into .tools/hub; later runs need no
network. Outside CI these tests are skipped, with the reason, when something is missing; in CI
(CI=true) they fail instead.
"""

import json
import re
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, unquote, urlencode

import pytest

import hub_support
from conftest import IN_CI

pytestmark = pytest.mark.slow

TARGET = "smtp-lesson"  # the folder nbgitpuller makes in each learner's home
GUIDE = Path(__file__).parent.parent / "docs" / "instructors.md"
LINK_FORM = ("/hub/user-redirect/git-pull?repo=<your-repo-url>&branch=main"
             "&urlpath=lab/tree/smtplesson/notebooks/00-start-here.ipynb")
LAB_STOP = """
still = lab.running and send_mail(lab, "alice", "wonderland").code
lab.stop()
print(still, lab.running)
"""
#: Run in A's kernel with B's home, one of B's files, B's server and kernel pids, the hub's
#: state folder and the hub's URL; prints one JSON object of what A could do.
PROBE = """
import json, os, signal, urllib.error, urllib.request
from pathlib import Path

def attempt(action):
    try:
        action()
        return "allowed"
    except PermissionError:
        return "PermissionError"
    except urllib.error.HTTPError as error:
        return error.code

def get(url):
    token = os.environ["JUPYTERHUB_API_TOKEN"]  # A's own server's token, as A's code sees it
    urllib.request.urlopen(urllib.request.Request(url, headers=dict(Authorization="token " + token)))

home, notebook = Path({home!r}), Path({notebook!r})
print(json.dumps({{
    "list B's home": attempt(lambda: os.listdir(home)),
    "read B's notebook": attempt(notebook.read_bytes),
    "write in B's home": attempt(lambda: (home / "from-a.txt").write_text("hello")),
    "change B's notebook": attempt(lambda: notebook.open("a").close()),
    "read B's server environment": attempt(Path("/proc/{server}/environ").read_bytes),
    "signal B's server": attempt(lambda: os.kill({server}, signal.SIGTERM)),
    "signal B's kernel": attempt(lambda: os.kill({kernel}, signal.SIGTERM)),
    "read the hub's database": attempt(Path({state!r}, "jupyterhub.sqlite").read_bytes),
    "read the hub's cookie secret": attempt(Path({state!r}, "jupyterhub_cookie_secret").read_bytes),
    "B's files through B's server": attempt(lambda: get({hub!r} + "/user/{b}/api/contents")),
    "B through the hub's API": attempt(lambda: get({hub!r} + "/hub/api/users/{b}")),
    "A's own files through A's server": attempt(lambda: get({hub!r} + "/user/{a}/api/contents")),
}}))
"""


def test_the_guide_shows_the_recipe_the_test_runs():
    """docs/instructors.md holds deploy/jupyterhub_config.py word for word, and the hub test
    changes nothing in it but its three addresses (and its site settings, through the
    environment variables the guide names)."""
    guide, recipe = GUIDE.read_text(), hub_support.RECIPE.read_text()
    assert f"```python\n{recipe}```" in guide
    hub = hub_support.Hub.__new__(hub_support.Hub)  # no folder, no ports taken: just the command
    hub.port, hub.hub_api_port, hub.proxy_api_port = 8000, 8081, 8001
    command = hub.command()
    assert command[3:5] == ["-f", str(hub_support.RECIPE)]
    assert [option.split("=")[0] for option in command[5:]] == [
        "--JupyterHub.bind_url", "--JupyterHub.hub_bind_url", "--ConfigurableHTTPProxy.api_url"]
    for option in command[5:]:
        name = option.split("=")[0].removeprefix("--")
        assert f'c.{name} = "http://127.0.0.1:' in recipe  # the same setting, on loopback
    for variable in sorted(set(re.findall(r"SMTPLESSON_[A-Z_]+", recipe))):
        assert f"`{variable}`" in guide, f"the guide does not explain {variable}"
    for scope in hub_support.ADMIN_SCOPES + hub_support.CULLER_SCOPES:
        assert f'"{scope}"' in recipe
    assert f'ACCOUNT_NOTE = "{hub_support.ACCOUNT_NOTE}"' in recipe


def _require_the_hub():
    reasons = hub_support.missing()
    if reasons:
        message = "the JupyterHub test cannot run: " + "; ".join(reasons)
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


class Classroom:
    """A hub, its learners, the lesson's git server; ``teardown()`` then ``cleanup()``."""

    def __init__(self, hub, lesson):
        self.hub, self.lesson = hub, lesson
        self.names: list[str] = []
        self.learners = {}
        self.kernels = {}  # name -> KernelSocket, opened by the first test that needs them
        self.lab_ports = {}  # name -> the port of that learner's lab, once it runs
        self.torn_down = self.cleaned = False

    def sockets(self):
        if not self.kernels:
            ids = in_parallel(lambda name: self.learners[name].start_kernel(), self.names)
            self.kernels.update(in_parallel(lambda name: self.learners[name].kernel(ids[name]),
                                            self.names))
            self.hub.record_tree()
        return self.kernels

    def teardown(self):
        """Servers first, through the API; then the hub and the git server. Return what went wrong."""
        self.torn_down = True
        for kernel in self.kernels.values():
            kernel.close()
        problems = []
        if self.learners and self.hub.process is not None and self.hub.process.poll() is None:
            self.hub.record_tree()
            try:
                self.hub.stop_servers(list(self.learners))
            except (RuntimeError, TimeoutError, OSError) as error:
                problems.append(f"stopping the servers through the API: {error}")
        problems += self.hub.stop()
        self.lesson.stop()
        return problems

    def cleanup(self):
        self.cleaned = True
        return self.hub.cleanup()


@pytest.fixture(scope="module")
def classroom():
    """A running hub with five learners whose servers are ready; torn down at the end if needed."""
    _require_the_hub()
    hub = hub_support.Hub()
    # Named like the project, so nbgitpuller's folder is the one the guide's link opens.
    hub_support.make_lesson_repo(hub.root / "lessons" / "smtplesson")
    room = Classroom(hub, hub_support.LessonServer(hub.root / "lessons"))
    try:
        room.lesson.start()
        hub.start()
        room.names = hub.account_names(5)
        room.learners = hub.create_learners(room.names)
        hub.start_servers(room.names)
        hub.wait_ready(room.names)
        hub.record_tree()
        yield room
    finally:
        if not room.torn_down:  # a test failed before the teardown test: still clean up
            room.teardown()
        if not room.cleaned:
            room.cleanup()


def in_parallel(function, items):
    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        return dict(zip(items, pool.map(function, items)))


def test_every_learner_has_a_ready_server_of_their_own(classroom):
    hub = classroom.hub
    servers = {name: hub.pid_of(f"server of {name}") for name in classroom.names}
    assert len(set(servers.values())) == 5
    for name, pid in servers.items():
        model = hub.server_model(name)
        assert model["ready"] and model["url"] == f"/user/{name}/"


def test_each_learner_runs_as_their_own_account_never_root(classroom):
    """The kernel's own view (/proc/PID/status) of each server and kernel: the learner's
    account and the learner's own group, no other group; each home folder is open to its
    learner only."""
    import pwd

    import psutil

    hub = classroom.hub
    classroom.sockets()
    accounts = {name: pwd.getpwnam(name) for name in classroom.names}
    assert len({a.pw_uid for a in accounts.values()}) == len({a.pw_gid for a in accounts.values()}) == 5
    for name, account in accounts.items():
        assert account.pw_uid != 0 and account.pw_gid != 0
        server = hub.pid_of(f"server of {name}")
        [kernel] = hub.kernel_pids(name)
        for pid in (server, kernel):
            ids = hub_support.status_ids(pid)
            assert ids["Uid"] == [account.pw_uid] * 4, (name, pid, ids)
            assert ids["Gid"] == [account.pw_gid] * 4, (name, pid, ids)
            assert set(ids["Groups"]) <= {account.pw_gid}, (name, pid, ids)
            assert psutil.Process(pid).username() == name  # what ps shows in its USER column
        home = hub.home(name).stat()
        assert (home.st_uid, home.st_gid, home.st_mode & 0o777) == (account.pw_uid, account.pw_gid, 0o700)


def test_the_spawned_servers_are_offline(classroom):
    learner = classroom.learners[classroom.names[0]]
    news = learner.get("lab/api/news")
    assert news.status_code == 200 and news.json() == {"news": []}
    update = learner.get("lab/api/update")
    assert update.status_code == 200 and update.json() == {"notification": None}
    setting = learner.get("lab/api/settings/@jupyterlab/apputils-extension:notification")
    assert setting.status_code == 200
    defaults = setting.json()["schema"]["properties"]  # overrides.json changes the defaults
    assert defaults["fetchNews"]["default"] == "false"
    assert defaults["checkForUpdates"]["default"] is False


def test_the_class_password_logs_a_learner_in_and_never_opens_another_account(classroom):
    import requests

    login = f"{classroom.hub.url}/hub/login"
    for name, password, expected in ((classroom.names[0], "not-the-password", 403),
                                     (classroom.names[0], hub_support.SHARED_PASSWORD, 302),
                                     ("root", hub_support.SHARED_PASSWORD, 403),
                                     ("daemon", hub_support.SHARED_PASSWORD, 403)):
        with requests.Session() as browser:
            browser.get(login, timeout=hub_support.HTTP_TIMEOUT)
            form = {"username": name, "password": password, "_xsrf": browser.cookies["_xsrf"]}
            answer = browser.post(login, data=form, allow_redirects=False, timeout=hub_support.HTTP_TIMEOUT)
            assert answer.status_code == expected, (name, answer.text[:300])
    # ... and the hub's API, even with the admin's key, makes no user for an account it did not make
    with pytest.raises(RuntimeError, match="400"):
        classroom.hub.api("POST", "users", json={"usernames": ["root"]})


def test_nbgitpuller_delivers_the_lesson_to_every_learner(classroom):
    import requests

    names, repo = classroom.names, classroom.lesson.url("smtplesson")
    events = in_parallel(lambda name: classroom.learners[name].pull(repo, TARGET), names)
    lesson = classroom.hub.root / "lessons" / "smtplesson"
    wanted = sorted(path.name for path in (lesson / "notebooks").glob("*.ipynb"))
    assert len(wanted) >= 7
    for name in names:
        assert events[name][-1] == {"phase": "finished"}, events[name][-3:]
        folder = classroom.hub.home(name) / TARGET / "notebooks"
        assert sorted(p.name for p in folder.glob("*.ipynb")) == wanted
        assert folder.stat().st_uid == classroom.hub.home(name).stat().st_uid  # the learner's own
        # ... and the learner's own server shows it, the way JupyterLab opens it
        listing = classroom.learners[name].get(f"api/contents/{TARGET}/notebooks")
        assert listing.status_code == 200
        assert sorted(item["name"] for item in listing.json()["content"]) == wanted
    # The link clicked again after the instructor published an update: the update arrives, and
    # the notebook the learner edited keeps the learner's edit.
    learner = classroom.learners[names[0]]
    path = f"{TARGET}/notebooks/00-start-here.ipynb"
    model = learner.get(f"api/contents/{path}").json()
    model["content"]["cells"][0]["source"] = "My own notes.\n"
    saved = requests.put(f"{learner.server}/api/contents/{path}", headers=learner.headers(),
                         json={"type": "notebook", "content": model["content"]},
                         timeout=hub_support.HTTP_TIMEOUT)
    assert saved.status_code == 200, saved.text[:300]
    with open(lesson / "README.md", "a") as readme:
        readme.write("\nAn update from the instructor.\n")
    hub_support.commit_all(lesson, "An update")
    again = learner.pull(repo, TARGET)
    assert again[-1] == {"phase": "finished"}, again[-3:]
    assert "An update from the instructor." in learner.get(f"api/contents/{TARGET}/README.md").json()["content"]
    assert learner.get(f"api/contents/{path}").json()["content"]["cells"][0]["source"] == "My own notes.\n"


def test_the_guides_link_works_for_a_learner_who_logs_in(classroom):
    """The nbgitpuller link of the instructor guide, followed the way a browser does."""
    import requests

    hub, name = classroom.hub, classroom.names[4]
    link = (f"{hub.url}/hub/user-redirect/git-pull?repo={quote(classroom.lesson.url('smtplesson'), safe='')}"
            f"&branch=main&urlpath=lab/tree/smtplesson/notebooks/00-start-here.ipynb")
    assert LINK_FORM in GUIDE.read_text()
    timeout = hub_support.HTTP_TIMEOUT
    with requests.Session() as browser:
        browser.get(f"{hub.url}/hub/login", timeout=timeout)
        browser.post(f"{hub.url}/hub/login", timeout=timeout, data={
            "username": name, "password": hub_support.SHARED_PASSWORD, "_xsrf": browser.cookies["_xsrf"]})
        page = browser.get(link, timeout=timeout)  # hub -> the learner's server -> OAuth -> page
        assert page.status_code == 200 and page.url.startswith(f"{hub.url}/user/{name}/git-pull?")
        data = {key: unquote(value) for key, value in re.findall(r'data-([a-z-]+)="([^"]*)"', page.text)}
        assert data["targetpath"] == "smtplesson"
        # What the page's script does next: the API form, then on "finished" go to the notebook.
        query = urlencode({"_xsrf": data["xsrf"], "repo": data["repo"],
                           "targetpath": data["targetpath"], "branch": data["branch"]})
        with browser.get(f"{hub.url}{data['base-url']}git-pull/api?{query}", stream=True,
                         timeout=timeout) as events:
            phases = [json.loads(line[6:])["phase"] for line in events.iter_lines(decode_unicode=True)
                      if line.startswith("data: ")]
        assert phases[-1] == "finished", phases
        notebook = browser.get(f"{hub.url}{data['base-url']}{data['path']}", timeout=timeout)
        assert notebook.status_code == 200 and "JupyterLab" in notebook.text
    assert (hub.home(name) / "smtplesson" / "notebooks" / "00-start-here.ipynb").is_file()


def test_five_labs_at_once_each_in_its_learners_own_kernel(classroom):
    import psutil

    hub, names = classroom.hub, classroom.names
    sockets = classroom.sockets()
    printed = in_parallel(lambda name: sockets[name].execute(hub_support.LAB_CELL), names)
    # All five have reported and all five labs are still running: look at the machine.
    hub.record_tree()
    ports = {}
    for name in names:
        port, wrong, right = printed[name].split()
        assert (wrong, right) == ("535", "250"), f"{name}: {printed[name]!r}"
        ports[name] = int(port)
        [kernel] = hub.kernel_pids(name)
        assert hub.recorded[kernel].role == f"kernel of {name}"
        assert ports[name] in hub_support.listening_ports(kernel), \
            f"{name}'s lab is not listening in {name}'s own kernel"
    assert len(set(ports.values())) == 5, f"port collision: {ports}"
    listening = {c.laddr.port for c in psutil.net_connections(kind="inet")
                 if c.status == psutil.CONN_LISTEN}
    assert set(ports.values()) <= listening
    classroom.lab_ports = ports


def test_a_learners_code_cannot_touch_another_learners_files_processes_or_server(classroom):
    """What A's own code can do to B, run in A's kernel: nothing. A still reaches A's own files."""
    hub = classroom.hub
    a, b = classroom.names[:2]
    sockets = classroom.sockets()
    sockets[b].execute("from pathlib import Path; Path('secret.txt').write_text('only mine')")
    assert (hub.home(b) / "secret.txt").read_text() == "only mine"
    [b_kernel] = hub.kernel_pids(b)
    probe = PROBE.format(home=str(hub.home(b)), notebook=str(hub.home(b) / "secret.txt"),
                         server=hub.pid_of(f"server of {b}"), kernel=b_kernel, state=str(hub.state),
                         hub=hub.url, a=a, b=b)
    seen = json.loads(sockets[a].execute(probe))
    assert seen == {
        "list B's home": "PermissionError",
        "read B's notebook": "PermissionError",
        "write in B's home": "PermissionError",
        "change B's notebook": "PermissionError",
        "read B's server environment": "PermissionError",  # it holds B's token
        "signal B's server": "PermissionError",
        "signal B's kernel": "PermissionError",
        "read the hub's database": "PermissionError",
        "read the hub's cookie secret": "PermissionError",
        "B's files through B's server": 403,
        "B through the hub's API": 404,  # A may not even learn that B exists
        "A's own files through A's server": "allowed",
    }
    assert not (hub.home(b) / "from-a.txt").exists()
    assert (hub.home(b) / "secret.txt").read_text() == "only mine"
    # B's lab still answers B: A's attempts changed nothing
    assert sockets[b].execute('print(send_mail(lab, "alice", "wonderland").code)').strip() == "250"


def test_a_learners_token_is_refused_on_another_learners_server(classroom):
    first, second = (classroom.learners[name] for name in classroom.names[:2])
    assert first.get("api/kernels").status_code == 200
    assert first.get("api/kernels", token=second.token).status_code == 403
    assert first.get(f"api/contents/{TARGET}", token=second.token).status_code == 403
    # ... and the hub API agrees: a learner's token cannot act for someone else
    import requests

    other = requests.get(f"{classroom.hub.url}/hub/api/users/{first.name}",
                         headers=second.headers(), timeout=hub_support.HTTP_TIMEOUT)
    assert other.status_code in (403, 404)


def test_one_loopback_a_reaches_bs_lab_port_but_bs_lab_answers_554(classroom):
    """All learners share 127.0.0.1, so A's code can open a connection to B's lab port. B's lab
    answers only its own account: anyone else gets a 554 greeting and nothing more."""
    a, b = classroom.names[:2]
    port = classroom.lab_ports[b]
    seen = json.loads(classroom.sockets()[a].execute(f"""
import json, socket
with socket.create_connection(("127.0.0.1", {port}), timeout=5) as conn:
    conn.settimeout(5)
    greeting = conn.recv(1024).decode(errors="replace")
    try:
        conn.sendall(b"EHLO a.example\\r\\nAUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=\\r\\n")
        after = conn.recv(1024).decode(errors="replace")
    except OSError as error:
        after = ""
print(json.dumps([greeting, after]))
"""))
    greeting, after = seen
    assert greeting.startswith("554"), greeting
    assert "235" not in after and "250" not in after, after


def test_every_lab_stops_cleanly(classroom):
    stopped = in_parallel(lambda name: classroom.sockets()[name].execute(LAB_STOP), classroom.names)
    assert all(out.split() == ["250", "False"] for out in stopped.values()), stopped


def test_teardown_leaves_no_process_no_port_and_no_account(classroom):
    import pwd
    import subprocess

    hub = classroom.hub
    roles = sorted(item.role for item in hub.recorded.values())
    expected = {"hub", "proxy", "idle-culler", *(f"server of {n}" for n in classroom.names),
                *(f"kernel of {n}" for n in classroom.names)}
    assert expected <= set(roles), roles
    assert len(hub.ports) >= 3 + 5
    # Every recorded process carries this run's tag, its hub's address or one of its learners'
    # accounts, so the check below also finds any process of this run that was never recorded.
    alive = {item.pid for item in hub.recorded.values() if hub_support.still_running(item)}
    assert alive and alive <= set(hub_support.run_processes(hub.run_id, hub.learner_uids(), hub.hub_api))
    problems = classroom.teardown()
    assert problems == [], problems
    assert hub.process.returncode is not None
    processes, listeners = hub.leftovers()
    assert processes == [], f"still running: {processes}"
    assert listeners == [], f"still listening: {listeners}"
    assert re.search(r"Stopping|Cleaning up", hub.log_tail(200)), hub.log_tail()
    opened = {folder for folder, _ in hub.opened}
    uids = hub.learner_uids()
    assert len(uids) == 5
    assert classroom.cleanup() == []
    for name in classroom.names:
        with pytest.raises(KeyError):
            pwd.getpwnam(name)
    for folder in opened:  # the passage granted to each account is taken back
        acl = subprocess.run(["getfacl", "--numeric", "--omit-header", str(folder)],
                             capture_output=True, text=True, check=True).stdout
        assert not [line for line in acl.splitlines() if re.match(r"(user|group):\d+:", line)
                    and int(line.split(":")[1]) in uids], acl
    assert not hub.root.exists()


# --- the idle culler ---------------------------------------------------------------------------------

CULL_AFTER = 10  # seconds; the recipe's default is an hour
WORK = """
from pathlib import Path
Path("my-answers.txt").write_text(f"wrong password: {wrong}, right password: {right}\\n")
print(open("my-answers.txt").read().strip())
"""


def test_idle_servers_are_culled_their_work_kept_and_an_open_lab_left_alone():
    """Five learners work (the lab, then their answers in a file). Four go idle; one keeps
    JupyterLab open (it polls its server). After the limit the four servers are stopped, with
    their kernels and labs; the fifth runs on. The four log in again: their answers are there."""
    import requests

    _require_the_hub()
    hub = hub_support.Hub(idle_timeout=CULL_AFTER)
    kernels = {}
    try:
        hub.start()
        names = hub.account_names(5, "c")
        idle, active = names[:4], names[4]
        learners = hub.create_learners(names)
        hub.start_servers(names)
        hub.wait_ready(names)
        ids = in_parallel(lambda name: learners[name].start_kernel(), names)
        kernels = in_parallel(lambda name: learners[name].kernel(ids[name]), names)
        done = in_parallel(lambda name: kernels[name].execute(hub_support.LAB_CELL + WORK), names)
        worked = time.monotonic()
        assert all("wrong password: 535, right password: 250" in out for out in done.values()), done
        hub.record_tree()
        before = {name: (hub.pid_of(f"server of {name}"), *hub.kernel_pids(name)) for name in names}
        lab_ports = {name: int(done[name].split()[0]) for name in names}
        for kernel in kernels.values():
            kernel.close()

        stop_polling = threading.Event()

        def open_jupyterlab():  # what an open JupyterLab tab does: ask its server, again and again
            while not stop_polling.wait(1):
                learners[active].get("api/kernels")

        poller = threading.Thread(target=open_jupyterlab)
        poller.start()
        try:
            hub_support.wait_for("the idle servers culled",
                                 lambda: all(hub.server_model(name) is None for name in idle),
                                 timeout=CULL_AFTER * 6, interval=0.5)
            culled = time.monotonic()
            assert hub.server_model(active)["ready"], "the learner with JupyterLab open was culled"
        finally:
            stop_polling.set()
            poller.join()
        assert culled - worked >= CULL_AFTER - 1  # no sooner than the limit (the server's own clock)
        log = hub.log_path.read_text()
        for name in idle:
            [inactive] = re.findall(rf"Culling server {name} \(inactive for 00:00:(\d\d)\)", log)
            assert int(inactive) >= CULL_AFTER
        assert f"Culling server {active} " not in log
        # The culled servers' processes ended, kernels and labs with them
        ended = [hub.recorded[pid] for name in idle for pid in before[name]]
        hub_support.wait_for("the culled servers' processes ending",
                             lambda: not any(map(hub_support.still_running, ended)), timeout=15)
        for name in idle:
            with pytest.raises(OSError):
                socket.create_connection(("127.0.0.1", lab_ports[name]), timeout=2).close()
        assert all(hub_support.still_running(hub.recorded[pid]) for pid in before[active])

        # A new start: each learner's work is still there, read through their own server.
        hub.start_servers(idle)
        hub.wait_ready(idle)
        hub.record_tree()
        for name in idle:
            answers = requests.get(f"{learners[name].server}/api/contents/my-answers.txt",
                                   headers=learners[name].headers(), timeout=hub_support.HTTP_TIMEOUT)
            assert answers.status_code == 200
            assert answers.json()["content"] == "wrong password: 535, right password: 250\n"
        hub.stop_servers(names)
        assert hub.stop() == []
        processes, listeners = hub.leftovers()
        assert (processes, listeners) == ([], [])
    finally:
        for kernel in kernels.values():
            kernel.close()
        hub.stop()
        problems = hub.cleanup()
    assert problems == []


# --- beyond one machine: the Zero to JupyterHub values ------------------------------------------------

Z2JH_VALUES = hub_support.ROOT / "deploy" / "z2jh-values.yaml"
Z2JH_SCHEMA = Path(__file__).parent / "data" / "z2jh" / "values.schema.json"


def _z2jh_errors(values: dict) -> list:
    import jsonschema

    schema = json.loads(Z2JH_SCHEMA.read_text())
    return list(jsonschema.Draft7Validator(schema).iter_errors(values))


def test_the_kubernetes_values_pass_the_charts_schema():
    """deploy/z2jh-values.yaml against the chart's own schema. Helm validates the chart's
    defaults merged with this file, and those defaults hold every required key, so the only
    errors allowed here are required keys this file leaves to the chart: no unknown key (a typo
    would be silently ignored by Helm), no value of the wrong type."""
    import yaml

    values = yaml.safe_load(Z2JH_VALUES.read_text())
    errors = _z2jh_errors(values)
    assert [(list(e.absolute_path), e.message) for e in errors if e.validator != "required"] == []
    # ... and the check is not vacuous: a misspelt key and a wrong type are caught.
    values["singleuser"]["memroy"] = values["singleuser"]["memory"]
    values["cull"]["timeout"] = "an hour"
    caught = {(tuple(e.absolute_path), e.validator) for e in _z2jh_errors(values)}
    assert {(("singleuser",), "additionalProperties"), (("cull", "timeout"), "type")} <= caught


def test_the_kubernetes_values_deliver_the_lesson_as_the_one_server_recipe_does():
    """The values use the lesson's repo2docker image, a real login, the culler with the recipe's
    limit, the recipe's quick start and offline settings, and resource figures for each learner."""
    import ast

    import yaml

    values = yaml.safe_load(Z2JH_VALUES.read_text())
    single = values["singleuser"]
    assert single["image"]["name"].endswith("/smtplesson") and single["image"]["tag"]
    assert "repo2docker" in Z2JH_VALUES.read_text()
    post_build = (hub_support.ROOT / "binder" / "postBuild").read_text()
    assert "pip install --no-deps ." in post_build and "nbgitpuller" in post_build
    # A real authenticator, with every site value left as a marked placeholder
    config = values["hub"]["config"]
    assert config["JupyterHub"]["authenticator_class"] == "github"
    github = config["GitHubOAuthenticator"]
    for key in ("client_id", "client_secret", "oauth_callback_url"):
        assert "PLACEHOLDER" in github[key]
    assert github["allowed_organizations"] and github["oauth_callback_url"].endswith("/hub/oauth_callback")
    # The culler, with the recipe's default limit
    recipe = hub_support.RECIPE.read_text()
    assert values["cull"]["enabled"] is True
    assert f'"SMTPLESSON_IDLE_TIMEOUT", "{values["cull"]["timeout"]}"' in recipe
    # The same quick start and the same lean, offline server settings as the recipe
    quick = next(node.value.value for node in ast.parse(recipe).body if isinstance(node, ast.Assign)
                 and getattr(node.targets[0], "id", "") == "QUICK_SERVER")
    assert single["cmd"][:2] == ["python", "-c"] and single["cmd"][2].strip() == quick.strip()
    server = single["extraFiles"]["jupyter_server_config"]
    assert server["mountPath"] == "/etc/jupyter/jupyter_server_config.json"
    assert server["data"]["LabApp"]["news_url"] is None
    assert server["data"]["ServerApp"]["jpserver_extensions"] == {"jupyter_lsp": False, "notebook_shim": False}
    # Memory and CPU for each learner: guaranteed less than the limit, both set
    assert single["memory"]["guarantee"] == "512M" and single["memory"]["limit"] == "1G"
    assert 0 < single["cpu"]["guarantee"] < single["cpu"]["limit"]
