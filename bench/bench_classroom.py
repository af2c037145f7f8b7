"""Twenty learner kernels running the live-lab notebook at once, against one kernel alone.

Prints the wall time of 20 concurrent runs against 1 run (same run, same machine) and the peak
memory (VmHWM) each learner kernel reached.
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from classroom_support import run_many_sync  # noqa: E402

LEARNERS = 20


def timed(count):
    start = time.perf_counter()
    results = run_many_sync(count)
    elapsed = time.perf_counter() - start
    assert not [r for r in results if r["error"]], [r["error"] for r in results if r["error"]]
    return elapsed, results


timed(1)  # warm-up: imports and .pyc files
one, _ = timed(1)
many, results = timed(LEARNERS)
peaks = [r["peak_rss_kib"] / 1024 for r in results]
print(f"live-lab notebook: 1 kernel {one:.1f} s; {LEARNERS} kernels at once {many:.1f} s "
      f"-> ratio {many / one:.1f} ({many / one / LEARNERS:.2f} per learner; {__import__('os').cpu_count()} CPU cores)")
print(f"peak memory per learner kernel: median {statistics.median(peaks):.0f} MiB, "
      f"max {max(peaks):.0f} MiB; {LEARNERS} learners ~ {sum(peaks) / 1024:.1f} GiB of kernels")
