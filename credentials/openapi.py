"""Describe the token scheme in the OpenAPI documents."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class AccessTokenScheme(OpenApiAuthenticationExtension):
    target_class = "credentials.authentication.AccessTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>` as returned by `POST /api/auth/login/`; valid on the issuing domain only.",
        }
