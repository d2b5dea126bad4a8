"""URLs of an organisation's host while its portal is suspended or inactive (tenants.middleware).

Its branding is served as usual, so that the page every other path answers with is in its colours.
"""

from django.urls import path, re_path

from configuration import media
from portal_web.views.auth import branding_css
from portal_web.views.unavailable import portal_unavailable

urlpatterns = [
    path("branding.css", branding_css, name="web-branding"),
    path("media/<str:schema>/branding/<str:path>", media.branding_file, name="branding-file"),
    path("favicon.ico", media.favicon, name="favicon"),
    re_path(r"", portal_unavailable, name="portal-unavailable"),
]

handler404 = "core.web_errors.not_found"
handler500 = "core.web_errors.server_error"
