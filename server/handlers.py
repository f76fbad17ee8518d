"""Django-level error pages: the one JSON error shape under /api/, HTML elsewhere."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404
from django.utils._os import safe_join
from django.views import defaults

from api.errors import json_error
from api.models import FaceEmbedding, LoginLog, Person


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def api_not_found(request, *args, **kwargs):
    return json_error(request, 404, "not_found")


def bad_request(request, exception=None):
    if _is_api(request):
        return json_error(request, 400, "invalid", detail=str(exception or ""))
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if _is_api(request):
        return json_error(request, 403, "permission_denied")
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if _is_api(request):
        return json_error(request, 404, "not_found")
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return json_error(request, 500, "server_error")
    return defaults.server_error(request)


def media(request, name: str):
    """Serve photos and snapshots: biometric data, so staff see all and a person their own."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_staff and not _owns(request.user, name):
        raise Http404
    try:
        path = safe_join(str(settings.MEDIA_ROOT), name)
        return FileResponse(open(path, "rb"))
    except (OSError, ValueError):
        raise Http404 from None


def _owns(user, name: str) -> bool:
    person = Person.objects.filter(user=user).first()
    if person is None:
        return False
    return (
        person.photo.name == name
        or FaceEmbedding.objects.filter(person=person, source_photo=name).exists()
        or LoginLog.objects.filter(person=person, snapshot=name).exists()
    )
