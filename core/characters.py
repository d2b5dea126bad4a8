"""Which characters text may hold: one rule for paths, query strings, header values and bodies.

Refused everywhere (docs/robustness.md, "Hardening checks"):

- NUL and the other C0 control characters except tab, line feed and carriage return: no form or
  field needs them, XML 1.0 forbids them, and PostgreSQL cannot store NUL in text;
- UTF-16 surrogates (U+D800 to U+DFFF): in a Python string they can only be unpaired halves, which
  cannot be encoded, so whatever writes such a text breaks (a hash, a database query, a log line);
- the Unicode non-characters (U+FDD0 to U+FDEF and the last two code points of every plane), which
  are never text;
- bytes that are not UTF-8 where text is expected.

Everything else (accents, emoji, other scripts, private use characters) is ordinary text.
"""

from __future__ import annotations

import codecs
import re

from django.utils.translation import gettext as _

_NONCHARACTERS = "".join(chr(plane * 0x10000 + low) for plane in range(17) for low in (0xFFFE, 0xFFFF))
INVALID = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f" + chr(0xD800) + "-" + chr(0xDFFF) + "\ufdd0-\ufdef" + _NONCHARACTERS + "]"
)
# Header values may not hold line breaks either (a server never passes them on).
INVALID_IN_HEADER = re.compile(INVALID.pattern[:-1] + "\n\r]")

# The name of a UTF-8 codec that refuses invalid bytes even where the caller asks for replacement:
# Django decodes form fields with errors="replace", which would turn an invalid byte (a surrogate's
# UTF-8 form) into U+FFFD and store it. The form parsers decode with this codec instead.
STRICT_UTF8 = "portal-strict-utf-8"
_UTF8 = codecs.lookup("utf-8")


def _strict_decode(data, errors="strict"):
    return _UTF8.decode(data, "strict")


class _StrictIncrementalDecoder(codecs.BufferedIncrementalDecoder):
    def _buffer_decode(self, data, errors, final):
        return codecs.utf_8_decode(data, "strict", final)


def _find_codec(name: str) -> codecs.CodecInfo | None:
    if name.replace("-", "_") != STRICT_UTF8.replace("-", "_"):
        return None
    return codecs.CodecInfo(
        name=STRICT_UTF8,
        encode=_UTF8.encode,
        decode=_strict_decode,
        incrementalencoder=_UTF8.incrementalencoder,
        incrementaldecoder=_StrictIncrementalDecoder,
        streamreader=_UTF8.streamreader,
        streamwriter=_UTF8.streamwriter,
    )


codecs.register(_find_codec)


def first_invalid(text: str, pattern: re.Pattern = INVALID) -> str | None:
    """The first character of ``text`` that the rule refuses, or None."""
    found = pattern.search(text)
    return found.group() if found else None


def code_point(character: str) -> str:
    return f"U+{ord(character):04X}"


def readable(text: str) -> str:
    """``text`` with every refused character replaced by U+FFFD, safe to show and to encode."""
    return INVALID.sub("\ufffd", text)


def problem_with(text: str, pattern: re.Pattern = INVALID) -> str | None:
    """What is wrong with ``text``, in the caller's language, or None when it is fine."""
    character = first_invalid(text, pattern)
    if character is None:
        return None
    return _("This text holds a character that is not allowed (%(character)s).") % {
        "character": code_point(character)
    }


def not_utf8() -> str:
    return _("This text is not valid UTF-8.")


def decode(raw: bytes) -> str | None:
    """``raw`` as UTF-8 text, or None when it is not UTF-8 (surrogates' bytes included)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
