"""Property-based: the parsers refuse only with ReplyParseError, accept every well-formed reply,
and name the rule a broken reply breaks.

The valid replies below are built from RFC 5321 §4.2's grammar, piece by piece, not with
``Reply.wire``: ``Reply-line = *( Reply-code "-" [ textstring ] CRLF ) Reply-code [ SP textstring ] CRLF``,
``Reply-code = %x32-35 %x30-35 %x30-39``, ``textstring = 1*(%d09 / %d32-126)``. So a parser that
refused everything, or one that agreed with a wrong ``wire``, fails here.
"""

import string

from hypothesis import HealthCheck, assume, given, settings, strategies as st

from smtplesson import ReplyParseError, explain, parse_reply, parse_transcript

# Text that is mostly junk, plus text built from SMTP-like pieces so the deep paths get exercised.
pieces = st.sampled_from(["250", "535", "5.7.8", "-", " ", "\r\n", "\n", "S: ", "C: ", "AUTH PLAIN ",
                          "334 ", "DATA", "354 go", ".", "b'", "'", "(", ")", ",", "\x00", "é", "४"])
smtp_like = st.lists(pieces, max_size=30).map("".join)
any_text = st.one_of(st.text(max_size=300), smtp_like, st.binary(max_size=100))
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEWER = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _only_parse_errors(function, value):
    try:
        function(value)
    except ReplyParseError as error:
        assert error.rule, f"a ReplyParseError without its rule: {error}"


@SETTINGS
@given(any_text)
def test_parse_reply_raises_only_reply_parse_error(value):
    _only_parse_errors(parse_reply, value)


@SETTINGS
@given(any_text)
def test_parse_transcript_raises_only_reply_parse_error(value):
    _only_parse_errors(parse_transcript, value)


@SETTINGS
@given(any_text)
def test_explain_raises_only_reply_parse_error(value):
    _only_parse_errors(explain, value)


# --- well-formed replies, built from the grammar ---------------------------------------------------

#: The three digits as characters, straight from the ABNF's ranges.
first_digits = st.sampled_from("2345")
second_digits = st.sampled_from("012345")
third_digits = st.sampled_from(string.digits)
code_text = st.tuples(first_digits, second_digits, third_digits).map("".join)
#: textstring: HT, SP and the printable US-ASCII characters %d33-126.
TEXT_CHARS = "\t " + "".join(chr(c) for c in range(33, 127))
texts = st.text(alphabet=TEXT_CHARS, max_size=60)
#: Line ends a reply may arrive with (the last one optional: a paste often drops it).
line_ends = st.sampled_from(["\r\n", "\n"])

CLASSES = {"2": "positive completion", "3": "positive intermediate",
           "4": "transient negative completion", "5": "permanent negative completion"}
CATEGORIES = {"0": "syntax", "1": "information", "2": "connections", "3": "unspecified",
              "4": "unspecified", "5": "mail system"}


@st.composite
def wire_replies(draw):
    """(wire text, code digits, the text of each line): a reply as a server could send it."""
    code = draw(code_text)
    bodies = draw(st.lists(texts, min_size=1, max_size=6))
    end = draw(line_ends)
    out = []
    for number, body in enumerate(bodies, start=1):
        out.append(code)
        if number < len(bodies):
            out.append("-")
            out.append(body)
            out.append(end)
        elif body or draw(st.booleans()):     # the last line: SP and text, or the bare code
            out.append(" ")
            out.append(body)
    if draw(st.booleans()):
        out.append(end)
    return "".join(out), code, tuple(bodies)


@SETTINGS
@given(wire_replies())
def test_every_well_formed_reply_parses_to_its_code_and_lines(case):
    text, code, bodies = case
    reply = parse_reply(text)
    assert reply.code == int(code)
    assert reply.lines == bodies
    assert reply.multiline == (len(bodies) > 1)
    assert reply.reply_class == CLASSES[code[0]]
    assert reply.category == CATEGORIES[code[1]]
    assert parse_reply(text.encode("ascii")) == reply


@SETTINGS
@given(wire_replies())
def test_the_wire_form_starts_every_line_with_the_code_and_reparses(case):
    text, code, bodies = case
    reply = parse_reply(text)
    wire = reply.wire
    assert len(wire) == len(bodies)
    for number, (line, body) in enumerate(zip(wire, bodies), start=1):
        assert line[:3] == code
        if number < len(bodies):
            assert line == code + "-" + body
        else:
            assert line in (code + " " + body, code + body) and line[3:4] != "-"
            if body:
                assert line == code + " " + body
    assert str(reply) == "\n".join(wire)
    assert parse_reply(str(reply)) == reply
    assert parse_reply("\r\n".join(wire) + "\r\n") == reply


@st.composite
def enhanced_replies(draw):
    """(reply text, the enhanced code it carries, whether its class agrees with the reply code)."""
    code = draw(code_text.filter(lambda c: c[0] != "3"))
    klass = draw(st.sampled_from("245"))
    subject = draw(st.integers(0, 999))
    detail = draw(st.integers(0, 999))
    enhanced = f"{klass}.{subject}.{detail}"
    rest = draw(st.sampled_from(["", " Authentication credentials invalid", "\tx"]))
    return f"{code} {enhanced}{rest}", enhanced, klass == code[0]


