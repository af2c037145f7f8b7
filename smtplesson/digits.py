"""What the three digits of a reply code say, derived from the number alone (RFC 5321 §4.2.1).

Like ``http.HTTPStatus.is_success``, the class and category are computed from the digits and
never stored twice; the words for each code live in ``data/codes.csv``.
"""

from __future__ import annotations

import re

from .errors import ReplyParseError

#: First digit -> reply class, in RFC 5321's own names (§4.2.1).
REPLY_CLASSES = {
    2: "positive completion",
    3: "positive intermediate",
    4: "transient negative completion",
    5: "permanent negative completion",
}

#: Second digit -> category (§4.2.1). x3z and x4z are both "unspecified".
CATEGORIES = {
    0: "syntax",
    1: "information",
    2: "connections",
    3: "unspecified",
    4: "unspecified",
    5: "mail system",
}

#: An RFC 3463 enhanced status code: class.subject.detail, no leading zeros, 1-3 digits each.
ENHANCED_RE = re.compile(r"([245])\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})")


def check_code(code: object) -> int:
    """Return ``code`` as an int if it is a well-formed reply code (RFC 5321 §4.2), else raise."""
    if isinstance(code, bool) or not isinstance(code, (int, str)):
        raise ReplyParseError.of("error.code.type", rule="code-type", type=type(code).__name__)
    text = str(code).strip() if isinstance(code, str) else str(code)
    if not (len(text) == 3 and text.isascii() and text.isdigit()):
        if ENHANCED_RE.fullmatch(text):
            raise ReplyParseError.of("error.code.enhanced", rule="three-digits", code=text)
        raise ReplyParseError.of("error.code.three_digits", rule="three-digits", text=text[:20])
    first, second = int(text[0]), int(text[1])
    if first not in REPLY_CLASSES:
        raise ReplyParseError.of("error.code.first_digit", rule="first-digit", code=text,
                                 first=first)
    if second not in CATEGORIES:
        raise ReplyParseError.of("error.code.second_digit", rule="second-digit", code=text,
                                 second=second)
    return int(text)


def reply_class(code: int) -> str:
    """The reply class of a well-formed code: 'positive completion', ... (first digit)."""
    return REPLY_CLASSES[check_code(code) // 100]


def category(code: int) -> str:
    """The category of a well-formed code: 'syntax', ..., 'mail system' (second digit)."""
    return CATEGORIES[check_code(code) // 10 % 10]


def split_enhanced(code: str) -> tuple[int, int, int]:
    """Split a well-formed enhanced status code ``"5.7.8"`` into its three numbers, else raise."""
    if not isinstance(code, str) or not ENHANCED_RE.fullmatch(code.strip()):
        raise ReplyParseError.of("error.enhanced.format", rule="enhanced-format",
                                 text=str(code)[:20])
    klass, subject, detail = code.strip().split(".")
    return int(klass), int(subject), int(detail)
