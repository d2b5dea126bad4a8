"""Filtering for the staff lists of billing data: a bad filter value is a 400, never silently ignored.

The ordering filter lives in core.api_lists, the one standard of every staff list; this name stays
for the modules that import it from here.
"""

from __future__ import annotations

from core.api_lists import StrictOrderingFilter

__all__ = ["StrictOrderingFilter"]
