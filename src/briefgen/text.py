"""Two facts about text read from users' files, shared by the loaders of content and BibTeX.

- which characters may never reach a page, a feed or an export (:func:`forbidden_character`):
  XML 1.0 forbids C0 controls but tab, newline and carriage return, a lone surrogate cannot
  be encoded as UTF-8 at all, and C1 controls and ``U+FFFE``/``U+FFFF`` are invisible noise that
  some readers refuse;
- how a bad value is quoted in a message (:func:`quote`): a value can be megabytes long, or a
  YAML alias graph whose ``repr`` is gigabytes, so a message never repeats it whole.
"""

from __future__ import annotations

import re
import reprlib

__all__ = [
    "QUOTE_LIMIT",
    "decoding_problem",
    "describe_character",
    "forbidden_character",
    "quote",
    "remove_forbidden",
]

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = 60
_REPR.maxother = 60
_REPR.maxlong = 40
for _name in ("maxlist", "maxtuple", "maxdict", "maxset", "maxfrozenset"):
    setattr(_REPR, _name, 4)

QUOTE_LIMIT = 80
"""The most characters of a user's value a message repeats."""


def quote(value: object, *, limit: int = QUOTE_LIMIT) -> str:
    """``repr(value)`` cut to about ``limit`` characters, without ever building the whole repr."""
    if isinstance(value, str) and len(value) <= limit:
        return repr(value)
    try:
        shown = _REPR.repr(value)
    except ValueError:  # an integer too long for Python to print
        return f"<{type(value).__name__} too long to show>"
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def forbidden_character(text: str) -> int | None:
    """The index of the first character that may not be published, or None if there is none."""
    if text.isascii():  # most files: deleting the forbidden bytes is five times a search
        data = text.encode("ascii")
        if len(data.translate(None, _FORBIDDEN_ASCII)) == len(data):
            return None
    found = _FORBIDDEN.search(text)
    return found.start() if found else None


_FORBIDDEN_ASCII = bytes(code for code in range(128) if _FORBIDDEN.match(chr(code)))


def remove_forbidden(text: str) -> str:
    """``text`` without the characters :func:`forbidden_character` finds."""
    return _FORBIDDEN.sub("", text)


def describe_character(char: str) -> str:
    """``the control character U+0001``, for messages: such characters are invisible."""
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        kind = "lone surrogate"
    elif code in (0xFFFE, 0xFFFF):
        kind = "noncharacter"
    else:
        kind = "control character"
    return f"the {kind} U+{code:04X}"


def decoding_problem(data: bytes, exc: UnicodeDecodeError) -> tuple[int, str]:
    """The line of the first byte that is not UTF-8, and a message naming its column and value.

    An editor's "go to line" needs the line; the column and the byte tell a Latin-1 ``é``
    (``0xE9``) from a Windows quote (``0x92``).
    """
    start = exc.start
    line = data.count(b"\n", 0, start) + 1
    column = start - (data.rfind(b"\n", 0, start) + 1) + 1
    return line, (
        f"byte 0x{data[start]:02X} (byte {column} of the line) is not valid UTF-8 ({exc.reason}); "
        "save the file as UTF-8"
    )
