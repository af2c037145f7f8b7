"""The lab's costs, each as a ratio against a baseline measured in the same run.

1. A failing session through send_mail against bare smtplib on a bare aiosmtpd Controller. Both do
   the same on the wire: connect, EHLO, AUTH PLAIN -> 535, AUTH LOGIN -> 535, QUIT (target <= 1.15).
2. The owner-only check: connect, greeting, QUIT to a lab with the check against one without it
   (target <= 1.10), plus the cost of one look-up on its own, by netlink and by /proc/net/tcp.
3. The event log: memory of a full log (EVENT_CAP events) against the docstring's promise, and
   the cost of recording one event against making one LabEvent (the work deferred to a read).
4. Implicit TLS against STARTTLS for one good session (information: one round trip fewer).
Also: median start+stop time of a lab. Wall-time medians swing when other work shares the
machine, so the session lines also give CPU time (client and in-process servers together).
"""

import dataclasses
import smtplib
import socket
import statistics
import time
import tracemalloc

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from smtplesson import lab_owner
from smtplesson.lab import LabServer, send_mail
from smtplesson.lab_events import EVENT_CAP, EventLog

ROUNDS = 300


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Sink:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"


def interleaved(first, second, rounds=ROUNDS, warm_up=20):
    """Median wall seconds of each callable, run alternately so drift hits both alike.

    Also keeps the process's CPU seconds per call (client and in-process servers together) in
    ``interleaved.cpu``: on a machine shared with other work, CPU time shows the cost itself."""
    for _ in range(warm_up):
        first(), second()
    a, b, cpu_a, cpu_b = [], [], 0.0, 0.0
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        first()
        middle, middle_cpu = time.perf_counter(), time.process_time()
        second()
        b.append(time.perf_counter() - middle)
        a.append(middle - start)
        cpu_a += middle_cpu - start_cpu
        cpu_b += time.process_time() - middle_cpu
    interleaved.cpu = (cpu_a / rounds, cpu_b / rounds)
    return statistics.median(a), statistics.median(b)


def report(title, measured, baseline, target=None, unit="ms", scale=1000, cpu=None):
    def verdict(ratio):
        return "" if target is None else (
            f" (target <= {target}) {'ok' if ratio <= target else 'OVER TARGET'}")
    print(f"{title}: {measured * scale:.3f} {unit} vs {baseline * scale:.3f} {unit} "
          f"-> ratio {measured / baseline:.2f}{verdict(measured / baseline)}")
    if cpu is not None:
        print(f"    the same in CPU time: {cpu[0] * scale:.3f} {unit} vs {cpu[1] * scale:.3f} {unit} "
              f"-> ratio {cpu[0] / cpu[1]:.2f}{verdict(cpu[0] / cpu[1])}")


# 1. a failing session ----------------------------------------------------------------------------

bare = Controller(Sink(), hostname="127.0.0.1", port=free_port(), auth_require_tls=False,
                  authenticator=lambda *args: AuthResult(success=False, handled=False))
bare.start()
lab = LabServer().start()


def bare_session():
    client = smtplib.SMTP(bare.hostname, bare.port, timeout=10)
    try:
        client.ehlo()
        client.login("alice", "wrong")
    except smtplib.SMTPAuthenticationError as error:
        assert error.smtp_code == 535
    finally:
        client.quit()


def lab_session():
    assert send_mail(lab, "alice", "wrong").code == 535


ours, base = interleaved(lab_session, bare_session)
bare.stop()
report("failing session: send_mail vs bare smtplib + aiosmtpd", ours, base, target=1.15,
       cpu=interleaved.cpu)
lab.stop()

# 2. the owner-only check -------------------------------------------------------------------------

checked, unchecked = LabServer().start(), LabServer(owner_only=False).start()
assert checked._controller._lab_extras["owner_uid"] is not None, "the check is not active here"


