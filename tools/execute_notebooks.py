"""Re-execute the lesson notebooks in place, storing outputs and widget state (``make notebooks``).

Each notebook runs top to bottom in a fresh ``python3`` kernel from inside ``notebooks/``, as a
learner would run it. Widget state is saved (nbviewer and GitHub draw widgets from it), cell
timings are not (they would change on every run), and the kernelspec is the standard python3.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def execute(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    notebook.metadata["kernelspec"] = KERNELSPEC
    notebook.metadata.pop("widgets", None)
    client = NotebookClient(
        notebook, kernel_name="python3", timeout=300, store_widget_state=True,
        record_timing=False, resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    notebook.metadata.pop("widgets", None) if not notebook.metadata.get("widgets", {}).get(
        "application/vnd.jupyter.widget-state+json", {}).get("state") else None
    nbformat.validate(notebook)
    nbformat.write(notebook, path)
    print(f"executed {path}")


if __name__ == "__main__":
    paths = [Path(arg) for arg in sys.argv[1:]] or sorted(Path("notebooks").glob("*.ipynb"))
    for path in paths:
        execute(path)
