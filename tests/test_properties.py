"""Property-based: on any text at all, the parsers and explain() raise only ReplyParseError."""

from hypothesis import HealthCheck, given, settings, strategies as st

from smtplesson import ReplyParseError, explain, parse_reply, parse_transcript

# Text that is mostly junk, plus text built from SMTP-like pieces so the deep paths get exercised.
pieces = st.sampled_from(["250", "535", "5.7.8", "-", " ", "\r\n", "\n", "S: ", "C: ", "AUTH PLAIN ",
                          "334 ", "DATA", "354 go", ".", "b'", "'", "(", ")", ",", "\x00", "é", "४"])
smtp_like = st.lists(pieces, max_size=30).map("".join)
any_text = st.one_of(st.text(max_size=300), smtp_like, st.binary(max_size=100))
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _only_parse_errors(function, value):
    try:
        function(value)
    except ReplyParseError:
        pass


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


codes = st.integers(2, 5).flatmap(lambda a: st.integers(0, 5).flatmap(
    lambda b: st.integers(0, 9).map(lambda c: a * 100 + b * 10 + c)))
texts = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126) | st.just("\t"),
                max_size=60)


@SETTINGS
@given(codes, st.lists(texts, min_size=1, max_size=6))
def test_well_formed_replies_round_trip(code, lines):
    reply = parse_reply("\r\n".join(
        f"{code}{'-' if i < len(lines) - 1 else ' '}{line}" for i, line in enumerate(lines)))
    assert reply.code == code and reply.lines == tuple(lines)
    assert parse_reply(str(reply)) == reply
