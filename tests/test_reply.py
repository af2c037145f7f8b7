"""parse_reply and parse_transcript against real replies and against every rule they enforce."""

import pytest

from smtplesson import ReplyParseError, parse_reply, parse_transcript

# Real replies, as the fact sheet quotes them (ids shortened where the sheet has placeholders).
GMAIL_535 = (
    "535-5.7.8 Username and Password not accepted. For more information, go to\r\n"
    "535 5.7.8  https://support.google.com/mail/?p=BadCredentials a1b2c3 - gsmtp\r\n"
)
GMAIL_550 = (
    "550-5.1.1 The email account that you tried to reach does not exist. Please try\n"
    "550-5.1.1 double-checking the recipient's email address for typos or\n"
    "550-5.1.1 unnecessary spaces. For more information, go to\n"
    "550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a1b2c3 - gsmtp"
)


@pytest.mark.parametrize(
    "text, code, enhanced, reply_class, category, n_lines",
    [
        (GMAIL_535, 535, "5.7.8", "permanent negative completion", "unspecified", 2),
        (GMAIL_550, 550, "5.1.1", "permanent negative completion", "mail system", 4),
        ("534-5.7.9 Application-specific password required. Learn more at\n"
         "534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor a1 - gsmtp",
         534, "5.7.9", "permanent negative completion", "unspecified", 2),
        ("530 5.7.0 Must issue a STARTTLS command first. a1b2 - gsmtp",
         530, "5.7.0", "permanent negative completion", "unspecified", 1),
        ("454 4.7.0 Too many login attempts, please try again later. a1b2 - gsmtp",
         454, "4.7.0", "transient negative completion", "mail system", 1),
        ("250 2.0.0 OK  1642091984 z24sm9037572pjq.17 - gsmtp",
         250, "2.0.0", "positive completion", "mail system", 1),
        ("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
         "Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.",
         535, "5.7.139", "permanent negative completion", "unspecified", 1),
        ("535 5.7.3 Authentication unsuccessful", 535, "5.7.3",
         "permanent negative completion", "unspecified", 1),
        ("250 2.6.0 <abc@example.com> [InternalId=1] Queued mail for delivery",
         250, "2.6.0", "positive completion", "mail system", 1),
        ("535 5.7.8 Error: authentication failed: ", 535, "5.7.8",
         "permanent negative completion", "unspecified", 1),
        ("250 2.1.5 Ok", 250, "2.1.5", "positive completion", "mail system", 1),
        ("535 Incorrect authentication data", 535, None,
         "permanent negative completion", "unspecified", 1),
        ("435 Unable to authenticate at present", 435, None,
         "transient negative completion", "unspecified", 1),
        ("535 Authentication Credentials Invalid", 535, None,
         "permanent negative completion", "unspecified", 1),
        ("535 5.7.8 Authentication credentials invalid", 535, "5.7.8",
         "permanent negative completion", "unspecified", 1),
        ("220 smtp.lab.example smtplesson lab", 220, None, "positive completion",
         "connections", 1),
        ("354 End data with <CR><LF>.<CR><LF>", 354, None, "positive intermediate",
         "mail system", 1),
        ("221 Bye", 221, None, "positive completion", "connections", 1),
        ("500 Error: command \"X\" not recognized", 500, None, "permanent negative completion",
         "syntax", 1),
        ("214 2.0.0 Commands: AUTH DATA", 214, "2.0.0", "positive completion", "information", 1),
    ],
)
def test_real_replies(text, code, enhanced, reply_class, category, n_lines):
    reply = parse_reply(text)
    assert reply.code == code
    assert reply.enhanced == enhanced
    assert reply.reply_class == reply_class
    assert reply.category == category
    assert len(reply.lines) == n_lines
    assert reply.multiline == (n_lines > 1)


def test_lines_and_text_keep_what_follows_the_separator():
    reply = parse_reply(GMAIL_535)
    assert reply.lines == (
        "5.7.8 Username and Password not accepted. For more information, go to",
        "5.7.8  https://support.google.com/mail/?p=BadCredentials a1b2c3 - gsmtp",
    )
    assert reply.text == "\n".join(reply.lines)


def test_aiosmtpd_ehlo_is_one_reply_of_seven_lines():
    ehlo = "\r\n".join(["250-smtp.lab.example", "250-SIZE 33554432", "250-8BITMIME",
                        "250-SMTPUTF8", "250-STARTTLS", "250-AUTH LOGIN PLAIN", "250 HELP"])
    reply = parse_reply(ehlo)
    assert reply.code == 250 and len(reply.lines) == 7 and reply.lines[5] == "AUTH LOGIN PLAIN"


