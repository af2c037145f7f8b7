# JupyterHub for a class that learns smtplesson, on one Linux server.
#
# This is the recipe that tests/test_hub.py runs on every `make test`; docs/instructors.md
# (On JupyterHub) explains it. Start the hub as root, so that it can make accounts and start
# each learner's server as that learner:
#
#     SMTPLESSON_CLASS_PASSWORD=... jupyterhub -f jupyterhub_config.py
#
# Each learner gets a system account of their own, made by the hub at their first login, with a
# home folder only they can open. Their Jupyter server and kernels run as that account, never as
# root. Idle servers are stopped by jupyterhub-idle-culler; the learners' files stay.
#
# The site's settings come from the environment, so no secret is written in this file:
#   SMTPLESSON_CLASS_PASSWORD  the password of the whole class, 8 characters or more (required)
#   SMTPLESSON_HUB_DIR         the hub's folder: state, learners' homes, Jupyter settings
#                              (default /srv/smtplesson-hub)
#   SMTPLESSON_IDLE_TIMEOUT    seconds without activity before a learner's server is stopped
#                              (default 3600; 0 turns the culler off)
#   SMTPLESSON_ADMIN_TOKEN     a key for scripts that create learners and start or stop their
#                              servers (optional; make one with `openssl rand -hex 32`)
#   SMTPLESSON_QUICK_START     1 (default): start learners' servers the quick way (below);
#                              0: Jupyter's own way, if a new Jupyter version disagrees with it
#
# Where the hub listens: change bind_url below, or pass --JupyterHub.bind_url=... on the command line.

import asyncio
import json
import os
import pwd
import sys
import time
from pathlib import Path

from jupyterhub.auth import LocalAuthenticator
from jupyterhub.authenticators.shared import SharedPasswordAuthenticator
from jupyterhub.spawner import LocalProcessSpawner

c = get_config()  # noqa: F821 (JupyterHub provides it)

BASE = Path(os.environ.get("SMTPLESSON_HUB_DIR", "/srv/smtplesson-hub"))
STATE = BASE / "hub"  # the hub's database, cookie secret, proxy pid: root only
HOMES = BASE / "home"  # one folder per learner, each open to its learner only
JUPYTER_CONFIG = BASE / "jupyter-config"  # settings every learner's server reads
IDLE_TIMEOUT = int(os.environ.get("SMTPLESSON_IDLE_TIMEOUT", "3600"))
QUICK_START = os.environ.get("SMTPLESSON_QUICK_START", "1") != "0"
ADMIN_TOKEN = os.environ.get("SMTPLESSON_ADMIN_TOKEN", "")
#: The comment of every account this hub makes: only such accounts may log in.
ACCOUNT_NOTE = "smtplesson learner"
#: The Python that runs the hub; smtplesson, jupyterlab and nbgitpuller are installed in it too.
PYTHON = sys.executable

if "SMTPLESSON_CLASS_PASSWORD" not in os.environ:
    sys.exit("Set SMTPLESSON_CLASS_PASSWORD to the class password (8 characters or more).")

# --- the folders (made on every start; modes fixed, contents kept) ------------------------------
for folder, mode in ((BASE, 0o711), (STATE, 0o700), (HOMES, 0o711), (JUPYTER_CONFIG, 0o755)):
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(mode)
(JUPYTER_CONFIG / "lab-settings").mkdir(exist_ok=True)
# The learners' JupyterLab stays offline: no news feed, no update check, no extension search.
server_config = {"LabApp": {"news_url": None,
                            "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
                            "extension_manager": "readonly",
                            "app_settings_dir": str(JUPYTER_CONFIG / "lab-settings")}}
if QUICK_START:
    # Server extensions the lesson does not use: language servers (none is installed) and
    # the classic Notebook's shim. JupyterLab, nbgitpuller and terminals stay.
    server_config["ServerApp"] = {"jpserver_extensions": {"jupyter_lsp": False,
                                                          "notebook_shim": False}}
(JUPYTER_CONFIG / "jupyter_server_config.json").write_text(json.dumps(server_config, indent=1))
(JUPYTER_CONFIG / "lab-settings" / "overrides.json").write_text(json.dumps(
    {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                     "checkForUpdates": False}}, indent=1))

# --- where the hub listens -------------------------------------------------------------------------
# 127.0.0.1 lets in this machine only; for a room, the machine's own address behind HTTPS.
# The hub's and the proxy's internal APIs stay on 127.0.0.1, each on a port of its own.
c.JupyterHub.bind_url = "http://127.0.0.1:8000"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:8081"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:8001"
c.JupyterHub.db_url = f"sqlite:///{STATE}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every learner's server


# --- who may log in: the class password, and an account of their own ------------------------------
class ClassroomAuthenticator(LocalAuthenticator, SharedPasswordAuthenticator):
    """The class password; each learner gets a system account of their own at first login.

    A name that belongs to an account this hub did not make (root, a service, a teacher's own
    account) is refused: the class password must never open someone else's account.
    """

    def validate_username(self, username):
        if not super().validate_username(username):
            return False
        try:
            account = pwd.getpwnam(username)
        except KeyError:
            return True  # a new learner: add_user makes the account
        return account.pw_gecos == ACCOUNT_NOTE and account.pw_dir == str(HOMES / username)

    def add_system_user(self, user):
        super().add_system_user(user)
        (HOMES / user.name).chmod(0o700)  # only its learner may open it, whatever useradd chose


