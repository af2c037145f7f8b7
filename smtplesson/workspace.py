"""A learner's workspace: the packaged notebooks copied into a folder, and reset when broken.

The wheel carries the notebooks as package data (``smtplesson/notebooks``); an editable install
reads them from the repository's ``notebooks/`` folder. Copying never overwrites a learner's
edited file; resetting keeps the learner's version as a timestamped backup.

``start`` and ``reset`` find the lesson by one rule (``lesson_folder``): the folder named on the
command line; else the current folder, if it holds the lesson (JupyterLab's terminal opens there);
else ``./smtp-lesson`` (where ``start`` puts it).
"""

from __future__ import annotations

import datetime
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import SmtpLessonError

#: Where ``smtplesson start`` puts the lesson when no folder is given.
DEFAULT_DIR = "smtp-lesson"


def pristine_dir() -> Path:
    """The folder holding the pristine notebooks (inside the wheel, or the repository's)."""
    packaged = resources.files("smtplesson").joinpath("notebooks")
    if packaged.is_dir():
        return Path(str(packaged))
    repository = Path(__file__).resolve().parent.parent / "notebooks"
    if repository.is_dir():
        return repository
    raise SmtpLessonError("the lesson notebooks are missing from this installation: install the "
                          "smtplesson wheel again (pip install --force-reinstall "
                          "dist/smtplesson-*.whl)", rule="install")


def pristine_notebooks() -> list[Path]:
    """The lesson's notebooks as shipped, in series order."""
    return sorted(pristine_dir().glob("*.ipynb"))


def holds_lesson(folder: str | Path) -> bool:
    """Whether ``folder`` holds at least one of the lesson's notebooks (by file name)."""
    folder = Path(folder).expanduser()
    return folder.is_dir() and any((folder / path.name).is_file() for path in pristine_notebooks())


def lesson_folder(given: str | Path | None = None) -> Path:
    """The folder ``start`` and ``reset`` use: ``given``; else this folder if it holds the
    lesson; else ``./smtp-lesson``."""
    if given is not None:
        return Path(given).expanduser()
    if holds_lesson(Path.cwd()):
        return Path(".")
    return Path(DEFAULT_DIR)


def find_lesson(given: str | Path | None = None) -> Path:
    """The lesson folder to reset in, by ``lesson_folder``'s rule; refuse when no lesson is there."""
    folder = lesson_folder(given)
    if given is not None and not folder.is_dir():
        raise SmtpLessonError(f"{folder} is not a folder", rule="workspace")
    if not holds_lesson(folder):
        if given is None:
            message = (f"no lesson found: neither this folder ({Path.cwd()}) nor ./{DEFAULT_DIR} "
                       "holds the lesson notebooks; run this in your lesson folder, or add "
                       "--dir FOLDER")
        else:
            message = (f"no lesson found in {folder}: it holds none of the lesson notebooks "
                       f"(smtplesson start {folder} copies them there)")
        raise SmtpLessonError(message, rule="no-lesson")
    if folder.resolve() == pristine_dir().resolve():
        raise SmtpLessonError(f"{folder.resolve()} holds the lesson's originals, which reset restores "
                              "from; in a clone of the repository, git checkout notebooks/ restores "
                              "them", rule="originals")
    return folder


@dataclass(frozen=True)
class CopyReport:
    """What ``copy_lesson`` did with each notebook."""

    folder: Path
    copied: tuple[str, ...]
    unchanged: tuple[str, ...]
    kept: tuple[str, ...]  # the learner's edited files, left alone


def copy_lesson(folder: str | Path = DEFAULT_DIR) -> CopyReport:
    """Copy the notebooks into ``folder``, creating it; never overwrite a file that differs."""
    target = Path(folder).expanduser()
    if target.exists() and not target.is_dir():
        raise SmtpLessonError(f"{target} exists and is not a folder", rule="workspace")
    target.mkdir(parents=True, exist_ok=True)
    copied, unchanged, kept = [], [], []
    for source in pristine_notebooks():
        destination = target / source.name
        if not destination.exists():
            shutil.copyfile(source, destination)
            copied.append(source.name)
        elif destination.read_bytes() == source.read_bytes():
            unchanged.append(source.name)
        else:
            kept.append(source.name)
    return CopyReport(target, tuple(copied), tuple(unchanged), tuple(kept))


def find_notebook(name: str) -> Path:
    """The pristine notebook a learner means by '03', '03-authentication' or '03-authentication.ipynb'."""
    stem = Path(name).name.removesuffix(".ipynb")
    matches = [path for path in pristine_notebooks()
               if path.stem == stem or path.stem.startswith(f"{stem}-") or path.stem[:2] == stem]
    if len(matches) != 1:
        names = ", ".join(path.stem for path in pristine_notebooks())
        raise SmtpLessonError(f"no single lesson notebook matches {name!r}; choose one of: {names}",
                              rule="notebook-name")
    return matches[0]


def reset_notebook(name: str, folder: str | Path | None = None,
                   now: datetime.datetime | None = None) -> tuple[Path, Path | None]:
    """Restore a pristine copy of a notebook in the lesson folder (found as ``find_lesson`` does);
    return (restored, backup or None)."""
    source = find_notebook(name)
    target_dir = find_lesson(folder)
    destination = target_dir / source.name
    backup = None
    if destination.exists():
        if destination.read_bytes() == source.read_bytes():
            return destination, None
        stamp = (now or datetime.datetime.now()).strftime("%Y%m%d-%H%M%S")
        backup = destination.with_name(f"{source.stem}.backup-{stamp}.ipynb")
        counter = 1
        while backup.exists():
            counter += 1
            backup = destination.with_name(f"{source.stem}.backup-{stamp}-{counter}.ipynb")
        destination.rename(backup)
    shutil.copyfile(source, destination)
    return destination, backup
