"""read_log + auth_failures on a 1,000,000-line mail log, against fail2ban-regex and pflogsumm.

All three read the same generated file (bench's temp folder), as whole processes, interleaved
(median of ROUNDS). Targets: at most 1/5 of fail2ban-regex's time, no slower than pflogsumm, peak
memory at most twice the file's size. Peak memory is each process's maximum resident set size
(from wait4); for ours it is also given above what Python, pandas and pyarrow take once imported.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _timing import PYTHON, report

from smtplesson.logs.sample import write_sample

LINES, ROUNDS = 1_000_000, 3
OURS = """
import json, resource, sys, time
import psutil
from smtplesson.logs import auth_failures, event_totals, read_log
imported = psutil.Process().memory_info().rss
start = time.perf_counter()
frame = read_log(sys.argv[1])
failures = auth_failures(frame)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "imported": imported, "rows": len(frame),
                  "failures": int(failures["failures"].sum()), "addresses": len(failures),
                  "totals": event_totals(frame),
                  "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def run(command: list[str]) -> tuple[float, int, str]:
    """Wall time, peak resident memory (bytes) and standard output of one run of ``command``."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stdout.close()
    if process.returncode != 0:
        raise SystemExit(f"{command[0]} failed with exit status {process.returncode}")
    return time.perf_counter() - start, usage.ru_maxrss * 1024, out


def main() -> None:
    tools = {name: shutil.which(name) for name in ("fail2ban-regex", "pflogsumm")}
    if not all(tools.values()):
        missing = ", ".join(name for name, path in tools.items() if not path)
        raise SystemExit(f"bench_logs needs {missing} (apt-get install fail2ban pflogsumm)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mail.log"
        started = time.perf_counter()
        write_sample(path, lines=LINES)
        size = path.stat().st_size
        print(f"generated {LINES:,} lines, {size / 1e6:.0f} MB, in {time.perf_counter() - started:.0f} s")
        commands = {
            "smtplesson": [PYTHON, "-c", OURS, str(path)],
            "fail2ban-regex": [tools["fail2ban-regex"], str(path), "postfix[mode=auth]"],
            "pflogsumm": [tools["pflogsumm"], str(path)],
        }
        times = {name: [] for name in commands}
        peaks = {name: 0 for name in commands}
        outputs = {}
        for _ in range(ROUNDS):
            for name, command in commands.items():
                seconds, peak, outputs[name] = run(command)
                times[name].append(seconds)
                peaks[name] = max(peaks[name], peak)
    median = {name: statistics.median(values) for name, values in times.items()}
    ours = json.loads(outputs["smtplesson"])
    matched = int(re.search(r"(\d+) matched", outputs["fail2ban-regex"]).group(1))
    print(f"read_log + auth_failures inside the process: {ours['seconds']:.2f} s for {ours['rows']:,} rows; "
          f"{ours['failures']:,} refused logins from {ours['addresses']} addresses "
          f"(fail2ban-regex matched {matched:,})")
    said = {name: int(re.search(pattern, outputs["pflogsumm"]).group(1)) for name, pattern in (
        ("sent", r"(\d+)\s+delivered"), ("bounced", r"(\d+)\s+bounced"),
        ("deferred", r"\((\d+)\s+deferrals\)"), ("reject", r"(\d+)\s+rejected"))}
    ours_totals = {name: ours["totals"][name] for name in said}
    print(f"totals: ours {ours_totals}, pflogsumm {said} -> {'equal' if ours_totals == said else 'DIFFERENT'}")
    report("time vs fail2ban-regex", median["smtplesson"], median["fail2ban-regex"], 0.2)
    report("time vs pflogsumm", median["smtplesson"], median["pflogsumm"], 1.0)
    for name in commands:
        print(f"peak memory {name}: {peaks[name] / 1e6:.0f} MB")
    above = ours["peak"] - ours["imported"]
    for title, value in (("peak memory (whole process)", peaks["smtplesson"]),
                         ("peak memory above the imports", above)):
        ratio = value / size
        print(f"{title}: {value / 1e6:.0f} MB vs file {size / 1e6:.0f} MB -> ratio {ratio:.2f} "
              f"(target <= 2.0) {'ok' if ratio <= 2.0 else 'OVER TARGET'}")
    print(f"(python, pandas and pyarrow imported: {ours['imported'] / 1e6:.0f} MB before the first line)")


if __name__ == "__main__":
    sys.exit(main())