@SETTINGS
@given(enhanced_replies())
def test_an_enhanced_code_is_read_only_when_its_class_agrees(case):
    text, enhanced, agrees = case
    assert parse_reply(text).enhanced == (enhanced if agrees else None)


@FEWER
@given(wire_replies())
def test_explain_reads_every_well_formed_reply(case):
    text, code, bodies = case
    assume(not text.rstrip().endswith(" command)"))   # "(in reply to X command)" names the command
    result = explain(text)
    assert result.reply.code == int(code)
    # explain() trims what a paste adds: white space at the end of each line.
    assert result.reply.lines == tuple(body.rstrip(" \t") for body in bodies)


# --- broken replies: each breaks one rule, and the error names it ----------------------------------

@SETTINGS
@given(code_text, code_text, texts, texts)
def test_a_different_code_on_a_later_line_is_same_code(first, second, a, b):
    assume(first != second)
    try:
        parse_reply(f"{first}-{a}\r\n{second} {b}")
    except ReplyParseError as error:
        assert error.rule == "same-code" and "line 2" in str(error)
    else:
        raise AssertionError("a reply whose lines carry different codes was accepted")


@SETTINGS
@given(code_text, st.lists(texts, min_size=1, max_size=4), line_ends)
def test_a_reply_that_stops_after_a_hyphen_line_is_no_final_line(code, bodies, end):
    text = end.join(code + "-" + body for body in bodies)
    try:
        parse_reply(text)
    except ReplyParseError as error:
        assert error.rule == "no-final-line" and f"line {len(bodies)}" in str(error)
    else:
        raise AssertionError(f"{text!r} has no final line but was accepted")


@SETTINGS
@given(code_text, texts, st.characters(blacklist_characters=TEXT_CHARS + "\r\n"), texts)
def test_a_character_outside_textstring_is_text_characters(code, before, bad, after):
    try:
        parse_reply(f"{code} {before}{bad}{after}")
    except ReplyParseError as error:
        assert error.rule == "text-characters"
        assert f"U+{ord(bad):04X}" in str(error)
    else:
        raise AssertionError(f"{bad!r} in reply text was accepted")


@SETTINGS
@given(st.sampled_from("016789"), second_digits, third_digits, texts)
def test_a_first_digit_outside_2_to_5_is_first_digit(first, second, third, body):
    try:
        parse_reply(f"{first}{second}{third} {body}")
    except ReplyParseError as error:
        assert error.rule == "first-digit"
    else:
        raise AssertionError("a first digit outside 2-5 was accepted")


@SETTINGS
@given(first_digits, st.sampled_from("6789"), third_digits, texts)
def test_a_second_digit_above_5_is_second_digit(first, second, third, body):
    try:
        parse_reply(f"{first}{second}{third} {body}")
    except ReplyParseError as error:
        assert error.rule == "second-digit"
    else:
        raise AssertionError("a second digit above 5 was accepted")


@SETTINGS
@given(code_text, st.integers(513, 2000))
def test_a_line_over_512_octets_is_line_length(code, length):
    line = code + " " + "x" * (length - 6)          # length octets once CRLF is added
    try:
        parse_reply(line + "\r\n")
    except ReplyParseError as error:
        assert error.rule == "line-length" and f"{length} octets" in str(error)
    else:
        raise AssertionError(f"a line of {length} octets was accepted")


@SETTINGS
@given(code_text, st.sampled_from(TEXT_CHARS.replace(" ", "").replace("-", "")
                                  .translate(str.maketrans("", "", string.digits))), texts)
def test_anything_but_space_or_hyphen_after_the_code_is_separator(code, separator, body):
    try:
        parse_reply(code + separator + body)
    except ReplyParseError as error:
        assert error.rule == "separator"
    else:
        raise AssertionError(f"{separator!r} after the code was accepted")


# --- dialogues ---------------------------------------------------------------------------------------

COMMANDS = ["EHLO me.example", "HELO me.example", "MAIL FROM:<a@lab.example>",
            "RCPT TO:<b@lab.example>", "NOOP", "RSET", "VRFY alice", "QUIT"]


@FEWER
@given(st.lists(st.tuples(st.sampled_from(COMMANDS), wire_replies()), max_size=6))
def test_each_reply_of_a_dialogue_is_paired_with_the_command_before_it(steps):
    assume(all(int(code) not in (235, 334, 354, 535) for _, (_, code, _) in steps))
    lines = ["S: 220 lab.example ESMTP"]
    for command, (text, _, _) in steps:
        lines.append("C: " + command)
        lines += ["S: " + line for line in text.replace("\r\n", "\n").rstrip("\n").split("\n")]
    transcript = parse_transcript("\n".join(lines))
    assert [e.command for e in transcript.exchanges] == ["(connection)"] + [c for c, _ in steps]
    assert [e.reply.code for e in transcript.exchanges] == [220] + [int(code) for _, (_, code, _) in steps]
    assert [e.reply.lines for e in transcript.exchanges][1:] == [bodies for _, (_, _, bodies) in steps]
