"""Packaging: the wheel carries data and notebooks; binder/ asks for what pyproject.toml asks for."""

import json
import os
import re
import subprocess
import sys
import sysconfig
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from conftest import jupyter_env, require_tool, started_lesson

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).parent.parent


def requirement_names(lines):
    found = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            name = re.match(r"[A-Za-z0-9_.-]+", line).group(0).lower()
            found[name] = line.replace(" ", "")
    return found


def test_binder_asks_for_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = requirement_names(project["dependencies"])
    binder = requirement_names((ROOT / "binder" / "requirements.txt").read_text().splitlines())
    assert binder == wanted


def test_binder_opens_the_first_notebook_and_installs_the_package():
    post_build = (ROOT / "binder" / "postBuild").read_text()
    assert "pip install --no-deps ." in post_build
    assert "00-start-here.ipynb" in post_build


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-w", str(out), str(ROOT)], check=True, capture_output=True, timeout=300)
    return next(out.glob("smtplesson-*.whl"))


def test_wheel_carries_data_files_and_notebooks(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for data in ("codes.csv", "codes.hi.csv", "enhanced.csv", "enhanced_parts.csv", "contrasts.json",
                 "messages.json", "quiz.json"):
        assert f"smtplesson/data/{data}" in names
    notebooks = {Path(name).name for name in names if name.startswith("smtplesson/notebooks/")}
    assert notebooks == {path.name for path in (ROOT / "notebooks").glob("*.ipynb")}
    assert not any(".ipynb_checkpoints" in name for name in names)
    assert any(name.endswith("entry_points.txt") for name in names)


# --- the documented install route, in a fresh virtual environment, offline (issue 15.9, 13.5) -----

def installed_environment(into: Path) -> Path:
    """This environment's installed packages, smtplesson aside, as a folder of links.

    A fresh virtual environment that sees this folder finds the lesson's dependencies already
    installed, so ``pip install --no-index`` of the wheel needs no network, as in an offline room.
    """
    into.mkdir()
    for site in dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib")):
        for entry in Path(site).iterdir():
            if (entry.name.startswith(("smtplesson", "_smtplesson", "_editable_impl_smtplesson"))
                    or entry.suffix == ".pth" or entry.name == "__pycache__"):
                continue
            if not (into / entry.name).exists():
                (into / entry.name).symlink_to(entry)
    return into


@pytest.mark.slow
def test_make_wheel_then_pip_install_works_offline_in_a_fresh_virtual_environment(tmp_path):
    """README's route: make wheel; pip install dist/smtplesson-*.whl; smtplesson check; start."""
    make = require_tool("make", "the README's install route starts with make wheel")
    dist = tmp_path / "dist"
    built = subprocess.run([make, "-C", str(ROOT), "wheel", f"DIST={dist}", f"PY={sys.executable}"],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stdout + built.stderr
    wheels = list(dist.glob("smtplesson-*.whl"))
    assert len(wheels) == 1 and "pip install" in built.stdout

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "installed-environment.pth").write_text(f"{installed_environment(tmp_path / 'installed')}\n")
    offline = {key: value for key, value in os.environ.items() if not key.startswith("PIP_")}
    offline.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    pip = subprocess.run([str(python), "-m", "pip", "install", "--no-index", str(wheels[0])],
                         capture_output=True, text=True, timeout=600, env=offline, cwd=tmp_path)
    assert pip.returncode == 0, pip.stdout[-2000:] + pip.stderr[-2000:]
    assert "Successfully installed smtplesson-" in pip.stdout
    where = subprocess.run([str(python), "-c", "import smtplesson; print(smtplesson.__file__)"],
                           capture_output=True, text=True, check=True, env=offline,
                           cwd=tmp_path).stdout
    assert where.startswith(str(venv)), where  # the wheel's copy, not this repository's

    home = tmp_path / "home"
    home.mkdir()
    share = Path(sys.prefix) / "share" / "jupyter"  # JupyterLab's pages, installed with it here
    env = jupyter_env(home, JUPYTER_PATH=str(share), JUPYTERLAB_DIR=str(share / "lab"),
                      PATH=f"{venv / 'bin'}{os.pathsep}/usr/bin:/bin")
    check = subprocess.run([str(venv / "bin" / "smtplesson"), "check"], capture_output=True,
                           text=True, timeout=180, env=env, cwd=home)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "✔ the lab server answers on 127.0.0.1 (right password 250, wrong 535)" in check.stdout
    with started_lesson([str(venv / "bin" / "smtplesson"), "start", "--no-browser"], home, env) as lesson:
        final, _ = lesson.get("/")
        assert final.split("?")[0].endswith("/lab/tree/00-start-here.ipynb")
        listing = json.loads(lesson.get("/api/contents")[1])
        names = sorted(item["name"] for item in listing["content"])
        assert names == sorted(path.name for path in (ROOT / "notebooks").glob("*.ipynb"))
        assert (home / "smtp-lesson" / "00-start-here.ipynb").exists()
        base, token = lesson.base, lesson.token
    with pytest.raises(urllib.error.URLError):  # and nothing is left listening
        urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)


def test_make_lab_says_what_it_does_on_its_first_run(tmp_path):
    """No minute of silence: each set-up step of a first `make lab` announces itself (issue 15.11)."""
    make = require_tool("make", "make lab is the README's first command")
    plan = subprocess.run([make, "-n", "--no-print-directory", "-C", str(ROOT), "lab", f"VENV={tmp_path / 'venv'}"],
                          capture_output=True, text=True, timeout=60)
    assert plan.returncode == 0, plan.stderr
    steps = plan.stdout.splitlines()
    said = [line for line in steps if line.startswith("echo ")]
    assert any("First run: making a virtual environment" in line for line in said)
    assert any("Installing the lesson and what it needs" in line for line in said)
    assert any("Opening the lesson in JupyterLab" in line for line in said)
    install = next(line for line in steps if "pip install" in line and " -e ." in line)
    assert "--quiet" not in install  # pip names each package as it goes
    assert steps[-1].split()[-4:] == ["smtplesson", "start", "notebooks", "--no-copy"]
