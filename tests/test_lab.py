"""The live lab against real sockets: aiosmtpd on loopback, smtplib and swaks as clients."""

import base64
import dataclasses
import datetime
import gc
import json
import os
import pwd
import select
import signal
import smtplib
import socket
import ssl
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from smtplesson import LabError, SmtpLessonError, get_language, parse_transcript
from smtplesson.lab import LabServer, client_tls, dialogue, live_labs, send_mail
from smtplesson import lab_owner
from smtplesson.lab_events import EVENT_CAP, EventLog, LabEvent
from smtplesson.lab_tls import SERVER_NAME
from conftest import IN_CI, require_tool


@pytest.fixture
def lab():
    with LabServer() as server:
        yield server


def server_lines(outcome):
    return [line.text for line in outcome.transcript.lines if line.side == "S"]


def test_four_lines_start_fail_read_535():
    lab = LabServer().start()
    outcome = send_mail(lab, "alice", "not-the-password")
    assert "S: 535 5.7.8 Authentication credentials invalid" in str(outcome.transcript)
    lab.stop()


def test_wrong_password_is_535_twice_on_the_wire(lab):
    outcome = send_mail(lab, "alice", "wrong")
    assert not outcome.ok
    assert outcome.code == 535 and outcome.enhanced == "5.7.8"
    assert isinstance(outcome.error, smtplib.SMTPAuthenticationError)
    assert outcome.error.smtp_code == 535
    # smtplib's login() tries PLAIN, then LOGIN: one call, two refusals
    assert server_lines(outcome).count("535 5.7.8 Authentication credentials invalid") == 2
    commands = [e.command.split()[:2] for e in outcome.transcript.exchanges if e.verb == "AUTH"]
    assert ["AUTH", "PLAIN"] in commands and ["AUTH", "LOGIN"] in commands
    assert outcome.transcript.auth_outcome == "failure"
    assert outcome.transcript.exchanges[-1].reply.code == 221  # the client still says QUIT
    assert lab.messages == []


def test_right_password_is_235_then_250_and_the_message_is_kept(lab):
    outcome = send_mail(lab, "alice", "wonderland", recipients=["bob@lab.example", "carol@lab.example"])
    assert outcome.ok and outcome.code == 250 and outcome.error is None
    verbs = [(e.verb, e.reply.code) for e in outcome.transcript.exchanges]
    assert verbs == [("(connection)", 220), ("EHLO", 250), ("AUTH", 235), ("MAIL", 250),
                     ("RCPT", 250), ("RCPT", 250), ("DATA", 354), ("(end of data)", 250),
                     ("QUIT", 221)]
    assert outcome.transcript.auth_outcome == "success"
    [message] = lab.messages
    assert message.sender == "alice@lab.example"
    assert message.recipients == ("bob@lab.example", "carol@lab.example")
    assert "Hello from the lab" in message.content


def test_base64_is_shown_decoded_beside_the_raw_line(lab):
    outcome = send_mail(lab, "alice", "wrong")
    notes = [note for side, text, note in outcome.transcript.annotated() if text.startswith("AUTH PLAIN")]
    assert notes == ["base64 → \\0alice\\0wrong"]
    assert "base64 → \\0alice\\0wrong" in outcome._repr_html_()


def test_transcripts_are_deterministic(lab):
    first = str(send_mail(lab, "alice", "wrong").transcript)
    with LabServer() as other:
        assert str(send_mail(other, "alice", "wrong").transcript) == first
    assert str(lab.port) not in first


def test_transcript_round_trips_through_the_parser(lab):
    outcome = send_mail(lab, "alice", "wonderland")
    again = parse_transcript(str(outcome.transcript))
    assert [r.code for r in again.replies] == [r.code for r in outcome.transcript.replies]


def test_require_tls_auth_after_starttls_only():
    with LabServer(require_tls=True) as lab:
        assert send_mail(lab, "alice", "wonderland", starttls=True).code == 250
        refused = send_mail(lab, "alice", "wrong", starttls=True)
        assert refused.code == 535
        # smtplib itself refuses to try: AUTH is not offered before STARTTLS
        plain = send_mail(lab, "alice", "wonderland")
        assert plain.code is None and isinstance(plain.error, smtplib.SMTPNotSupportedError)
        assert "STARTTLS" in plain.message
        assert not any(line.text.upper().startswith("AUTH") for line in plain.transcript.lines)
        # by hand, AUTH before STARTTLS gets aiosmtpd's 538
        by_hand = dialogue(lab, ["EHLO learner.example", "AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=", "QUIT"])
        assert by_hand.exchanges[2].reply.code == 538
        assert by_hand.exchanges[2].reply.enhanced == "5.7.11"
        ehlo = by_hand.exchanges[1].reply.lines
        assert "STARTTLS" in ehlo and not any(line.startswith("AUTH") for line in ehlo)


