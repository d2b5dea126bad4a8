"""Describe the token scheme in the OpenAPI documents.

An API key in the ``Authorization`` header, because the scheme word is ``Token``, not ``Bearer``:
generated clients send it as given (openapi-python-client: ``AuthenticatedClient(token=key,
prefix="Token")``), while an ``http`` scheme would make them send ``Bearer``.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class AccessTokenScheme(OpenApiAuthenticationExtension):
    target_class = "memberships.authentication.AccessTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Send `Authorization: Token <key>` (the word `Token`, a space, the key; "
            "not `Bearer <key>`) with the key from `POST /api/auth/login/` on the same domain: a key "
            "is valid only on the domain that issued it.",
        }
