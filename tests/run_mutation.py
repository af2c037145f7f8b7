"""Measure the mutation score of the core modules with mutmut 3 (``make mutate``), module by module.

mutmut copies the project into ./mutants, changes one small thing at a time in the modules of
``[tool.mutmut] only_mutate`` (pyproject.toml) and runs the fast unit tests that reach the changed
function. A mutant is killed when a test fails. This prints, per module, killed/total and the
score, and lists each surviving mutant that tests/MUTATION.md does not explain as equivalent.
Exit status 1 when a module scores under 90% or a survivor is unexplained.

Usage: python tests/run_mutation.py [--max-children N] [--keep] [--report] [module ...]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULES = ("reply", "digits", "catalogue", "compare", "explain", "cli", "i18n")
TARGET = 0.90
#: mutmut's exit codes per mutant (mutmut/stats.py): 1 and 3 are kills; a timeout counts as one.
KILLED = {1, 3, 24, -24, 36, 152, 255}
SURVIVED = {0}
NO_TESTS = {5, 33}
#: A mutant named in MUTATION.md as equivalent: `smtplesson.reply.x_parse_reply__mutmut_12`.
LISTED = re.compile(r"`(smtplesson\.[a-z0-9_]+\.[A-Za-z0-9_ǁ]+__mutmut_\d+)`")


def equivalents() -> set[str]:
    """The mutants tests/MUTATION.md lists as equivalent (each with its one-line reason)."""
    path = ROOT / "tests" / "MUTATION.md"
    return set(LISTED.findall(path.read_text("utf-8"))) if path.exists() else set()


def results(module: str) -> dict[str, int | None]:
    meta = ROOT / "mutants" / "smtplesson" / f"{module}.py.meta"
    return json.loads(meta.read_text("utf-8"))["exit_code_by_key"]


def run_module(mutmut: str, module: str, max_children: int) -> float:
    """Run mutmut on one module's mutants; return the seconds it took. Its output goes to a log."""
    log = ROOT / "mutants" / f"mutmut-{module}.log"
    log.parent.mkdir(exist_ok=True)
    start = time.monotonic()
    with log.open("w") as out:
        status = subprocess.call([mutmut, "run", "--max-children", str(max_children),
                                  f"smtplesson.{module}.*"], cwd=ROOT, stdout=out, stderr=out)
    if status != 0:
        sys.exit(f"mutmut failed on {module} (exit {status}); see {log.relative_to(ROOT)}")
    return time.monotonic() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", default=list(MODULES))
    parser.add_argument("--max-children", type=int, default=2,
                        help="mutants tested at once (default 2: the machine is shared)")
    parser.add_argument("--keep", action="store_true",
                        help="reuse ./mutants from an earlier run instead of starting afresh")
    parser.add_argument("--report", action="store_true",
                        help="run nothing: report the results already in ./mutants")
    args = parser.parse_args()
    unknown = sorted(set(args.modules) - set(MODULES))
    if unknown:
        parser.error(f"not a core module: {', '.join(unknown)} (choose from {', '.join(MODULES)})")
    mutmut = shutil.which("mutmut", path=str(Path(sys.executable).parent))
    if mutmut is None:
        sys.exit("mutmut is not installed: make mutate installs it (pip install -e '.[test,mutate]')")
    if not (args.keep or args.report):
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)

    listed = equivalents()
    rows, unexplained, failed = [], [], False
    started = time.monotonic()
    for module in args.modules:
        seconds = 0.0 if args.report else run_module(mutmut, module, args.max_children)
        codes = results(module)
        total = len(codes)
        killed = sum(1 for code in codes.values() if code in KILLED)
        alive = sorted(name for name, code in codes.items() if code not in KILLED)
        equivalent = [name for name in alive if name in listed]
        unexplained += [(name, codes[name]) for name in alive if name not in listed]
        score = killed / total if total else 1.0
        failed |= score < TARGET
        rows.append((module, killed, total, score, len(equivalent), len(alive) - len(equivalent), seconds))
        print(f"  {module:<10} {killed:>4}/{total:<4} killed  {score:6.1%}   "
              f"{len(equivalent)} equivalent, {len(alive) - len(equivalent)} unexplained   "
              f"{seconds:5.0f} s", flush=True)

    print()
    print(f"{'module':<10} {'killed/total':>13} {'score':>7} {'equivalent':>11} {'unexplained':>12} {'time':>7}")
    for module, killed, total, score, equivalent, left, seconds in rows:
        print(f"{module:<10} {f'{killed}/{total}':>13} {score:7.1%} {equivalent:>11} {left:>12} {seconds:6.0f}s")
    killed_all, total_all = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"{'all':<10} {f'{killed_all}/{total_all}':>13} {killed_all / max(total_all, 1):7.1%} "
          f"{sum(r[4] for r in rows):>11} {sum(r[5] for r in rows):>12} {time.monotonic() - started:6.0f}s")
    if unexplained:
        print("\nSurvivors that tests/MUTATION.md does not explain (see one with "
              "`.venv/bin/mutmut show NAME`; kill it with a test, or list it there as equivalent):")
        for name, code in unexplained:
            status = "no test reaches it" if code in NO_TESTS else "survived" if code in SURVIVED else f"exit {code}"
            print(f"  {name}  ({status})")
    return 1 if failed or unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