@pytest.mark.parametrize("text", ["250 OK", "250 OK\n", "250 OK\r\n"])
def test_line_ends_are_optional_and_crlf_or_lf(text):
    assert parse_reply(text).lines == ("OK",)


def test_bare_code_and_code_with_space_are_replies_without_text():
    assert parse_reply("250").lines == ("",)
    assert parse_reply("334 ").lines == ("",)
    assert str(parse_reply("334 ")) == "334 "


def test_text_may_begin_with_digits():
    # RFC 5321 §4.2.1's own example
    reply = parse_reply("250-First line\n250-234 Text beginning with numbers\n250 The last line")
    assert reply.lines[1] == "234 Text beginning with numbers"


def test_wire_form_round_trips():
    assert str(parse_reply(GMAIL_550)) == GMAIL_550


@pytest.mark.parametrize(
    "text, enhanced",
    [
        ("250 5.7.8 odd", None),          # class 5 on a 2yz reply is not an enhanced code
        ("550 2.0.0 odd", None),
        ("354 2.0.0 go ahead", None),     # 3yz replies never carry one
        ("535 5.07.8 leading zero", None),
        ("535 5.7.1234 too long", None),
        ("535 5.7.8, comma", None),
        ("535 5.7.8", "5.7.8"),
        ("535-5.7.8 a\n535 5.7.8 b", "5.7.8"),
    ],
)
def test_enhanced_code_rules(text, enhanced):
    assert parse_reply(text).enhanced == enhanced


@pytest.mark.parametrize(
    "text, rule, words",
    [
        ("", "empty", "empty"),
        ("   \n", "empty", "empty"),
        (" 250 OK", "leading-space", "white space"),
        ("2500 OK", "three-digits", "more than three digits"),
        ("25O OK", "three-digits", "three-digit"),
        ("OK 250", "three-digits", "three-digit"),
        ("b'535 5.7.8 Authentication credentials invalid'", "bytes-literal", "bytes"),
        ("5.7.8 Username and Password not accepted", "three-digits", "enhanced status code"),
        ("150 Opening", "first-digit", "first digit"),
        ("650 nope", "first-digit", "first digit"),
        ("270 nope", "second-digit", "second digit"),
        ("250:OK", "separator", "hyphen"),
        ("250-a\n251 b", "same-code", "same code"),
        ("250-a\n250-b", "no-final-line", "no final line"),
        ("250 a\n250 b", "text-after-final-line", "two replies"),
        ("250-a\n\n250 b", "empty-line", "empty"),
        ("250 caf\u00e9", "text-characters", "US-ASCII"),
        ("250 a\x00b", "text-characters", "US-ASCII"),
        ("250 a\rb", "text-characters", "US-ASCII"),
        ("250 " + "x" * 600, "line-length", "512"),
        (b"250 \xff", "text-characters", "US-ASCII"),
        (None, "reply-type", "text"),
    ],
)
def test_broken_rules_are_named(text, rule, words):
    with pytest.raises(ReplyParseError) as caught:
        parse_reply(text)
    assert caught.value.rule == rule
    assert words.lower() in str(caught.value).lower()
    assert isinstance(caught.value, ValueError)


def test_smtplib_stripped_text_is_refused_with_a_hint():
    # smtplib's e.smtp_error keeps each line minus its first four characters
    with pytest.raises(ReplyParseError, match="535 5.7.8"):
        parse_reply("5.7.8 Username and Password not accepted. Learn more at\n5.7.8  https://x")


def test_one_megabyte_paste_is_refused_quickly():
    with pytest.raises(ReplyParseError) as caught:
        parse_reply("250 " + "A" * 1_000_000)
    assert caught.value.rule == "line-length"


# --- transcripts -------------------------------------------------------------------------------

RFC_STYLE = """
S: 220 smtp.example.com ESMTP Postfix
C: EHLO client.example.org
S: 250-smtp.example.com
S: 250-AUTH PLAIN LOGIN
S: 250 8BITMIME
C: AUTH PLAIN AGFsaWNlAHdyb25n
S: 535 5.7.8 Error: authentication failed: authentication failure
C: QUIT
S: 221 2.0.0 Bye
"""


def test_transcript_pairs_each_reply_with_its_command():
    transcript = parse_transcript(RFC_STYLE)
    assert [r.code for r in transcript.replies] == [220, 250, 535, 221]
    assert [e.command for e in transcript.exchanges] == [
        "(connection)", "EHLO client.example.org", "AUTH PLAIN AGFsaWNlAHdyb25n", "QUIT"]
    assert transcript.auth_outcome == "failure"
    assert transcript.replies[1].lines == ("smtp.example.com", "AUTH PLAIN LOGIN", "8BITMIME")