def greet_and_quit(server):
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        lines = sock.makefile("rb")
        assert lines.readline().startswith(b"220 ")
        sock.sendall(b"QUIT\r\n")
        assert lines.readline().startswith(b"221 ")


with_check, without = interleaved(lambda: greet_and_quit(checked), lambda: greet_and_quit(unchecked))
report("connection, greeting, QUIT: owner_only=True vs False", with_check, without, target=1.10,
       cpu=interleaved.cpu)

with socket.create_connection((checked.host, checked.port), timeout=10) as held:
    client, server = held.getsockname(), (checked.host, checked.port)
    rows = sum(len(open(path, "rb").read().splitlines()) - 1 for path in lab_owner.TABLES.values())
    for name, look_up in [("sock_diag netlink (used)", lab_owner.peer_uid),
                          ("/proc/net/tcp{,6} (fallback)", lab_owner.table_uid)]:
        times = []
        for _ in range(500):
            start = time.perf_counter()
            assert look_up(client, server) is not None
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        print(f"one peer-uid look-up by {name}: median {median * 1e6:.1f} µs with {rows} sockets "
              f"on the machine ({median / without * 100:.1f}% of a greeting+QUIT session)")
checked.stop()
unchecked.stop()

# 3. the event log's memory -----------------------------------------------------------------------

with LabServer() as lab:
    send_mail(lab, "alice", "wrong")
    time.sleep(0.2)
    sample = lab.events  # real events: connect, auth_failed x2, disconnect
tracemalloc.start()
before = tracemalloc.get_traced_memory()[0]
log = EventLog()
log.active = True
peer = ("127.0.0.1", 54321)
for number in range(EVENT_CAP):
    event = sample[number % len(sample)]
    log.add(number, (peer[0], peer[1] + number % 1000), event.kind, command=event.command,
            mechanism=event.mechanism, username=f"{event.username}{number}", code=event.code,
            enhanced=event.enhanced, text=f"{event.text} {number}")
recorded = tracemalloc.get_traced_memory()[0] - before
start = time.perf_counter()
events = log.snapshot()
first_read = time.perf_counter() - start
start = time.perf_counter()
log.snapshot()
next_read = time.perf_counter() - start
read = tracemalloc.get_traced_memory()[0] - before
tracemalloc.stop()
print(f"event log at its cap ({EVENT_CAP:,} events): {recorded / 2**20:.1f} MiB as recorded, "
      f"{read / 2**20:.1f} MiB once read (the docstring promises about 4 MiB at most) "
      f"{'ok' if max(recorded, read) <= 4.5 * 2**20 else 'OVER PROMISE'}; "
      f"reading them all: {first_read * 1000:.0f} ms the first time, {next_read * 1000:.1f} ms after")
del events

log = EventLog()
log.active = True
event = sample[1]
args = (1, peer, event.kind)
fields = dict(command=event.command, mechanism=event.mechanism, username=event.username,
              code=event.code, enhanced=event.enhanced, text=event.text)
recording, making = interleaved(lambda: log.add(*args, **fields),
                                lambda: dataclasses.replace(event), rounds=20000, warm_up=100)
report("recording one event vs making one frozen LabEvent", recording, making, unit="µs", scale=1e6)

# 4. implicit TLS against STARTTLS ----------------------------------------------------------------

with LabServer(implicit_tls=True) as tls_lab, LabServer() as plain_lab:
    implicit, starttls = interleaved(
        lambda: send_mail(tls_lab, "alice", "wonderland", implicit_tls=True),
        lambda: send_mail(plain_lab, "alice", "wonderland", starttls=True), rounds=100, warm_up=5)
report("good session: implicit TLS (SMTP_SSL) vs STARTTLS", implicit, starttls, cpu=interleaved.cpu)

cycles = []
for _ in range(30):
    start = time.perf_counter()
    LabServer().start().stop()
    cycles.append(time.perf_counter() - start)
print(f"lab start+stop: median {statistics.median(cycles) * 1000:.1f} ms over {len(cycles)} labs")
