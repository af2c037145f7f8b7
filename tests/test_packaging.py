"""Packaging: the wheel carries data and notebooks; binder/ asks for what pyproject.toml asks for."""

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

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
