"""A real JupyterHub on loopback: five learners get the lesson through nbgitpuller and run the lab.

This is the recipe in docs/instructors.md (On JupyterHub), run for real: JupyterHub with a shared password
and local-process servers, five learners created through the REST API, the lesson pulled from a
local git repository, and the live lab (535, then 250) in each learner's own kernel, all five
labs at once. Then everything is stopped and nothing may be left: no process, no listening port.

The first run installs configurable-http-proxy with npm into .tools/hub; later runs need no
network. Outside CI the hub tests are skipped, with the reason, when JupyterHub, nbgitpuller,
node, git or the proxy is missing and cannot be installed; in CI (CI=true) they fail instead.
"""

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, unquote, urlencode

import pytest

import hub_support
from conftest import IN_CI

pytestmark = pytest.mark.slow

LEARNERS = [f"learner{number}" for number in range(1, 6)]
TARGET = "smtp-lesson"  # the folder nbgitpuller makes in each learner's home
RECIPE = Path(__file__).parent.parent / "docs" / "instructors.md"
LINK_FORM = ("/hub/user-redirect/git-pull?repo=<your-repo-url>&branch=main"
             "&urlpath=lab/tree/smtplesson/notebooks/00-start-here.ipynb")
LAB_START = """
from smtplesson.lab import LabServer, send_mail
lab = LabServer().start()
wrong = send_mail(lab, "alice", "wrong").code
right = send_mail(lab, "alice", "wonderland").code
print(lab.port, wrong, right)
"""
LAB_STOP = """
still = lab.running and send_mail(lab, "alice", "wonderland").code
lab.stop()
print(still, lab.running)
"""


def test_the_recipe_shows_every_setting_the_test_uses(tmp_path):
    """The instructor guide's JupyterHub section is the recipe this file runs: every setting is in it."""
    recipe = RECIPE.read_text()
    hub = hub_support.Hub(tmp_path)
    config = hub.write_config().read_text()
    settings = set(re.findall(r"^(c\.\w+\.\w+) =", config, re.M))
    assert len(settings) >= 20
    assert [name for name in settings if f"{name} = " not in recipe] == []
    server = json.loads((tmp_path / "jupyter-config" / "jupyter_server_config.json").read_text())
    for name, value in server["LabApp"].items():
        if name != "app_settings_dir":
            assert f'"{name}": {json.dumps(value)}' in recipe
    assert '"fetchNews": "false", "checkForUpdates": false' in recipe
    for scope in hub_support.ADMIN_SCOPES:
        assert f'"{scope}"' in recipe


def _require_the_hub():
    reasons = hub_support.missing()
    if reasons:
        message = "the JupyterHub test cannot run: " + "; ".join(reasons)
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    """A running hub with five learners whose servers are ready; torn down at the end if needed."""
    _require_the_hub()
    state = tmp_path_factory.mktemp("hub")
    hub = hub_support.Hub(state / "state")
    # Named like the project, so nbgitpuller's default folder is the one the recipe's link opens.
    classroom = Classroom(hub, hub_support.make_lesson_repo(state / "smtplesson"))
    try:
        hub.start()
        classroom.learners = hub.create_learners(LEARNERS)
        hub.start_servers(LEARNERS)
        hub.wait_ready(LEARNERS)
        hub.record_tree()
        yield classroom
    finally:
        if not classroom.torn_down:  # a test failed before the teardown test: still clean up
            classroom.teardown()
            hub.kill_leftovers()


class Classroom:
    def __init__(self, hub, repo):
        self.hub, self.repo = hub, repo
        self.learners = {}
        self.torn_down = False

    def teardown(self):
        """Servers first, through the API; then the hub. Return what went wrong."""
        self.torn_down = True
        problems = []
        if self.learners and self.hub.process is not None and self.hub.process.poll() is None:
            self.hub.record_tree()
            try:
                self.hub.stop_servers(list(self.learners))
            except (RuntimeError, TimeoutError, OSError) as error:
                problems.append(f"stopping the servers through the API: {error}")
        problems += self.hub.stop()
        return problems


def in_parallel(function, items):
    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        return dict(zip(items, pool.map(function, items)))


def test_every_learner_has_a_ready_server_of_their_own(classroom):
    hub = classroom.hub
    servers = {name: hub.pid_of(f"server of {name}") for name in LEARNERS}
    assert len(set(servers.values())) == 5
    for name, pid in servers.items():
        assert pid in [item.pid for item in hub.recorded.values()]
        model = hub.server_model(name)
        assert model["ready"] and model["url"] == f"/user/{name}/"


def test_the_spawned_servers_are_offline(classroom):
    learner = classroom.learners[LEARNERS[0]]
    news = learner.get("lab/api/news")
    assert news.status_code == 200 and news.json() == {"news": []}
    update = learner.get("lab/api/update")
    assert update.status_code == 200 and update.json() == {"notification": None}
    setting = learner.get("lab/api/settings/@jupyterlab/apputils-extension:notification")
    assert setting.status_code == 200
    defaults = setting.json()["schema"]["properties"]  # overrides.json changes the defaults
    assert defaults["fetchNews"]["default"] == "false"
    assert defaults["checkForUpdates"]["default"] is False