def test_dialogue_switches_to_tls_after_220():
    with LabServer(require_tls=True) as lab:
        transcript = dialogue(lab, ["EHLO me", "STARTTLS", "EHLO me", "AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=", "QUIT"])
        codes = [r.code for r in transcript.replies]
        assert codes == [220, 250, 220, 250, 235, 221]
        assert "AUTH LOGIN PLAIN" in transcript.replies[3].lines


def test_require_auth_gives_530_before_login():
    with LabServer(require_auth=True) as lab:
        anonymous = send_mail(lab, None, None)
        assert anonymous.code == 530 and anonymous.enhanced == "5.7.0"
        assert isinstance(anonymous.error, smtplib.SMTPSenderRefused)
        assert send_mail(lab, "alice", "wonderland").code == 250


def test_auth_by_hand_plain_login_and_cancel(lab):
    transcript = dialogue(lab, [
        "EHLO me", "AUTH PLAIN", "AGFsaWNlAHdyb25n",                  # 334 then 535
        "AUTH LOGIN", "YWxpY2U=", "*",                                 # cancel: 501
        "AUTH LOGIN", "YWxpY2U=", "d29uZGVybGFuZA==",                  # 235
        "QUIT"])
    assert [r.code for r in transcript.replies] == [220, 250, 334, 535, 334, 334, 501, 334, 334, 235, 221]
    assert transcript.auth_outcome == "success"


def test_dialogue_message_text_after_354(lab):
    transcript = dialogue(lab, ["EHLO me", "MAIL FROM:<a@lab.example>", "RCPT TO:<b@lab.example>",
                                "DATA", "Subject: by hand", "", "hello", ".", "QUIT"])
    assert [r.code for r in transcript.replies] == [220, 250, 250, 250, 354, 250, 221]
    assert "Subject: by hand" in lab.messages[0].content


def test_lifecycle_is_idempotent_and_frees_the_port():
    lab = LabServer()
    assert not lab.running and "stopped" in repr(lab)
    assert lab.start() is lab and lab.start() is lab
    port = lab.port
    assert port > 0 and lab.host == "127.0.0.1" and lab in live_labs()
    lab.stop()
    lab.stop()
    assert not lab.running and lab not in live_labs()
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))  # free again
    with pytest.raises(LabError, match="not running"):
        send_mail(lab, "alice", "wonderland")


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.com", "localhost"])
def test_refuses_anything_but_loopback(host):
    with pytest.raises(LabError) as caught:
        LabServer(host=host)
    assert caught.value.rule == "loopback-only"


def test_busy_port_fails_at_bind_without_starting_a_thread():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        busy = holder.getsockname()[1]
        threads = threading.active_count()
        with pytest.raises(LabError) as caught:
            LabServer(port=busy).start()
        assert caught.value.rule == "port-in-use" and str(busy) in str(caught.value)
        assert threading.active_count() == threads


@pytest.mark.parametrize("field", ["user", "password", "sender", "recipients", "body"])
def test_non_string_input_is_a_clear_error(lab, field):
    values = {"user": "alice", "password": "wonderland", "sender": "a@lab.example",
              "recipients": ["b@lab.example"], "body": "hi"}
    values[field] = 42 if field != "recipients" else [42]
    with pytest.raises(LabError) as caught:
        send_mail(lab, values.pop("user"), values.pop("password"), **values)
    assert caught.value.rule == "text-input"


def test_empty_credentials_get_a_real_535(lab):
    assert send_mail(lab, "", "").code == 535
    assert send_mail(lab, "alice", "").code == 535


def test_huge_user_name_gets_a_real_refusal_and_the_lab_serves_on(lab):
    huge = send_mail(lab, "a" * 1_000_000, "x")
    assert huge.code == 500 and "line too long" in str(huge.transcript).lower()
    assert max(len(line.text) for line in huge.transcript.lines) < 1000  # shortened for display
    assert send_mail(lab, "alice", "wonderland").ok


def test_huge_recipient_and_sender(lab):
    assert send_mail(lab, "alice", "wonderland", recipients=["b" * 1_000_000 + "@lab.example"]).code == 500
    assert send_mail(lab, "alice", "wonderland", sender="s" * 1_000_000 + "@x").code == 500
    assert send_mail(lab, "alice", "wonderland").ok


def test_non_ascii_password_is_explained_not_crashed(lab):
    outcome = send_mail(lab, "alice", "wünderland")
    assert outcome.code is None and not outcome.ok
    assert "ASCII" in outcome.message and "ü" in outcome.message
    assert send_mail(lab, "alice", "wonderland").ok


def test_non_ascii_addresses_use_smtputf8(lab):
    outcome = send_mail(lab, "alice", "wonderland", recipients=["बॉब@lab.example"], body="नमस्ते")
    assert outcome.ok, outcome.message
    assert "SMTPUTF8" in str(outcome.transcript)
    assert lab.messages[-1].recipients == ("बॉब@lab.example",)


