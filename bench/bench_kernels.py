"""Peak memory of each lesson notebook's kernel, against a bare kernel in the same run.

Runs every notebook in notebooks/ top to bottom in a fresh kernel of its own (one at a time, as
a learner works through the series), reads the kernel's peak resident memory (VmHWM) at the end,
and prints it per notebook with its ratio to a kernel that ran nothing. The instructor guide plans
a classroom from the largest figure.
"""

import json
import sys
import tempfile
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from classroom_support import ROOT, run_many_sync  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def peak_mib(path: Path) -> float:
    """The peak resident memory, in MiB, of a fresh kernel that ran ``path`` from top to bottom."""
    [result] = run_many_sync(1, notebook_path=path)
    if result["error"] or result["peak_rss_kib"] is None:
        raise SystemExit(f"{path.name} did not run: {result['error']}")
    return result["peak_rss_kib"] / 1024


with tempfile.TemporaryDirectory() as folder:
    bare = Path(folder) / "bare-kernel.ipynb"
    bare.write_text(json.dumps(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])))
    peak_mib(bare)  # warm-up: imports and .pyc files
    baseline = peak_mib(bare)

peaks = {path.stem: peak_mib(path) for path in NOTEBOOKS}
print(f"a bare kernel (baseline): {baseline:.0f} MiB peak")
for name, peak in peaks.items():
    print(f"{name:28} {peak:6.0f} MiB peak -> ratio {peak / baseline:.2f}")
largest = max(peaks, key=peaks.get)
print(f"largest: {largest}, {peaks[largest]:.0f} MiB ({peaks[largest] / baseline:.2f} x a bare kernel); "
      "plan each learner kernel from this figure")
