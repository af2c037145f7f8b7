"""A class on one JupyterHub: thirty learners at once, one alone, memory per learner.

Runs the recipe (deploy/jupyterhub_config.py, as tests/test_hub.py does: each learner in an
account of their own) twice over, with the recipe's quick start on and, as the same-run
baseline, off (SMTPLESSON_QUICK_START=0: Jupyter's own way of starting a server).

1. Where a server's start goes: the imports of a learner's server, as it is and with the quick
   start's two cuts, timed as separate processes (wall and CPU).
2. One learner alone, rounds alternating baseline/quick: a fresh hub, one learner created through
   the REST API, from asking for the server to the hub saying it is ready ("ready"), and on to
   the lesson pulled with nbgitpuller and, in the learner's kernel, the lesson's imports and the
   live-lab cell of notebook 04, 535 then 250 ("working").
3. A class: N learners (default 30) created at once, all servers asked for at the same moment;
   time until all are ready, then until all have pulled the lesson and run the lab cell. While
   all N labs run: memory of each learner's server and kernel, RSS (all resident memory,
   shared libraries included) and USS (what only that process uses: what one more learner
   costs), and the hub's, the proxy's and the culler's.

    sudo .venv/bin/python bench/bench_hub.py [--learners 30] [--rounds 3] [--no-baseline-class]

Needs root (the hub makes the accounts) and what tests/test_hub.py needs; prints "skipped"
otherwise. Targets: one learner ready in at most 2.5 s, thirty in at most 60 s, on 2 cores;
the exit status checks the same-run ratio: quick start at most 0.7 of the baseline's time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import hub_support  # noqa: E402

ONE_TARGET, CLASS_TARGET, RATIO_TARGET = 2.5, 60.0, 0.7
#: Seconds any one step of a learner may take: thirty kernels starting at once on 2 cores are slow.
WAIT = 300
TARGET_FOLDER = "smtp-lesson"
#: What every lesson notebook's first cell imports (pandas, the widgets, smtplesson), so the
#: kernels measured are the size of a learner's kernel in the lesson, then the live-lab cell.
CELL = "import pandas, ipywidgets\nimport smtplesson, smtplesson.widgets\n" + hub_support.LAB_CELL
IMPORTS = "import jupyterhub.singleuser, jupyterlab.labapp, nbgitpuller, jupyter_server_terminals"
QUICK_IMPORTS = ("import os, sys; sys.modules['rfc3987_syntax'] = None; "
                 "path, os.environ['PATH'] = os.environ['PATH'], os.path.dirname(sys.executable); "
                 f"import jupyterlab.labapp; os.environ['PATH'] = path; {IMPORTS}")


def timed_process(code: str, rounds: int) -> tuple[float, float]:
    """Median (wall, CPU incl. children) seconds of ``python -c code``."""
    walls, cpus = [], []
    for _ in range(rounds):
        before = os.times()
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
        after = os.times()
        cpus.append(after.children_user - before.children_user
                    + after.children_system - before.children_system)
    return statistics.median(walls), statistics.median(cpus)


def server_cpu(pid: int) -> float:
    """CPU seconds a learner's server has used so far, with its finished children (node)."""
    import psutil

    times = psutil.Process(pid).cpu_times()
    return times.user + times.system + times.children_user + times.children_system


def in_parallel(function, items):
    with ThreadPoolExecutor(max_workers=min(len(items), 32)) as pool:
        return dict(zip(items, pool.map(function, items)))


def work(learner, lesson_url: str) -> tuple[float, float, str]:
    """What a learner does once their server is ready: pull the lesson, open a kernel, run the
    lab cell. Returns when the pull and the cell ended, and what the cell printed."""
    events = learner.pull(lesson_url, TARGET_FOLDER, timeout=WAIT)
    if events[-1] != {"phase": "finished"}:
        raise RuntimeError(f"nbgitpuller for {learner.name}: {events[-3:]}")
    pulled = time.monotonic()
    kernel = learner.kernel(learner.start_kernel(timeout=WAIT), timeout=WAIT)
    try:
        printed = kernel.execute(CELL, timeout=WAIT)
    finally:
        kernel.close()
    if printed.split()[1:] != ["535", "250"]:
        raise RuntimeError(f"the lab cell of {learner.name} printed {printed!r}")
    return pulled, time.monotonic(), printed


def run(count: int, quick: bool, lesson_url: str, memory: bool) -> dict:
    """A fresh hub, ``count`` learners; every timing (and the memory) of that run."""
    hub = hub_support.Hub(quick_start=quick)
    result: dict = {}
    try:
        hub.start()
        names = hub.account_names(count, "b")
        learners = hub.create_learners(names)
        sent = hub.start_servers(names)
        ready = hub.wait_ready(names, timeout=WAIT)
        first = min(sent.values())
        result["ready_each"] = [ready[name] - sent[name] for name in names]
        result["ready_all"] = max(ready.values()) - first
        result["cpu_at_ready"] = [server_cpu(hub.pid_of(f"server of {name}")) for name in names]
        done = in_parallel(lambda name: work(learners[name], lesson_url), names)
        result["working_all"] = max(end for _, end, _ in done.values()) - first
        result["working_each"] = [done[name][1] - sent[name] for name in names]
        ports = {printed.split()[0] for _, _, printed in done.values()}
        if len(ports) != count:
            raise RuntimeError(f"port collision among the labs: {sorted(ports)}")
        if memory:  # every kernel has its lab running (the cell left it on): measure now
            hub.record_tree()
            result["learner_mib"] = [(hub_support.memory_mib(hub.pid_of(f"server of {name}")),
                                      hub_support.memory_mib(hub.kernel_pids(name)[0])) for name in names]
            result["hub_mib"] = hub_support.memory_mib(hub.process.pid)
            result["proxy_mib"] = hub_support.memory_mib(hub.pid_of("proxy"))
            result["culler_mib"] = hub_support.memory_mib(hub.pid_of("idle-culler"))
        hub.record_tree()
        stop = time.monotonic()
        hub.stop_servers(names)
        result["teardown"] = time.monotonic() - stop
    finally:
        problems = hub.stop()
        processes, listeners = hub.leftovers()
        problems += hub.cleanup()
    if problems or processes or listeners:
        raise SystemExit(f"teardown left something behind: {problems} {processes} {listeners}")
    return result