c.JupyterHub.authenticator_class = ClassroomAuthenticator
c.SharedPasswordAuthenticator.user_password = os.environ["SMTPLESSON_CLASS_PASSWORD"]
c.Authenticator.allow_all = True
# Names that useradd accepts: a lower-case letter, then letters, digits, _ or -.
c.Authenticator.username_pattern = r"^[a-z][a-z0-9_-]{0,30}$"
c.LocalAuthenticator.create_system_users = True
# A group of the learner's own (--user-group), a home under HOMES, a shell for the terminal.
c.LocalAuthenticator.add_user_cmd = ["useradd", "--create-home", "--home-dir", f"{HOMES}/USERNAME",
                                     "--user-group", "--shell", "/bin/bash",
                                     "--comment", ACCOUNT_NOTE]


# --- each learner's server: a local process as the learner's own account --------------------------
class LearnerSpawner(LocalProcessSpawner):
    """A learner's server, handed to the hub as soon as it accepts connections.

    The hub's own check waits longer and longer between tries (0.2 s, 0.4 s, 0.8 s, ...), so a
    server up after 1.5 s was often seen only after 2 to 3 s. This one looks every 50 ms.
    """

    async def start(self):
        ip, port = await super().start()
        deadline = time.monotonic() + self.http_timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            try:
                _, writer = await asyncio.open_connection(ip, port)
            except OSError:
                await asyncio.sleep(0.05)
            else:
                writer.close()
                await writer.wait_closed()
                break
        return ip, port


# The quick start skips two costs of every server's start that a learner never needs:
# - jsonschema, which every Jupyter server imports, loads rfc3987_syntax when it is installed,
#   and that module builds about 35 grammar parsers at import (1 to 2 s) for a check ("iri"
#   formats) that no Jupyter schema uses;
# - JupyterLab, when it is imported, runs node to read yarn's settings (0.5 s), for building
#   extensions, which learners' servers never do. Without node on PATH during that import, it
#   does not; PATH is put back before the server starts.
QUICK_SERVER = """
import os, sys
sys.modules["rfc3987_syntax"] = None
path, os.environ["PATH"] = os.environ["PATH"], os.path.dirname(sys.executable)
import jupyterlab.labapp
os.environ["PATH"] = path
from jupyterhub.singleuser import main
sys.exit(main())
"""
c.JupyterHub.spawner_class = LearnerSpawner if QUICK_START else LocalProcessSpawner
c.Spawner.cmd = ([PYTHON, "-c", QUICK_SERVER] if QUICK_START
                 else [PYTHON, "-m", "jupyterhub.singleuser"])
c.Spawner.notebook_dir = "~"         # the learner's home folder
c.Spawner.default_url = "/lab"       # open JupyterLab
c.Spawner.ip = "127.0.0.1"           # reached through the hub's proxy only
c.Spawner.disable_user_config = True  # ignore Jupyter settings in learners' homes
c.Spawner.start_timeout = 120        # a whole class logging in at once starts slowly
c.Spawner.http_timeout = 120
c.Spawner.environment = {
    "PATH": f"{Path(PYTHON).parent}:/usr/local/bin:/usr/bin:/bin",  # git, for nbgitpuller
    "JUPYTER_CONFIG_PATH": str(JUPYTER_CONFIG),
    "LANG": "C.UTF-8",
    # How often a server tells the hub it was used (Jupyter's default: 300 s). An open
    # JupyterLab tab uses its server all the time, so the culler leaves that learner alone.
    "JUPYTERHUB_ACTIVITY_INTERVAL": str(max(1, min(300, IDLE_TIMEOUT // 5 or 300))),
}

# --- services: the idle culler, and (optionally) a key for the instructor's scripts ---------------
services, roles = [], []
if IDLE_TIMEOUT > 0:
    # Stops a learner's server after IDLE_TIMEOUT seconds without activity; files stay.
    services.append({"name": "idle-culler",
                     "command": [PYTHON, "-m", "jupyterhub_idle_culler",
                                 f"--timeout={IDLE_TIMEOUT}"]})
    roles.append({"name": "idle-culler", "services": ["idle-culler"],
                  "scopes": ["list:users", "read:users:activity", "read:servers",
                             "delete:servers"]})
if ADMIN_TOKEN:
    # admin:server_state lets a script read each server's process id; the test uses it.
    services.append({"name": "lesson-admin", "api_token": ADMIN_TOKEN})
    roles.append({"name": "lesson-admin", "services": ["lesson-admin"],
                  "scopes": ["admin:users", "admin:servers", "admin:server_state", "tokens",
                             "access:servers"]})
c.JupyterHub.services = services
c.JupyterHub.load_roles = roles