def test_dialogue_input_rules(lab):
    with pytest.raises(LabError):
        dialogue(lab, ["EHLO me\r\nQUIT"])
    with pytest.raises(LabError):
        dialogue(lab, [b"EHLO"])
    junk = dialogue(lab, ["EHLO me", "MAIL FROM:<ü@x>", "\x01\x02", "QUIT"])
    assert junk.replies[-1].code == 221  # refusals are shown; the session goes on


def test_no_deprecation_noise_reaches_the_output(lab, capfd):
    send_mail(lab, "alice", "wonderland")
    with LabServer(require_auth=True) as strict:
        send_mail(strict, "alice", "wonderland")
    out, err = capfd.readouterr()
    assert "login_data" not in out + err and "Requiring AUTH" not in out + err


def test_thirty_labs_at_once_leave_nothing_behind():
    fds_before = len(os.listdir("/proc/self/fd"))
    threads_before = threading.active_count()
    labs = [LabServer().start() for _ in range(30)]
    try:
        assert len({lab.port for lab in labs}) == 30
        with ThreadPoolExecutor(max_workers=30) as pool:
            outcomes = list(pool.map(lambda lab: send_mail(lab, "alice", "wonderland"), labs))
        assert all(outcome.ok for outcome in outcomes)
        assert all(len(lab.messages) == 1 for lab in labs)
    finally:
        for lab in labs:
            lab.stop()
    assert threading.active_count() == threads_before
    assert len(os.listdir("/proc/self/fd")) == fds_before


def test_rerunning_a_notebook_cell_stops_the_old_lab():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        cell = "from smtplesson.lab import LabServer\nlab = LabServer().start()\nlabs = [LabServer().start()]"
        shell.run_cell(cell, store_history=True)
        first, first_extra = shell.user_ns["lab"], shell.user_ns["labs"][0]
        assert first.running and first_extra.running  # two labs from one run both live
        shell.run_cell(cell, store_history=True)
        assert not first.running and not first_extra.running
        assert shell.user_ns["lab"].running
        shell.run_cell("other = LabServer().start()", store_history=True)
        assert shell.user_ns["lab"].running  # a different cell leaves it alone
    finally:
        for name in ("lab", "other"):
            shell.user_ns[name].stop()
        shell.user_ns["labs"][0].stop()
        InteractiveShell.clear_instance()


def test_labs_stop_at_interpreter_exit():
    program = textwrap.dedent("""
        import atexit
        state = {}
        atexit.register(lambda: print("running at exit:", state["lab"].running))
        from smtplesson.lab import LabServer
        state["lab"] = LabServer().start()
    """)
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "running at exit: False", result.stderr


# --- swaks: a real client that nobody here wrote -------------------------------------------------

def swaks(lab, password):
    path = require_tool("swaks", "a real SMTP client for the lab tests")
    return subprocess.run(
        [path, "--server", lab.host, "--port", str(lab.port), "--auth", "PLAIN",
         "--auth-user", "alice", "--auth-password", password, "--from", "alice@lab.example",
         "--to", "bob@lab.example", "--ehlo", "swaks.example", "--timeout", "10"],
        capture_output=True, text=True, timeout=60)


def test_swaks_wrong_password_gets_535(lab):
    result = swaks(lab, "wrong")
    assert result.returncode != 0
    assert "<** 535 5.7.8 Authentication credentials invalid" in result.stdout
    assert lab.messages == []


def test_swaks_right_password_gets_250_and_the_message_arrives(lab):
    result = swaks(lab, "wonderland")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "<-  235 2.7.0 Authentication successful" in result.stdout
    assert "<-  250 OK: message 1 accepted" in result.stdout
    assert lab.messages[0].recipients == ("bob@lab.example",)


# --- helpers for the new modes -------------------------------------------------------------------

def ehlo_lines(transcript):
    return next(e.reply.lines for e in transcript.exchanges if e.verb == "EHLO")


def open_resources():
    return len(os.listdir("/proc/self/fd")), threading.active_count()


def as_nobody(action, timeout=30.0):
    """Run ``action()`` in a forked child that has become the OS user 'nobody'; return its text."""
    if os.geteuid() != 0:
        if IN_CI:
            pytest.fail("CI runs as root, which these tests need to act as another user")
        pytest.skip("acting as another OS user needs root")
    nobody = pwd.getpwnam("nobody")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop every privilege, act, report, leave without cleanup
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            result = action()
        except BaseException as error:  # noqa: BLE001 - reported to the parent as text
            result = f"child failed: {error!r}"
        os.write(write, result.encode())
        os._exit(0)
    os.close(write)
    try:
        chunks = []
        while select.select([read], [], [], timeout)[0]:
            chunk = os.read(read, 65536)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks).decode()
    finally:
        os.close(read)
        os.kill(pid, signal.SIGKILL) if not os.waitpid(pid, os.WNOHANG)[0] else None
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


