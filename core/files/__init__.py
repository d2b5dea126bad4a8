"""Every uploaded file is checked here, by its content, with one set of rules.

A file's kind is recognised by its bytes, never by its name or declared type: ``%PDF-`` starts a
PDF (``core.files.pdf``), markup may be an SVG (``core.files.svg``, an allow-list), anything else
must be a raster image Pillow decodes (``core.files.images``: PNG, JPEG, WebP, ICO). Each caller
declares what it takes in ``UploadRules`` (kinds, bytes, pixels, optional re-encoding) and how
each ``Problem`` is told to the person (code and message, so the API and pages keep their
wording), and gets a ``CheckedFile`` or a ``FileRefused`` (a ``RuleViolation`` for its field).

Callers: logos and favicons (configuration.uploads), customer documents (documents.content),
help-request attachments (support.attachments), meter photos (moves.photos).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from core.errors import RuleViolation

from .images import MEDIA_TYPES as IMAGE_MEDIA_TYPES
from .images import Reencode, check_image
from .pdf import check_pdf
from .problems import Problem, Unacceptable
from .svg import check_svg, looks_like_markup

__all__ = ["CheckedFile", "FileRefused", "Problem", "Reencode", "Refusal", "UploadRules", "check_upload"]

MEDIA_TYPES = {**IMAGE_MEDIA_TYPES, "svg": "image/svg+xml", "pdf": "application/pdf"}
EXTENSIONS = {"jpeg": "jpg"}  # every other kind is its own extension
DEFAULT_MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class Refusal:
    """How a caller tells one problem: its error code and message. The message may use
    ``%(size)s`` (the caller's byte limit in KB) and ``%(limit)s`` (its pixel limit a side); no
    message means the check's own reason (what exactly is wrong in an SVG)."""

    code: str
    message: str | None = None


@dataclass(frozen=True)
class UploadRules:
    """What a caller takes. ``refusals`` must word ``Problem.WRONG_TYPE`` and ``Problem.TOO_LARGE``;
    any other problem it does not word is told as the wrong type."""

    accept: frozenset[str]  # kinds: png, jpeg, webp, ico, svg, pdf
    max_bytes: int
    refusals: dict[Problem, Refusal]
    max_side: int | None = None  # pixels, width and height each
    max_pixels: int = DEFAULT_MAX_PIXELS
    reencode: Reencode | None = None  # images are stored as a fresh JPEG (see Reencode)


@dataclass(frozen=True)
class CheckedFile:
    kind: str
    content: bytes  # what to store: the upload, or its re-encoding

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.kind]

    @property
    def extension(self) -> str:
        return EXTENSIONS.get(self.kind, self.kind)

    @property
    def filename(self) -> str:
        """Named by content: the same file is stored under the same name, and names reveal nothing."""
        return f"{hashlib.sha256(self.content).hexdigest()[:16]}.{self.extension}"


class FileRefused(RuleViolation):
    code = "invalid_file"

    def __init__(self, message: str, *, code: str, field: str, problem: Problem):
        super().__init__(message, code=code, field=field)
        self.problem = problem


def check_upload(source, rules: UploadRules, *, field: str) -> CheckedFile:
    """Check an upload (bytes, or a file to read) against the caller's rules.

    Raises ``FileRefused`` with the caller's code and message for ``field``.
    """
    try:
        content = _read(source, rules.max_bytes)
        kind, stored = _judge(content, rules)
    except Unacceptable as unacceptable:
        raise _refused(unacceptable, rules, field) from None
    return CheckedFile(kind=kind, content=stored)


def _read(source, limit: int) -> bytes:
    content = source if isinstance(source, bytes) else source.read(limit + 1)
    if len(content) > limit:
        raise Unacceptable(Problem.TOO_LARGE)
    if not content:
        raise Unacceptable(Problem.EMPTY)
    return content


def _judge(content: bytes, rules: UploadRules) -> tuple[str, bytes]:
    if content.startswith(b"%PDF-"):
        _taken("pdf", rules)
        check_pdf(content)
        return "pdf", content
    if looks_like_markup(content):
        _taken("svg", rules)
        check_svg(content)
        return "svg", content
    return check_image(
        content,
        accept=rules.accept,
        max_side=rules.max_side,
        max_pixels=rules.max_pixels,
        reencode=rules.reencode,
    )


def _taken(kind: str, rules: UploadRules) -> None:
    if kind not in rules.accept:
        raise Unacceptable(Problem.WRONG_TYPE)


def _refused(unacceptable: Unacceptable, rules: UploadRules, field: str) -> FileRefused:
    refusal = rules.refusals.get(unacceptable.problem) or rules.refusals[Problem.WRONG_TYPE]
    if refusal.message is None:
        message = unacceptable.reason or str(rules.refusals[Problem.WRONG_TYPE].message)
    else:
        message = str(refusal.message) % {"size": rules.max_bytes // 1024, "limit": rules.max_side}
    return FileRefused(message, code=refusal.code, field=field, problem=unacceptable.problem)
