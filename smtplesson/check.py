"""Is this machine ready for the lesson? One ✔/✘ line per thing a learner needs.

Used by ``smtplesson check`` (with versions) and by the first notebook (without them, so its
stored output is the same on every machine where the lesson works).
"""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
import sys
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Check:
    """One item: what was checked, whether it passed, details, and whether the lesson needs it."""

    name: str
    ok: bool
    detail: str = ""
    required: bool = True

    def line(self, versions: bool = True) -> str:
        mark = "✔" if self.ok else ("✘" if self.required else "⚠")
        detail = f" ({self.detail})" if self.detail and (versions or not self.ok) else ""
        return f"{mark} {self.name}{detail}"


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _package(name: str, package: str, major: int | None = None) -> Check:
    version = _version(package)
    if version is None:
        return Check(name, False, f"{package} is not installed: install smtplesson again with pip "
                                  "(its wheel, or pip install . in a clone), which brings it")
    if major is not None and int(version.split(".")[0]) != major:
        return Check(name, False, f"{package} {version}; the lesson needs {major}.x")
    return Check(name, True, f"{package} {version}")


def _python() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    return Check("Python 3.10 or newer", sys.version_info >= (3, 10), f"Python {version}")


def _kernel() -> Check:
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        specs = KernelSpecManager().find_kernel_specs()
    except Exception as error:  # noqa: BLE001 - any failure here means "no kernel"
        return Check("a python3 Jupyter kernel", False, str(error))
    return Check("a python3 Jupyter kernel", "python3" in specs,
                 "python3" if "python3" in specs else "python -m ipykernel install --user")


def _lab_session() -> Check:
    try:
        from .lab import LabServer, send_mail

        with LabServer() as lab:
            right = send_mail(lab, "alice", "wonderland").code
            wrong = send_mail(lab, "alice", "not-the-password").code
    except Exception as error:  # noqa: BLE001 - report, never crash the check
        return Check("the lab server answers on 127.0.0.1", False, f"{type(error).__name__}: {error}")
    ok = (right, wrong) == (250, 535)
    return Check("the lab server answers on 127.0.0.1", ok, f"right password {right}, wrong {wrong}")


def _devanagari_font() -> Check:
    name = "a Devanagari font (only for Hindi)"
    if shutil.which("fc-list") is None:
        return Check(name, False, "cannot tell: fc-list is not installed", required=False)
    found = subprocess.run(["fc-list", ":lang=hi", "family"], capture_output=True, text=True,
                           timeout=20).stdout.strip()
    family = found.splitlines()[0].split(",")[0] if found else ""
    return Check(name, bool(found), family or "e.g. apt install fonts-lohit-deva", required=False)


#: Each check, in the order it is reported.
CHECKS: tuple[Callable[[], Check], ...] = (
    _python,
    lambda: _package("pandas", "pandas"),
    lambda: _package("ipywidgets 8", "ipywidgets", major=8),
    lambda: _package("the JupyterLab widgets extension", "jupyterlab_widgets"),
    lambda: _package("aiosmtpd (the lab server)", "aiosmtpd"),
    lambda: _package("JupyterLab", "jupyterlab"),
    _kernel,
    _lab_session,
    _devanagari_font,
)


def run(include: tuple[str, ...] | None = None) -> list[Check]:
    """Run every check (or those whose name starts with one of ``include``)."""
    results = [check() for check in CHECKS]
    if include is not None:
        results = [r for r in results if r.name.startswith(include)]
    return results


class Report:
    """Check results for a notebook: no versions, so the output is the same everywhere it works."""

    def __init__(self, results: list[Check]) -> None:
        self.results = results

    @property
    def ready(self) -> bool:
        return all(r.ok for r in self.results if r.required)

    def __repr__(self) -> str:
        return "\n".join(r.line(versions=False) for r in self.results)


def notebook_report() -> Report:
    """The checks that tell whether this kernel can run the lesson (the font is the browser's)."""
    return Report([r for r in run() if r.required and not r.name.startswith("a python3 Jupyter")])