def test_transcript_success_and_none():
    ok = parse_transcript("S: 220 x\nC: EHLO y\nS: 250 x\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\n"
                          "C: YWxpY2U=\nS: 334 UGFzc3dvcmQ6\nC: d29uZGVybGFuZA==\n"
                          "S: 235 2.7.0 Authentication successful")
    assert ok.auth_outcome == "success"
    assert ok.exchanges[3].verb == "AUTH"  # the reply to a base64 line belongs to AUTH
    plain = parse_transcript("S: 220 x\nC: EHLO y\nS: 250 x\nC: MAIL FROM:<a@b>\n"
                             "S: 530 5.7.0 Authentication required")
    assert plain.auth_outcome == "none"


@pytest.mark.parametrize("code", [534, 538, 454, 504, 501])
def test_any_refusal_inside_auth_is_failure(code):
    text = f"S: 220 x\nC: EHLO y\nS: 250 x\nC: AUTH PLAIN\nS: 334 \nC: Zm9v\nS: {code} no"
    assert parse_transcript(text).auth_outcome == "failure"


def test_a_later_235_turns_failure_into_success():
    text = ("S: 220 x\nC: AUTH PLAIN AGFsaWNlAHdyb25n\nS: 535 5.7.8 no\n"
            "C: AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=\nS: 235 2.7.0 ok")
    assert parse_transcript(text).auth_outcome == "success"


def test_message_text_after_354_gets_no_reply_until_the_dot():
    text = ("S: 220 x\nC: MAIL FROM:<a@b>\nS: 250 OK\nC: RCPT TO:<c@d>\nS: 250 OK\nC: DATA\n"
            "S: 354 go ahead\nC: Subject: hi\nC: \nC: S: not a reply, just text\nC: .\n"
            "S: 250 OK queued\nC: QUIT\nS: 221 Bye")
    transcript = parse_transcript(text)
    assert [e.command for e in transcript.exchanges][-2:] == ["(end of data)", "QUIT"]
    frame = transcript.to_frame()
    assert list(frame["code"]) == [220, 250, 250, 354, 250, 221]
    assert list(frame.columns[:2]) == ["command", "code"]


def test_annotation_decodes_base64_in_auth():
    transcript = parse_transcript(RFC_STYLE)
    notes = {text: note for side, text, note in transcript.annotated()}
    assert notes["AUTH PLAIN AGFsaWNlAHdyb25n"] == "base64 → \\0alice\\0wrong"


@pytest.mark.parametrize(
    "text, rule",
    [
        ("", "empty"),
        ("hello", "transcript-side"),
        ("S: 250-a\nC: QUIT", "no-final-line"),
        ("S: 250-a", "no-final-line"),
        ("S: 25O x", "three-digits"),
        ("S: 250-a\nS: 251 b", "same-code"),
    ],
)
def test_transcript_errors_name_the_rule(text, rule):
    with pytest.raises(ReplyParseError) as caught:
        parse_transcript(text)
    assert caught.value.rule == rule


# --- issue 13: hand-written wire forms, rule names for every error, the 512-octet line -------------

from smtplesson.reply import Reply  # noqa: E402  (kept with the tests that use it)


@pytest.mark.parametrize("reply, wire", [
    (Reply(250, ("OK",)), ("250 OK",)),
    (Reply(535, ("5.7.8 Username and Password not accepted. For more information, go to",
                 "5.7.8  https://support.google.com/mail/?p=BadCredentials a1b2c3 - gsmtp")),
     ("535-5.7.8 Username and Password not accepted. For more information, go to",
      "535 5.7.8  https://support.google.com/mail/?p=BadCredentials a1b2c3 - gsmtp")),
    (Reply(250, ("smtp.lab.example", "AUTH LOGIN PLAIN", "HELP")),
     ("250-smtp.lab.example", "250-AUTH LOGIN PLAIN", "250 HELP")),
    (Reply(334, ("VXNlcm5hbWU6",)), ("334 VXNlcm5hbWU6",)),
    (Reply(250, ("", "last")), ("250-", "250 last")),
    (Reply(214, ("\tindented", " spaced ")), ("214-\tindented", "214  spaced ")),
])
def test_wire_form_written_out_by_hand(reply, wire):
    assert reply.wire == wire
    assert str(reply) == "\n".join(wire)
    assert parse_reply("\r\n".join(wire)) == reply
    assert parse_reply("\n".join(wire) + "\n") == reply