def raw_session(host, port, commands):
    """The last line of the greeting and of each reply, over a plain socket (the child's client)."""
    def reply(lines):
        line = lines.readline().decode()
        while line[3:4] == "-":
            line = lines.readline().decode()
        return line.strip()

    with socket.create_connection((host, port), timeout=10) as sock:
        lines = sock.makefile("rb")
        replies = [reply(lines)]
        for command in commands:
            sock.sendall(command.encode() + b"\r\n")
            replies.append(reply(lines))
        replies.append(f"closed: {lines.read() == b''}")
    return "\n".join(replies)


# --- implicit TLS (port 465 style) ---------------------------------------------------------------

def test_implicit_tls_lab_speaks_tls_from_the_first_byte():
    with LabServer(implicit_tls=True) as lab:
        with socket.create_connection((lab.host, lab.port), timeout=10) as raw:
            with client_tls().wrap_socket(raw, server_hostname=SERVER_NAME) as tls:
                assert tls.version().startswith("TLS")
                assert tls.recv(1024).startswith(b"220 ")  # the greeting comes inside TLS


def test_implicit_tls_offers_auth_at_once_and_no_starttls():
    with LabServer(implicit_tls=True) as lab:
        outcome = send_mail(lab, "alice", "wonderland", implicit_tls=True)
        assert outcome.ok and outcome.code == 250, outcome.message
        ehlo = ehlo_lines(outcome.transcript)
        assert "AUTH LOGIN PLAIN" in ehlo and "STARTTLS" not in ehlo
        # AUTH at once: no 538 over a connection that is encrypted from the start (aiosmtpd#281)
        by_hand = dialogue(lab, ["EHLO me", "AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=", "QUIT"],
                           implicit_tls=True)
        assert [r.code for r in by_hand.replies] == [220, 250, 235, 221]
        assert send_mail(lab, "alice", "wrong", implicit_tls=True).code == 535


def test_implicit_tls_with_require_auth_gives_530_then_250(recwarn):
    with LabServer(implicit_tls=True, require_auth=True) as lab:
        assert send_mail(lab, None, None, implicit_tls=True).code == 530
        assert send_mail(lab, "alice", "wonderland", implicit_tls=True).ok
    assert not [w for w in recwarn if "Requiring AUTH" in str(w.message)]


def test_plain_client_to_implicit_tls_lab_ends_within_timeout_with_a_reason(capfd):
    fds, threads = open_resources()
    with LabServer(implicit_tls=True) as lab:
        outcome = send_mail(lab, "alice", "wonderland", timeout=0.5)
        assert outcome.code is None and not outcome.ok
        assert isinstance(outcome.error, smtplib.SMTPServerDisconnected)
        assert outcome.transcript.lines == ()  # not one SMTP line: the server waits for TLS
        assert "\n" not in outcome.message
        assert "220 greeting" in outcome.message and "implicit_tls=True" in outcome.message
        assert "SMTP_SSL" in outcome.message and "465" in outcome.message
        assert send_mail(lab, "alice", "wonderland", implicit_tls=True).ok  # the lab serves on
    assert open_resources() == (fds, threads)
    out, err = capfd.readouterr()
    assert out + err == ""


def test_smtp_ssl_to_plain_lab_fails_the_handshake_with_a_reason(capfd):
    fds, threads = open_resources()
    with LabServer() as lab:
        outcome = send_mail(lab, "alice", "wonderland", implicit_tls=True, timeout=2)
        assert outcome.code is None and not outcome.ok
        assert isinstance(outcome.error, ssl.SSLError)
        assert "WRONG_VERSION_NUMBER" in outcome.message and "\n" not in outcome.message
        assert "implicit_tls=False" in outcome.message and "starttls=True" in outcome.message
        assert send_mail(lab, "alice", "wonderland", starttls=True).ok
    assert open_resources() == (fds, threads)
    out, err = capfd.readouterr()
    assert out + err == ""


def test_dialogue_wrong_tls_mode_is_a_clear_error_not_a_hang():
    with LabServer(implicit_tls=True) as tls_lab, LabServer() as plain_lab:
        with pytest.raises(LabError, match="implicit_tls=True") as plain_to_tls:
            dialogue(tls_lab, ["EHLO me", "QUIT"], timeout=0.5)
        with pytest.raises(LabError, match="WRONG_VERSION_NUMBER") as tls_to_plain:
            dialogue(plain_lab, ["EHLO me", "QUIT"], implicit_tls=True, timeout=2)
    assert plain_to_tls.value.rule == tls_to_plain.value.rule == "tls-mode"