def test_the_shared_password_logs_a_learner_in(classroom):
    import requests

    login = f"{classroom.hub.url}/hub/login"
    for password, expected in (("not-the-password", 403), (hub_support.SHARED_PASSWORD, 302)):
        with requests.Session() as browser:
            browser.get(login, timeout=hub_support.HTTP_TIMEOUT)
            form = {"username": LEARNERS[0], "password": password, "_xsrf": browser.cookies["_xsrf"]}
            answer = browser.post(login, data=form, allow_redirects=False, timeout=hub_support.HTTP_TIMEOUT)
            assert answer.status_code == expected, answer.text[:300]


def test_nbgitpuller_delivers_the_lesson_to_every_learner(classroom):
    repo = f"file://{classroom.repo}"
    events = in_parallel(lambda name: classroom.learners[name].pull(repo, TARGET), LEARNERS)
    wanted = sorted(path.name for path in (classroom.repo / "notebooks").glob("*.ipynb"))
    assert len(wanted) == 7
    for name in LEARNERS:
        assert events[name][-1] == {"phase": "finished"}, events[name][-3:]
        home = classroom.hub.state / "home" / name
        assert sorted(p.name for p in (home / TARGET / "notebooks").glob("*.ipynb")) == wanted
        # ... and the learner's own server shows it, the way JupyterLab opens it
        listing = classroom.learners[name].get(f"api/contents/{TARGET}/notebooks")
        assert listing.status_code == 200
        assert sorted(item["name"] for item in listing.json()["content"]) == wanted
    # The link clicked again after the instructor published an update: the update arrives, and
    # the notebook the learner edited keeps the learner's edit.
    name = LEARNERS[0]
    edited = classroom.hub.state / "home" / name / TARGET / "notebooks" / "00-start-here.ipynb"
    notebook = json.loads(edited.read_text())
    notebook["cells"][0]["source"] = "My own notes.\n"
    edited.write_text(json.dumps(notebook, indent=1))
    with open(classroom.repo / "README.md", "a") as readme:
        readme.write("\nAn update from the instructor.\n")
    hub_support.commit_all(classroom.repo, "An update")
    again = classroom.learners[name].pull(repo, TARGET)
    assert again[-1] == {"phase": "finished"}, again[-3:]
    assert "An update from the instructor." in (edited.parent.parent / "README.md").read_text()
    assert json.loads(edited.read_text())["cells"][0]["source"] == "My own notes.\n"


def test_the_recipes_link_works_for_a_learner_who_logs_in(classroom):
    """The nbgitpuller link of the instructor guide, followed the way a browser does."""
    import requests

    hub, name = classroom.hub, LEARNERS[4]
    link = (f"{hub.url}/hub/user-redirect/git-pull?repo={quote(f'file://{classroom.repo}', safe='')}"
            f"&branch=main&urlpath=lab/tree/smtplesson/notebooks/00-start-here.ipynb")
    assert LINK_FORM in RECIPE.read_text()
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
    assert (hub.state / "home" / name / "smtplesson" / "notebooks" / "00-start-here.ipynb").is_file()


def test_five_labs_at_once_each_in_its_learners_own_kernel(classroom):
    import psutil

    hub, learners = classroom.hub, classroom.learners
    kernels = in_parallel(lambda name: learners[name].start_kernel(), LEARNERS)
    sockets = in_parallel(lambda name: learners[name].kernel(kernels[name]), LEARNERS)
    try:
        printed = in_parallel(lambda name: sockets[name].execute(LAB_START), LEARNERS)
        # All five have reported and all five labs are still running: look at the machine.
        hub.record_tree()
        ports = {}
        for name in LEARNERS:
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
        stopped = in_parallel(lambda name: sockets[name].execute(LAB_STOP), LEARNERS)
        assert all(out.split() == ["250", "False"] for out in stopped.values()), stopped
    finally:
        for socket in sockets.values():
            socket.close()


def test_a_learners_token_is_refused_on_another_learners_server(classroom):
    first, second = (classroom.learners[name] for name in LEARNERS[:2])
    assert first.get("api/kernels").status_code == 200
    assert first.get("api/kernels", token=second.token).status_code == 403
    assert first.get(f"api/contents/{TARGET}", token=second.token).status_code == 403
    # ... and the hub API agrees: a learner's token cannot act for someone else
    import requests

    other = requests.get(f"{classroom.hub.url}/hub/api/users/{first.name}",
                         headers=second.headers(), timeout=hub_support.HTTP_TIMEOUT)
    assert other.status_code in (403, 404)


def test_teardown_leaves_no_process_and_no_listening_port(classroom):
    hub = classroom.hub
    roles = sorted(item.role for item in hub.recorded.values())
    expected = {"hub", "proxy", *(f"server of {n}" for n in LEARNERS)}
    assert expected <= set(roles), roles
    assert len(hub.ports) >= 3 + 5
    # Every recorded process carries this run's tag, so the check below also finds any process
    # of this run that was never recorded.
    alive = {item.pid for item in hub.recorded.values() if hub_support.still_running(item)}
    assert alive and alive <= set(hub_support.marked_processes(hub.run_id))
    problems = classroom.teardown()
    assert problems == [], problems
    assert hub.process.returncode is not None
    processes, listeners = hub.leftovers()
    assert processes == [], f"still running: {processes}"
    assert listeners == [], f"still listening: {listeners}"
    assert re.search(r"Stopping|Cleaning up", hub.log_tail(200)), hub.log_tail()
