"""Refuse cross-site use of the CSRF-exempt JSON API, and non-JSON bodies on it.

The contract's JavaScript posts JSON without a CSRF token, so the API cannot rely on Django's
CSRF check. Browsers send ``Origin`` (or at least ``Referer``) with every cross-site POST;
a state-changing request whose origin is not this site or a trusted origin is refused.
Requests with neither header come from non-browser clients (curl, Postman) and are allowed.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost

from api.errors import json_error

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else "null"


class ApiRequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/") and request.method not in SAFE_METHODS:
            refusal = self._refusal(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def _refusal(self, request):
        try:
            own = f"{request.scheme}://{request.get_host()}".lower()
        except DisallowedHost:
            return json_error(request, 400, "invalid", detail="Host")
        allowed = {own, *(o.lower().rstrip("/") for o in settings.CSRF_TRUSTED_ORIGINS)}
        origin = request.headers.get("Origin")
        referer = request.headers.get("Referer")
        claimed = origin if origin is not None else (_origin(referer) if referer else None)
        if claimed is not None and claimed.lower().rstrip("/") not in allowed:
            return json_error(request, 403, "cross_site")
        content_length = request.headers.get("Content-Length", "0") or "0"
        content_type = request.content_type or ""
        has_body = content_length != "0" or "Transfer-Encoding" in request.headers
        if has_body and content_type != "application/json":
            return json_error(request, 415, "unsupported_media")
        return None