def test_swaks_tls_on_connect_against_implicit_tls_lab():
    path = require_tool("swaks", "a real SMTP client for the lab tests")
    support = subprocess.run([path, "--support"], capture_output=True, text=True, timeout=60)
    if "=== TLS supported" not in support.stdout + support.stderr:
        message = "swaks has no TLS here (Debian: libnet-ssleay-perl); .ci/run installs it"
        pytest.fail(message) if IN_CI else pytest.skip(message)
    with LabServer(implicit_tls=True) as lab:
        result = subprocess.run(
            [path, "--server", lab.host, "--port", str(lab.port), "--tls-on-connect",
             "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "wonderland",
             "--from", "alice@lab.example", "--to", "bob@lab.example", "--timeout", "10"],
            capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "=== TLS started" in result.stdout
        assert "<~  235 2.7.0 Authentication successful" in result.stdout  # ~ marks TLS lines
        assert lab.messages[0].recipients == ("bob@lab.example",)


@pytest.mark.parametrize("call, rule", [
    (lambda: LabServer(implicit_tls=True, require_tls=True), "tls-mode"),
    (lambda: LabServer(implicit_tls="yes"), "flag"),
    (lambda: LabServer(owner_only=None), "flag"),
    (lambda: LabServer(accounts=["alice"]), "accounts"),
])
def test_bad_lab_settings_name_the_rule(call, rule):
    with pytest.raises(LabError) as caught:
        call()
    assert caught.value.rule == rule


@pytest.mark.parametrize("options, rule", [
    ({"starttls": True, "implicit_tls": True}, "tls-mode"),
    ({"implicit_tls": 1}, "flag"),
    ({"timeout": 0}, "timeout"),
    ({"timeout": "10"}, "timeout"),
])
def test_bad_client_settings_name_the_rule(lab, options, rule):
    with pytest.raises(LabError) as caught:
        send_mail(lab, "alice", "wonderland", **options)
    assert caught.value.rule == rule


# --- app passwords (534 5.7.9) -------------------------------------------------------------------

APP_PASSWORD = "abcd efgh ijkl mnop"


def test_app_password_account_regular_password_gets_534_for_each_mechanism():
    with LabServer(app_passwords={"alice": APP_PASSWORD}) as lab:
        outcome = send_mail(lab, "alice", "wonderland")
        assert outcome.code == 534 and outcome.enhanced == "5.7.9" and not outcome.ok
        assert isinstance(outcome.error, smtplib.SMTPAuthenticationError)
        refusals = [line for line in server_lines(outcome) if line.startswith("534")]
        # smtplib's login() tries PLAIN, then LOGIN: the same password, refused the same way twice
        assert len(refusals) == 2
        assert all(line.startswith("534 5.7.9 Application-specific password required")
                   and "Gmail" in line for line in refusals)
        assert "PLAIN, LOGIN" in outcome.message and "app password" in outcome.message
        assert lab.messages == []


def test_app_password_gets_235_and_anything_else_535():
    with LabServer({"alice": "wonderland", "bob": "builder"},
                   app_passwords={"alice": APP_PASSWORD}) as lab:
        right = send_mail(lab, "alice", APP_PASSWORD)
        assert right.ok and ("AUTH", 235) in [(e.verb, e.reply.code) for e in right.transcript.exchanges]
        wrong = send_mail(lab, "alice", "abcdefghijklmnop")  # not the app password as given
        assert wrong.code == 535 and wrong.enhanced == "5.7.8"
        assert send_mail(lab, "bob", "builder").ok  # bob has no app password: his password works


@pytest.mark.parametrize("app_passwords", [
    ["alice"], {"alice": 42}, {"alice": ""}, {"carol": "x"}, {"alice": "wonderland"},
])
def test_bad_app_passwords_name_the_rule(app_passwords):
    with pytest.raises(LabError) as caught:
        LabServer(app_passwords=app_passwords)
    assert caught.value.rule == "app-passwords"


# --- OAuth 2.0 tokens (XOAUTH2) ------------------------------------------------------------------

TOKEN = "ya29.lab-token_1"


def test_xoauth2_is_offered_only_when_tokens_are_given():
    with LabServer() as plain, LabServer(tokens={"alice": TOKEN}) as oauth:
        before = ehlo_lines(dialogue(plain, ["EHLO me", "QUIT"]))
        after = ehlo_lines(dialogue(oauth, ["EHLO me", "QUIT"]))
    assert "AUTH LOGIN PLAIN" in before and not any("XOAUTH2" in line for line in before)
    assert "AUTH LOGIN PLAIN XOAUTH2" in after


def test_good_token_gets_235_then_250():
    with LabServer(tokens={"alice": TOKEN}) as lab:
        outcome = send_mail(lab, "alice", None, token=TOKEN)
        assert outcome.ok, outcome.message
        auth = [e for e in outcome.transcript.exchanges if e.verb == "AUTH"]
        assert len(auth) == 1 and auth[0].command.startswith("AUTH XOAUTH2 ")
        assert str(auth[0].reply).startswith("235 2.7.0")
        sent = base64.b64decode(auth[0].command.split()[2])
        assert sent == f"user=alice\x01auth=Bearer {TOKEN}\x01\x01".encode()  # Google's shape


def test_bad_token_gets_334_json_then_empty_line_then_535():
    with LabServer(tokens={"alice": TOKEN}) as lab:
        outcome = send_mail(lab, "alice", None, token="ya29.expired")
        assert outcome.code == 535 and outcome.enhanced == "5.7.8"
        lines = [(line.side, line.text) for line in outcome.transcript.lines]
        start = next(i for i, (side, text) in enumerate(lines) if text.startswith("AUTH XOAUTH2 "))
        (_, challenge), empty, final = lines[start + 1:start + 4]
        assert challenge.startswith("334 ") and empty == ("C", "")
        assert final == ("S", "535 5.7.8 Authentication credentials invalid")
        error = json.loads(base64.b64decode(challenge[4:]))
        assert error == {"status": "401", "schemes": "Bearer", "scope": "https://mail.lab.example/"}
        notes = dict((text, note) for side, text, note in outcome.transcript.annotated())
        assert json.dumps(error, separators=(",", ":")) in notes[challenge]  # shown decoded
        auth = lines[start][1]
        assert notes[auth] == "base64 → user=alice^Aauth=Bearer ya29.expired^A^A"  # 0x01 as ^A
        assert notes[""] == "(empty line)"  # the client's empty answer is named, not blank
        assert "334" in outcome.message and "empty line" in outcome.message
        assert outcome.transcript.auth_outcome == "failure"


def test_xoauth2_by_hand_two_steps_and_cancel():
    blob = base64.b64encode(f"user=alice\x01auth=Bearer {TOKEN}\x01\x01".encode()).decode()
    with LabServer(tokens={"alice": TOKEN}) as lab:
        cancelled = dialogue(lab, ["EHLO me", "AUTH XOAUTH2 " + base64.b64encode(b"user=alice\x01auth=Bearer x\x01\x01").decode(), "*", "QUIT"])
        assert [r.code for r in cancelled.replies] == [220, 250, 334, 501, 221]
        two_steps = dialogue(lab, ["EHLO me", "AUTH XOAUTH2", blob, "QUIT"])
        assert [r.code for r in two_steps.replies] == [220, 250, 334, 235, 221]


def test_token_against_a_lab_without_tokens_gets_504(lab):
    outcome = send_mail(lab, "alice", None, token=TOKEN)
    assert outcome.code == 504 and outcome.enhanced == "5.5.4"


@pytest.mark.parametrize("tokens", [
    "ya29", {"alice": 42}, {"alice": ""}, {"alice": "has space"}, {"carol": TOKEN},
])
def test_bad_tokens_name_the_rule(tokens):
    with pytest.raises(LabError) as caught:
        LabServer(tokens=tokens)
    assert caught.value.rule == "tokens"


@pytest.mark.parametrize("user, password, token, rule", [
    ("alice", "wonderland", TOKEN, "credentials"),
    (None, None, TOKEN, "credentials"),
    ("alice", None, 42, "text-input"),
])
def test_bad_token_logins_name_the_rule(lab, user, password, token, rule):
    with pytest.raises(LabError) as caught:
        send_mail(lab, user, password, token=token)
    assert caught.value.rule == rule


# --- Outcome.describe ----------------------------------------------------------------------------

def test_describe_says_the_verdict_in_either_language(lab):
    refused = send_mail(lab, "alice", "wrong")
    assert refused.describe(get_language()) == refused.message
    hindi = refused.describe("hi")
    assert hindi != refused.message and "535" in hindi
    assert any("\u0900" <= c <= "\u097f" for c in hindi)  # Devanagari
    assert send_mail(lab, "alice", "wonderland").describe("hi").startswith("संदेश")
    with LabServer(implicit_tls=True) as tls_lab:
        no_code = send_mail(tls_lab, "alice", "wonderland", timeout=0.5)
    assert "implicit_tls=True" in no_code.describe("hi")
    assert no_code.describe(get_language()) == no_code.message
    with pytest.raises(SmtpLessonError) as caught:
        refused.describe("fr")
    assert caught.value.rule == "language"


# --- events ----------------------------------------------------------------------------------------

def wait_for(condition, seconds=5.0):
    """Poll until condition() is true (the server logs a disconnect just after the client leaves)."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


def test_event_fields_are_the_contract():
    names = [f.name for f in dataclasses.fields(LabEvent)]
    assert names == ["time", "session", "client_ip", "client_port", "kind", "command",
                     "mechanism", "username", "code", "enhanced", "text"]
    assert LabEvent.__dataclass_params__.frozen


def test_events_record_a_failed_then_a_good_session(lab):
    send_mail(lab, "alice", "wrong")
    send_mail(lab, "alice", "wonderland")
    assert wait_for(lambda: [e.kind for e in lab.events].count("disconnect") == 2)
    events = lab.events
    assert [(e.session, e.kind) for e in events] == [
        (1, "connect"), (1, "auth_failed"), (1, "auth_failed"), (1, "disconnect"),
        (2, "connect"), (2, "auth_ok"), (2, "queued"), (2, "disconnect")]
    failed = [e for e in events if e.kind == "auth_failed"]
    assert [(e.command, e.mechanism, e.username, e.code, e.enhanced) for e in failed] == [
        ("AUTH", "PLAIN", "alice", 535, "5.7.8"), ("AUTH", "LOGIN", "alice", 535, "5.7.8")]
    assert failed[0].text == "Authentication credentials invalid"
    queued = next(e for e in events if e.kind == "queued")
    assert (queued.command, queued.code) == ("DATA", 250) and "message 1 accepted" in queued.text
    for session in (1, 2):
        ports = {(e.client_ip, e.client_port) for e in events if e.session == session}
        assert len(ports) == 1 and ports.pop()[0] == "127.0.0.1"
    times = [e.time for e in events]
    assert all(t.tzinfo is not None for t in times) and times == sorted(times)
    assert abs(times[-1] - datetime.datetime.now(datetime.timezone.utc)).total_seconds() < 60
    with pytest.raises(dataclasses.FrozenInstanceError):
        events[0].kind = "queued"


def test_events_record_rejects_with_their_command():
    with LabServer(require_auth=True) as auth_lab, LabServer(require_tls=True) as tls_lab:
        send_mail(auth_lab, None, None)
        dialogue(tls_lab, ["EHLO me", "AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=", "QUIT"])
        [mail] = [e for e in auth_lab.events if e.kind == "reject"]
        [auth] = [e for e in tls_lab.events if e.kind == "reject"]
    assert (mail.command, mail.code, mail.enhanced, mail.text) == (
        "MAIL", 530, "5.7.0", "Authentication required")
    assert (auth.command, auth.mechanism, auth.code, auth.enhanced) == ("AUTH", "PLAIN", 538, "5.7.11")


def test_app_password_and_token_refusals_are_auth_failed_events():
    with LabServer(app_passwords={"alice": APP_PASSWORD}, tokens={"alice": TOKEN}) as lab:
        send_mail(lab, "alice", "wonderland")
        send_mail(lab, "alice", None, token="ya29.expired")
        failed = [(e.mechanism, e.code, e.enhanced) for e in lab.events if e.kind == "auth_failed"]
    assert failed == [("PLAIN", 534, "5.7.9"), ("LOGIN", 534, "5.7.9"), ("XOAUTH2", 535, "5.7.8")]


def test_events_are_capped_to_the_newest(lab):
    assert EVENT_CAP == 10_000 and "10,000" in LabServer.__doc__
    lab.stop()
    lab._events = EventLog(cap=6)  # the same log class, a small cap so the test is quick
    lab.start()
    for _ in range(3):
        send_mail(lab, "alice", "wonderland")
    assert wait_for(lambda: lab.events[-1].kind == "disconnect" and lab.events[-1].session == 3)
    events = lab.events
    assert len(events) == 6  # 3 sessions x 4 events, the newest 6 kept
    assert [(e.session, e.kind) for e in events][:2] == [(2, "queued"), (2, "disconnect")]


def test_events_can_be_read_while_sessions_run(lab):
    stop = threading.Event()
    seen = []

    def read_all_the_time():
        while not stop.is_set():
            seen.append(len(lab.events))

    reader = threading.Thread(target=read_all_the_time)
    reader.start()
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            outcomes = list(pool.map(lambda _: send_mail(lab, "alice", "wonderland"), range(8)))
    finally:
        stop.set()
        reader.join()
    assert all(outcome.ok for outcome in outcomes)
    assert seen == sorted(seen) and wait_for(lambda: len(lab.events) == 8 * 4)
    assert sorted({e.session for e in lab.events}) == list(range(1, 9))


# --- owner only (RFC 5321 §3.1: 554 at connection opening, then 503 until QUIT) -----------------

def loopback_hosts():
    hosts = ["127.0.0.1"]
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        hosts.append("::1")
    except OSError:
        pass
    return hosts


@pytest.mark.parametrize("lookup", ["netlink", "proc-tables"])
@pytest.mark.parametrize("host", loopback_hosts())
def test_another_os_user_gets_554_and_then_503_until_quit(host, lookup, monkeypatch):
    if lookup == "proc-tables":  # the fallback where sock_diag netlink is not available
        monkeypatch.setattr(lab_owner, "_netlink_works", False)
    with LabServer(host=host) as lab:
        replies = as_nobody(lambda: raw_session(
            lab.host, lab.port, ["EHLO me", "AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=", "QUIT"]))
        greeting, ehlo, auth, quit, closed = replies.splitlines()
        assert greeting.startswith("554 5.7.1 ") and "only the user who started it" in greeting
        assert ehlo.startswith("503 ") and auth.startswith("503 ")
        assert quit.startswith("221 ") and closed == "closed: True"
        # the owner is served as before, and the refusal is in the lab's events
        assert send_mail(lab, "alice", "wonderland").ok
        rejects = [(e.command, e.code, e.enhanced) for e in lab.events if e.kind == "reject"]
        assert rejects == [("CONNECT", 554, "5.7.1"), ("EHLO", 503, "5.5.1"), ("AUTH", 503, "5.5.1")]
        assert not [e for e in lab.events if e.kind.startswith("auth_") and e.session == 1]
        assert lab.messages[0].sender == "alice@lab.example" and len(lab.messages) == 1


@pytest.mark.parametrize("host", loopback_hosts())
def test_both_lookups_find_the_clients_uid(host):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.create_server((host, 0), family=family) as server:
        with socket.create_connection(server.getsockname()[:2]) as client:
            accepted, peer = server.accept()
            with accepted:
                local = accepted.getsockname()
                assert lab_owner.peer_uid(peer, local) == lab_owner.table_uid(peer, local) == os.geteuid()
                gone = (peer[0], peer[1] ^ 1) + tuple(peer[2:])  # no socket has this port pair
                assert lab_owner.peer_uid(gone, local) is None


def test_owner_only_false_serves_every_local_user():
    with LabServer(owner_only=False) as lab:
        replies = as_nobody(lambda: raw_session(lab.host, lab.port, ["EHLO me", "QUIT"]))
    greeting, ehlo, quit, closed = replies.splitlines()
    assert greeting.startswith("220 ") and ehlo == "250 HELP" and quit.startswith("221")
    assert "owner_only=False" in repr(lab)


def test_another_user_is_shown_the_door_after_too_many_commands():
    with LabServer() as lab:
        replies = as_nobody(lambda: raw_session(lab.host, lab.port, ["NOOP"] * 21)).splitlines()
    assert replies[0].startswith("554") and all(r.startswith("503") for r in replies[1:21])
    assert replies[21].startswith("421 ") and replies[22] == "closed: True"


# --- port errors (issue 15.4) ----------------------------------------------------------------------

def test_a_privileged_port_as_a_normal_user_names_permission():
    with open("/proc/sys/net/ipv4/ip_unprivileged_port_start") as setting:
        lowest = int(setting.read())
    if lowest == 0:
        pytest.skip("this kernel lets every user listen on every port (ip_unprivileged_port_start=0)")

    def try_port():
        try:
            LabServer(port=lowest - 1).start()
        except LabError as error:
            return f"{error.rule}|{error}|{threading.active_count()}"
        return "started"

    rule, message, threads = as_nobody(try_port).split("|")
    assert rule == "port-permission" and threads == "1"  # no server thread was left behind
    assert f"port {lowest - 1}" in message and "permission denied" in message
    assert "administrator" in message and "port=0" in message
    assert "something else holds it" not in message


def test_busy_port_says_the_port_is_in_use():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        busy = holder.getsockname()[1]
        with pytest.raises(LabError) as caught:
            LabServer(port=busy).start()
    assert caught.value.rule == "port-in-use"
    assert "already in use" in str(caught.value) and "port=0" in str(caught.value)


# --- a dropped lab stops (issue 15.5) -------------------------------------------------------------

def port_is_free(port):
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as a new lab would bind
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def test_a_dropped_lab_is_stopped_when_collected():
    fds, threads = open_resources()
    lab = LabServer(app_passwords={"alice": APP_PASSWORD}, tokens={"alice": TOKEN}).start()
    outcome = send_mail(lab, "alice", "wonderland")  # a kept outcome must not keep the lab alive
    thread, port = lab._controller._thread, lab.port
    assert thread.is_alive() and not port_is_free(port)
    del lab
    gc.collect()
    thread.join(5)
    assert not thread.is_alive() and port_is_free(port)
    assert open_resources() == (fds, threads)
    assert outcome.code == 534 and not live_labs()


def test_a_rebound_name_stops_the_old_lab():
    lab = LabServer(implicit_tls=True).start()
    first_thread, first_port = lab._controller._thread, lab.port
    lab = LabServer().start()
    gc.collect()
    first_thread.join(5)
    assert not first_thread.is_alive() and port_is_free(first_port)
    assert lab.running and live_labs() == [lab]
    lab.stop()


def test_a_lab_whose_last_reference_goes_in_its_own_thread_still_stops():
    lab = LabServer().start()
    thread, loop = lab._controller._thread, lab._controller.loop
    holder = [lab]
    del lab
    loop.call_soon_threadsafe(holder.clear)  # the last reference now drops inside the server thread
    thread.join(5)
    assert not thread.is_alive() and not live_labs()
