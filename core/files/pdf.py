"""PDFs: the skeleton every reader needs, and nothing that runs, launches or opens by itself.

There is no PDF parser among the runtime dependencies (pypdf is for the tests only), so the check
reads the bytes. The skeleton: a versioned header, ``startxref`` in the last kilobyte with an
offset that points at a cross-reference table (``xref``) or stream (``n g obj``), ``%%EOF`` with
nothing but white space after it, a ``/Root`` and at least one object. Anything else is not a PDF.

Refused as unsafe: the names in ``ACTIVE`` (scripts, launch and submit actions, embedded files,
rich media, XFA forms, additional actions) wherever they occur, and ``/OpenAction`` unless it is a
destination (an array, also behind an indirect reference) rather than an action. Names are
compared after their ``#xx`` escapes are decoded (``/J#61vaScript`` is ``/JavaScript``).

Where names are looked for:

- the longer names in every byte: a chance match in compressed data is practically impossible;
- ``/JS``, ``/AA`` and ``/XFA`` outside stream data (from ``stream`` to ``endstream``): three
  letters and a delimiter turn up by chance in compressed data about once per 90 MB for the three
  together, which would refuse about one 10 MB PDF in nine. A script behind ``/JS`` also needs
  ``/JavaScript``, which is looked for everywhere;
- inside object streams (PDF 1.5+, ``/Type /ObjStm``), which hold dictionaries compressed where no
  search sees them: every stream with ``/ObjStm`` named since the ``stream`` keyword before it is
  inflated (FlateDecode, the only filter writers use for them; at most ``MAX_INFLATED`` bytes for
  the whole file) and all its names are looked for. An object stream that does not inflate to
  objects (another filter or a chain of them, decode parameters, encryption, damage) or passes
  the cap gets the PDF refused: what cannot be inspected is not accepted.

This reads bytes, it is not a parser: a file built to be read one way by a PDF reader and another
way by this check (a ``stream`` keyword inside a string, say) may still get past it. That is why
stored PDFs are only ever served as downloads, never shown inline by the portal.
"""

from __future__ import annotations

import re
import zlib

from .problems import Problem, Unacceptable

MAX_INFLATED = 32 * 1024 * 1024
ACTIVE_LONG = frozenset(
    {
        *(b"JavaScript", b"Launch", b"EmbeddedFile", b"EmbeddedFiles", b"RichMedia"),
        *(b"SubmitForm", b"ImportData", b"GoToE", b"GoToR"),
    }
)
ACTIVE_SHORT = frozenset({b"JS", b"AA", b"XFA"})
ACTIVE = ACTIVE_LONG | ACTIVE_SHORT
# Filters that are not a single FlateDecode: an object stream using them cannot be inspected.
_OTHER_FILTERS = frozenset(
    {
        *(b"ASCIIHexDecode", b"ASCII85Decode", b"LZWDecode", b"RunLengthDecode", b"CCITTFaxDecode"),
        *(b"JBIG2Decode", b"DCTDecode", b"JPXDecode", b"Crypt", b"AHx", b"A85", b"LZW", b"RL"),
        *(b"CCF", b"DCT", b"DecodeParms"),
    }
)
_FLATE = frozenset({b"FlateDecode", b"Fl"})

_HEADER = re.compile(rb"%PDF-(?:1\.[0-7]|2\.0)\s")
_STARTXREF = re.compile(rb"startxref\s+(\d{1,10})\s+%%EOF")
_ONLY_SPACE = re.compile(rb"[\s\x00]*\Z")
_XREF_AT = re.compile(rb"\s*(?:xref\b|\d{1,10}\s+\d{1,5}\s+obj\b)")
_OBJECT = re.compile(rb"\d{1,10}\s+\d{1,5}\s+obj\b")
_NAME = re.compile(rb"/([^\s\x00()<>\[\]{}/%]*)")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"\bstream\b[ \t\f\x00]*(?:\r\n|\r|\n)")
_VALUE = re.compile(rb"\s*(?:(\[)|(<<)|(\d{1,10})\s+(\d{1,5})\s+R\b)")
_FIRST = re.compile(rb"/First\s+(\d{1,10})")
_PAIR = re.compile(rb"\s*(\d{1,10})\s+(\d{1,10})")
_TAIL = 1024


def check_pdf(content: bytes) -> None:
    """Raises ``Unacceptable``: WRONG_TYPE without the skeleton, UNSAFE with active content or
    object streams that cannot be inspected."""
    if not is_structural_pdf(content):
        raise Unacceptable(Problem.WRONG_TYPE)
    outside, object_streams = _split(content)
    if _names(content) & ACTIVE_LONG or _names(outside) & ACTIVE_SHORT:
        raise Unacceptable(Problem.UNSAFE)
    objects: dict[int, bytes] = {}
    for inflated, first in object_streams:
        if _names(inflated) & ACTIVE:
            raise Unacceptable(Problem.UNSAFE)
        objects.update(_objects_in(inflated, first))
    for data in (content, *(inflated for inflated, _first in object_streams)):
        _check_open_actions(data, content, objects)


