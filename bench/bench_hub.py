"""A real JupyterHub on loopback: time to five learners ready, and memory per learner.

Each round starts two fresh hubs, one after the other, with the same settings as
tests/test_hub.py (it uses the same support code): one hub for a single learner (the same-run
baseline), one for five learners started at once. The time is from starting the hub
process to the last learner's server being ready. With five learners, each then starts a kernel,
runs the first code cell of notebook 02 (its imports and a running lab) and the live lab (535,
then 250), and the memory of each process is read while all five labs run: RSS (all resident
memory, shared libraries included) and USS (what only that process uses: what one more learner
costs). Rounds alternate one/five so drift hits both alike; the medians are printed.

    python bench/bench_hub.py [--rounds N]

Target: five at once take at most 5x one learner (no worse than one after another).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import hub_support  # noqa: E402

NOTEBOOK = hub_support.ROOT / "notebooks" / "02-a-whole-conversation.ipynb"
SETUP_CELL = next("".join(cell["source"]) for cell in json.loads(NOTEBOOK.read_text())["cells"]
                  if cell["cell_type"] == "code")
LAB = """
print(lab.port, send_mail(lab, "alice", "wrong").code, send_mail(lab, "alice", "wonderland").code)
"""
TARGET = 5.0


def one_round(folder: Path, count: int, measure_memory: bool) -> dict:
    """Start a hub and ``count`` learners; return the timings (and memory) of that run."""
    names = [f"learner{number}" for number in range(1, count + 1)]
    hub = hub_support.Hub(folder / "state")
    result: dict = {}
    start = time.monotonic()
    try:
        hub.start()
        result["hub_up"] = time.monotonic() - start
        learners = hub.create_learners(names)
        hub.start_servers(names)
        ready = hub.wait_ready(names)
        result["ready"] = max(ready.values()) - start
        if measure_memory:
            with ThreadPoolExecutor(max_workers=count) as pool:
                kernels = dict(zip(names, pool.map(lambda n: learners[n].start_kernel(), names)))
                sockets = dict(zip(names, pool.map(lambda n: learners[n].kernel(kernels[n]), names)))
                printed = dict(zip(names, pool.map(
                    lambda n: sockets[n].execute(SETUP_CELL + "\n" + LAB), names)))
            hub.record_tree()
            for name in names:
                assert printed[name].split()[1:] == ["535", "250"], printed[name]
            result["learner_mib"] = {}
            for name in names:
                [kernel] = hub.kernel_pids(name)
                result["learner_mib"][name] = (hub_support.memory_mib(hub.pid_of(f"server of {name}")),
                                               hub_support.memory_mib(kernel))
            result["hub_mib"] = hub_support.memory_mib(hub.process.pid)
            result["proxy_mib"] = hub_support.memory_mib(hub.pid_of("proxy"))
            ports = {printed[name].split()[0] for name in names}
            assert len(ports) == count, f"port collision: {printed}"
            for socket in sockets.values():
                socket.close()
        hub.record_tree()
        stop = time.monotonic()
        hub.stop_servers(names)
        result["teardown"] = time.monotonic() - stop
    finally:
        problems = hub.stop()
        processes, listeners = hub.leftovers()
        hub.kill_leftovers()
    if problems or processes or listeners:
        raise SystemExit(f"teardown left something behind: {problems} {processes} {listeners}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="rounds of one + five (default 2)")
    args = parser.parse_args()
    reasons = hub_support.missing()
    if reasons:
        print("skipped: " + "; ".join(reasons))
        return 0
    ones, fives = [], []
    with tempfile.TemporaryDirectory(prefix="smtplesson-bench-hub-") as folder:
        for number in range(args.rounds):
            ones.append(one_round(Path(folder) / f"one-{number}", 1, measure_memory=False))
            fives.append(one_round(Path(folder) / f"five-{number}", 5, measure_memory=True))

    def median(runs, key):
        return statistics.median(run[key] for run in runs)

    one, five = median(ones, "ready"), median(fives, "ready")
    hub_up = median(ones + fives, "hub_up")
    ratio = five / one
    print(f"hub start -> learners ready (median of {args.rounds}): five at once {five:.1f} s, "
          f"one {one:.1f} s (baseline, same run) -> ratio {ratio:.2f} (target <= {TARGET}) "
          f"{'ok' if ratio <= TARGET else 'OVER TARGET'}")
    print(f"  of which the hub itself: {hub_up:.1f} s to answer; "
          f"servers alone: five {five - hub_up:.1f} s vs one {one - hub_up:.1f} s "
          f"-> ratio {(five - hub_up) / (one - hub_up):.2f}")
    print(f"  teardown (DELETE five servers, until the hub says they are gone): "
          f"{median(fives, 'teardown'):.1f} s")
    last = fives[-1]
    for index, kind in enumerate(("RSS", "USS")):
        servers = [server[index] for server, _ in last["learner_mib"].values()]
        kernels = [kernel[index] for _, kernel in last["learner_mib"].values()]
        per_learner = [s + k for s, k in zip(servers, kernels)]
        hub, proxy = last["hub_mib"][index], last["proxy_mib"][index]
        print(f"memory ({kind}) per learner in notebook 02, lab running: "
              f"{statistics.median(per_learner):.0f} MiB (server {statistics.median(servers):.0f} "
              f"+ kernel {statistics.median(kernels):.0f}; range {min(per_learner):.0f}-"
              f"{max(per_learner):.0f} over 5 learners); hub {hub:.0f}, proxy {proxy:.0f}; "
              f"class of five {hub + proxy + sum(per_learner):.0f} MiB")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
