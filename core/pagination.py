"""Page numbers for every API list (REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"]).

DRF's own class, with a ``page_size`` parameter (at most 100), and ``next`` and ``previous`` links on
the address the client used (core.links: scheme, host and port, behind trusted proxies as
forwarded).
"""

from __future__ import annotations

from rest_framework import pagination
from rest_framework.utils.urls import remove_query_param, replace_query_param

from .links import absolute_uri


class PageNumberPagination(pagination.PageNumberPagination):
    # 25 a page unless the client asks for up to 100 (the staff console's page-size menu); more is
    # clamped to 100, so no request can read a whole table at once.
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_next_link(self) -> str | None:
        if not self.page.has_next():
            return None
        return replace_query_param(
            absolute_uri(self.request), self.page_query_param, self.page.next_page_number()
        )

    def get_previous_link(self) -> str | None:
        if not self.page.has_previous():
            return None
        here = absolute_uri(self.request)
        number = self.page.previous_page_number()
        if number == 1:
            return remove_query_param(here, self.page_query_param)
        return replace_query_param(here, self.page_query_param, number)
