"""Strict nbval over the whole series against the same number of trivial notebooks.

The trivial notebooks (one cell, `1 + 1`) measure the floor: starting a kernel per notebook and
pytest's own start-up. Both runs happen here, interleaved (target ratio: at most 2).
"""

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
SERIES = sorted((ROOT / "notebooks").glob("*.ipynb"))
ROUNDS = 3


def trivial_notebooks(folder: Path) -> None:
    for index in range(len(SERIES)):
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                           "language": "python"}
        NotebookClient(notebook, kernel_name="python3").execute()
        nbformat.write(notebook, folder / f"trivial-{index}.ipynb")


def nbval(paths) -> float:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
               "--nbval", "--nbval-current-env",
               f"--nbval-sanitize-with={ROOT / 'tests' / 'nbval-sanitize.cfg'}", *map(str, paths)]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"nbval failed:\n{result.stdout[-3000:]}")
    return elapsed


with tempfile.TemporaryDirectory() as temp:
    folder = Path(temp)
    trivial_notebooks(folder)
    trivial = sorted(folder.glob("*.ipynb"))
    series_times, floor_times = [], []
    for _ in range(ROUNDS):
        floor_times.append(nbval(trivial))
        series_times.append(nbval(SERIES))

series, floor = statistics.median(series_times), statistics.median(floor_times)
ratio = series / floor
print(f"strict nbval, {len(SERIES)} lesson notebooks: {series:.1f} s; {len(trivial)} trivial notebooks "
      f"(kernel start-up floor): {floor:.1f} s -> ratio {ratio:.2f} (target <= 2) "
      f"{'ok' if ratio <= 2 else 'OVER TARGET'}")