@pytest.mark.parametrize("text, code, lines", [
    ("535 5.7.8 Authentication credentials invalid\r\n", 535, ("5.7.8 Authentication credentials invalid",)),
    ("250-8BITMIME\r\n250-SIZE 10240000\r\n250 SMTPUTF8\r\n", 250, ("8BITMIME", "SIZE 10240000", "SMTPUTF8")),
    ("334 \r\n", 334, ("",)),
    ("221", 221, ("",)),
    ("220-first\n220-\n220 third", 220, ("first", "", "third")),
    ("550-5.1.1 a\r\n550 5.1.1 b", 550, ("5.1.1 a", "5.1.1 b")),
])
def test_hand_written_replies_parse_to_known_lines(text, code, lines):
    reply = parse_reply(text)
    assert (reply.code, reply.lines) == (code, lines)
    assert reply.text == "\n".join(lines)


@pytest.mark.parametrize("text, rule, words", [
    ("5.7.8 Username and Password not accepted. Learn more at\n5.7.8  https://x", "three-digits",
     "535 5.7.8"),
    ("250-a\n\n", "empty-line", "line 2 is empty"),
    ("250-a\n 250 b", "leading-space", "line 2 starts with white space"),
    ("250-a\n250\tb", "separator", "line 2"),
    ("250-a\n2500 b", "three-digits", "line 2 starts with more than three digits"),
    ("250-a\n25", "three-digits", "line 2 does not start with a three-digit reply code"),
    ("250 a\n251 b", "text-after-final-line", "line 1 is a final line"),
    ("250-a\n250-b\n250-c", "no-final-line", "line 3 ends with '250-'"),
    ("250-a\n550 b", "same-code", "line 2 has code 550 but line 1 has 250"),
    ("2.0.0 OK", "three-digits", "'2.0.0', an enhanced status code"),
    ("b\"250 OK\"", "bytes-literal", "bytes literal"),
    ("250 a\u0085b", "text-characters", "U+0085"),
    ("250 a\x7fb", "text-characters", "U+007F"),
    (b"250 ok\xc3\xa9", "text-characters", "byte 6 is 0xc3"),
    (250, "reply-type", "not int"),
    ("\t250 OK", "leading-space", "line 1 starts with white space"),
])
def test_more_broken_rules_are_named(text, rule, words):
    with pytest.raises(ReplyParseError) as caught:
        parse_reply(text)
    assert caught.value.rule == rule
    assert words in str(caught.value)


@pytest.mark.parametrize("octets, ok", [(511, True), (512, True), (513, False)])
def test_the_512_octet_line_counts_its_crlf(octets, ok):
    line = "535 " + "y" * (octets - 6)
    for text in (line, line + "\r\n", "535-first\r\n" + line):
        if ok:
            assert parse_reply(text).lines[-1] == "y" * (octets - 6)
        else:
            with pytest.raises(ReplyParseError) as caught:
                parse_reply(text)
            assert caught.value.rule == "line-length"
            assert f"is {octets} octets with its CRLF" in str(caught.value)


@pytest.mark.parametrize("text, rule, words", [
    ("S: 220 x\nX: what", "transcript-side", "transcript line 2"),
    ("S: 220 x\nC: EHLO y\nS: 250-a\nS: 251 b", "same-code", "transcript reply starting at line 3"),
    ("S: 220 x\nC: EHLO y\nS: 250-a\nC: QUIT", "no-final-line", "transcript line 4"),
    ("S: 220 x\nC: EHLO y\nS: 250-a\nS: 250-b", "no-final-line", "starting at line 3 has no final line"),
    ("\n  \n", "empty", "empty"),
    (b"S: 220 x", "transcript-type", "not bytes"),
    ("S: 220 x\nS: 2500 y", "three-digits", "transcript reply starting at line 2"),
])
def test_transcript_errors_name_the_rule_and_the_line(text, rule, words):
    with pytest.raises(ReplyParseError) as caught:
        parse_transcript(text)
    assert caught.value.rule == rule
    assert words in str(caught.value)


def test_a_stray_cr_before_the_line_end_is_text_and_is_refused():
    with pytest.raises(ReplyParseError) as error:
        parse_reply("250 a\r\r\n")
    assert error.value.rule == "text-characters"
    assert parse_reply("250 a\r\n").lines == ("a",)  # one CR is the line end


def test_the_command_word_is_read_across_any_white_space():
    from smtplesson.reply import command_verb

    assert command_verb("MAIL\tFROM:<a@b.example>") == "MAIL"
    assert command_verb("rcpt  TO:<a@b.example>") == "RCPT"
