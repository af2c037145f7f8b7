"""Shared timing helpers for the benchmarks: interleaved runs, medians, ratios."""

from __future__ import annotations

import compileall
import statistics
import subprocess
import sys
import time
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "smtplesson"


def compile_bytecode() -> None:
    """Write the package's .pyc files, as pip does when it installs the wheel.

    Warm-up runs cannot do it when PYTHONDONTWRITEBYTECODE is set (it is on some machines, this
    one included): every cold start would then compile the sources again and time the compiler.
    """
    compileall.compile_dir(str(PACKAGE), quiet=1)


def time_commands(commands: dict[str, list[str]], rounds: int = 15) -> dict[str, float]:
    """Median wall time of each command, run interleaved so drift hits all of them alike."""
    compile_bytecode()
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for name, command in commands.items():  # one warm-up each (file cache)
        subprocess.run(command, capture_output=True, check=True)
    for _ in range(rounds):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, capture_output=True, check=True)
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in samples.items()}


def report(title: str, measured: float, baseline: float, target: float, unit: str = "s") -> bool:
    """Print one line: the figures, the ratio and whether it meets the target."""
    ratio = measured / baseline
    verdict = "ok" if ratio <= target else "OVER TARGET"
    print(f"{title}: {measured * 1000:.1f} ms vs baseline {baseline * 1000:.1f} ms "
          f"-> ratio {ratio:.2f} (target <= {target}) {verdict}")
    return ratio <= target


PYTHON = sys.executable