def median(values) -> float:
    return statistics.median(values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=30, help="size of the class (default 30)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of one learner alone (default 3)")
    parser.add_argument("--no-baseline-class", action="store_true",
                        help="run the class with the quick start only")
    args = parser.parse_args()
    reasons = hub_support.missing()
    if reasons:
        print("skipped: " + "; ".join(reasons))
        return 0
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")

    print("\n1. Where a learner server's start goes: its imports, as separate processes (median of 5)")
    bare = timed_process("pass", 5)
    plain = timed_process(IMPORTS, 5)
    quick = timed_process(QUICK_IMPORTS, 5)
    print(f"   python alone {bare[0]:.2f} s; the server's imports as they are {plain[0]:.2f} s "
          f"(CPU {plain[1]:.2f} s); with the quick start's cuts {quick[0]:.2f} s (CPU {quick[1]:.2f} s)")

    lessons = hub_support.new_run_folder()
    hub_support.make_lesson_repo(lessons / "smtplesson")
    server = hub_support.LessonServer(lessons).start()
    try:
        print(f"\n2. One learner alone ({args.rounds} rounds, baseline and quick start alternating)")
        ones: dict[bool, list[dict]] = {False: [], True: []}
        for _ in range(args.rounds):
            for mode in (False, True):
                ones[mode].append(run(1, mode, server.url("smtplesson"), memory=False))
        for mode, label in ((False, "baseline (Jupyter's own start)"), (True, "quick start")):
            runs = ones[mode]
            print(f"   {label:32s} ready {median(r['ready_all'] for r in runs):.2f} s "
                  f"(CPU {median(r['cpu_at_ready'][0] for r in runs):.2f} s), working "
                  f"{median(r['working_all'] for r in runs):.2f} s; rounds: "
                  + ", ".join(f"{r['ready_all']:.2f}" for r in runs))
        one_base = median(r["ready_all"] for r in ones[False])
        one_quick = median(r["ready_all"] for r in ones[True])
        one_ratio = one_quick / one_base
        print(f"   -> one learner ready: {one_quick:.2f} s vs baseline {one_base:.2f} s, ratio "
              f"{one_ratio:.2f} (target <= {RATIO_TARGET}); {one_quick:.2f} s against the 2.5 s "
              f"target: {'ok' if one_quick <= ONE_TARGET else 'OVER TARGET'}")

        print(f"\n3. A class of {args.learners}, all at once")
        modes = (True,) if args.no_baseline_class else (False, True)
        classes = {mode: run(args.learners, mode, server.url("smtplesson"), memory=mode)
                   for mode in modes}
    finally:
        server.stop()
        shutil.rmtree(lessons, ignore_errors=True)
    for mode in modes:
        result = classes[mode]
        label = "quick start" if mode else "baseline"
        print(f"   {label:11s}: all {args.learners} ready {result['ready_all']:.1f} s (each: median "
              f"{median(result['ready_each']):.1f} s, first {min(result['ready_each']):.1f} s); all "
              f"working (lesson pulled, lab cell run) {result['working_all']:.1f} s; teardown "
              f"{result['teardown']:.1f} s; server CPU to ready: median "
              f"{median(result['cpu_at_ready']):.2f} s")
    quick_class = classes[True]["ready_all"]
    print(f"   -> {args.learners} learners ready in {quick_class:.1f} s "
          f"(target <= {CLASS_TARGET:.0f} s for 30): "
          f"{'ok' if quick_class <= CLASS_TARGET else 'OVER TARGET'}"
          + (f"; baseline {classes[False]['ready_all']:.1f} s, ratio "
             f"{quick_class / classes[False]['ready_all']:.2f}" if False in classes else ""))

    last = classes[True]
    print(f"\n4. Memory while all {args.learners} labs run (quick start), MiB")
    for index, kind in enumerate(("RSS", "USS")):
        servers = [server[index] for server, _ in last["learner_mib"]]
        kernels = [kernel[index] for _, kernel in last["learner_mib"]]
        per_learner = [s + k for s, k in zip(servers, kernels)]
        hub, proxy, culler = (last[key][index] for key in ("hub_mib", "proxy_mib", "culler_mib"))
        print(f"   {kind}: per learner {median(per_learner):.0f} (server {median(servers):.0f} + "
              f"kernel {median(kernels):.0f}; range {min(per_learner):.1f}-{max(per_learner):.1f}); "
              f"hub {hub:.0f}, proxy {proxy:.0f}, culler {culler:.0f}; the class of "
              f"{args.learners}: {hub + proxy + culler + sum(per_learner):.0f}")
    return 0 if one_ratio <= RATIO_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
