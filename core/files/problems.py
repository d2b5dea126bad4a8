"""What can be wrong with a file, as the checks of ``core.files`` say it before a caller words it."""

from __future__ import annotations

from enum import Enum


class Problem(Enum):
    TOO_LARGE = "too_large"  # more bytes than the caller takes
    EMPTY = "empty"
    WRONG_TYPE = "wrong_type"  # not one of the kinds the caller takes, or broken, or a polyglot
    TOO_MANY_PIXELS = "too_many_pixels"  # wider, higher or larger than the caller's limits
    UNSAFE = "unsafe"  # an SVG or PDF of the right kind that could run or fetch something


class Unacceptable(Exception):
    """Raised inside ``core.files``; ``check_upload`` turns it into the caller's ``FileRefused``.

    ``reason`` is a translated sentence saying what exactly is wrong (SVG only), for callers that
    show it instead of their own message.
    """

    def __init__(self, problem: Problem, reason: str = ""):
        super().__init__(problem.value)
        self.problem = problem
        self.reason = reason
