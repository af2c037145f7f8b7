"""The lesson needs no internet: the notebook suite passes in a network namespace with only loopback."""

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import IN_CI, require_tool

ROOT = Path(__file__).resolve().parent.parent
PROBE = ("import socket\n"
         "s = socket.socket(); s.settimeout(3)\n"
         "print('internet reachable' if s.connect_ex(('1.1.1.1', 53)) == 0 else 'no internet')")


def offline(command: str, timeout: int) -> subprocess.CompletedProcess:
    """Run a shell command in a new network namespace whose only interface is loopback."""
    unshare = require_tool("unshare", "util-linux makes the network namespace")
    require_tool("ip", "iproute2 brings loopback up inside the namespace")
    result = subprocess.run([unshare, "--net", "sh", "-c", f"ip link set lo up && {command}"],
                            cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0 and "Operation not permitted" in result.stderr:
        message = "making a network namespace needs root (CI runs as root)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return result


def test_the_namespace_really_has_no_internet():
    result = offline(f"{sys.executable} -c \"{PROBE}\"", timeout=60)
    assert result.stdout.strip() == "no internet", result.stdout + result.stderr


@pytest.mark.slow
def test_the_notebook_suite_passes_offline():
    result = offline(f"{sys.executable} -m pytest -q -p no:cacheprovider notebooks", timeout=900)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