def is_structural_pdf(content: bytes) -> bool:
    """Header, trailer and a cross-reference the ``startxref`` offset really points at."""
    if not _HEADER.match(content):
        return False
    endings = list(_STARTXREF.finditer(content, max(0, len(content) - _TAIL)))
    if not endings or not _ONLY_SPACE.match(content, endings[-1].end()):
        return False  # the last one counts (incremental updates add more)
    offset = int(endings[-1].group(1))
    return (
        0 < offset < len(content)
        and _XREF_AT.match(content, offset) is not None
        and b"/Root" in content
        and _OBJECT.search(content) is not None
    )


def _decoded(name: bytes) -> bytes:
    return _ESCAPE.sub(lambda match: bytes([int(match.group(1), 16)]), name) if b"#" in name else name


def _names(data: bytes) -> set[bytes]:
    return {_decoded(match.group(1)) for match in _NAME.finditer(data)}


def _split(content: bytes) -> tuple[bytes, list[tuple[bytes, int]]]:
    """(the bytes outside stream data, [(inflated object stream, its /First)]).

    Every ``stream`` keyword is a possible start, also one that turns out to sit in a string: an
    object stream is found by the name ``/ObjStm`` between it and the keyword before, so no
    stream can hide another one from this search.
    """
    outside, object_streams, position, previous, inflated_total = [], [], 0, 0, 0
    for match in _STREAM.finditer(content):
        window = content[previous : match.start()]
        previous = match.end()
        end = content.find(b"endstream", match.end())
        if end < 0:
            end = len(content)
        if b"ObjStm" in _names(window):
            own = _names(window[window.rfind(b"endstream") + 1 :])  # not the stream data before it
            inflated = _inflated(content[match.end() : end], own, MAX_INFLATED - inflated_total)
            inflated_total += len(inflated)
            object_streams.append((inflated, _first(window)))
        if match.start() >= position:
            outside.append(content[position : match.end()])
            position = end
    outside.append(content[position:])
    return b"".join(outside), object_streams


def _inflated(data: bytes, names: set[bytes], room: int) -> bytes:
    """An object stream's objects; refuses one that cannot be inspected."""
    if names & _OTHER_FILTERS or not names & _FLATE:
        raise Unacceptable(Problem.UNSAFE)
    inflater = zlib.decompressobj()
    try:
        inflated = inflater.decompress(data, max(room, 0) + 1)
    except zlib.error:
        raise Unacceptable(Problem.UNSAFE) from None
    if len(inflated) > room or not _PAIR.match(inflated):  # too much, or still encoded (a chain)
        raise Unacceptable(Problem.UNSAFE)
    return inflated


def _first(window: bytes) -> int:
    found = _FIRST.findall(window)
    if not found:
        raise Unacceptable(Problem.UNSAFE)
    return int(found[-1])


def _objects_in(inflated: bytes, first: int) -> dict[int, bytes]:
    """The objects of an object stream by number: its header lists (number, offset) pairs."""
    pairs, position = [], 0
    while position < first and (match := _PAIR.match(inflated, position)) and match.end() <= first:
        pairs.append((int(match.group(1)), first + int(match.group(2))))
        position = match.end()
    bounds = [offset for _number, offset in pairs[1:]] + [len(inflated)]
    return {number: inflated[start:end] for (number, start), end in zip(pairs, bounds, strict=True)}


def _check_open_actions(data: bytes, content: bytes, objects: dict[int, bytes]) -> None:
    """``/OpenAction`` may only name a destination (an array), never an action (a dictionary)."""
    for name in _NAME.finditer(data):
        if _decoded(name.group(1)) != b"OpenAction":
            continue
        value = _VALUE.match(data, name.end())
        if value is None or value.group(2):
            raise Unacceptable(Problem.UNSAFE)
        if value.group(3) and not _is_array(int(value.group(3)), int(value.group(4)), content, objects):
            raise Unacceptable(Problem.UNSAFE)


def _is_array(number: int, generation: int, content: bytes, objects: dict[int, bytes]) -> bool:
    """Whether the object is an array: the last definition in the file wins (incremental updates)."""
    found = list(re.finditer(rb"(?<!\d)%d\s+%d\s+obj\s*" % (number, generation), content))
    if found:
        return content[found[-1].end() : found[-1].end() + 1] == b"["
    return objects.get(number, b"").lstrip()[:1] == b"["
