"""OpenAPI extensions: describe our session authentication to drf-spectacular."""

from drf_spectacular.authentication import SessionScheme


class CsrfExemptSessionScheme(SessionScheme):
    target_class = "api.authentication.CsrfExemptSessionAuthentication"
    name = "cookieAuth"
