"""Server-rendered pages; their data comes from the JSON API, except the roster upload."""

import json
import logging
import secrets
import threading
from pathlib import Path

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.db import close_old_connections, connection
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from api.models import Person
from api.roster import RosterError, import_roster, roster_template
from api.services import KIOSK_SESSION_KEY
from web.i18n import texts

logger = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 200 * 1024 * 1024


def _page_config(request, **extra) -> dict:
    """JSON the page scripts read: texts and settings."""
    return {
        "texts": texts(),
        "idle_seconds": settings.KIOSK_IDLE_SECONDS,
        "kiosk_session": bool(request.session.get(KIOSK_SESSION_KEY)),
        "liveness": settings.FACE_LIVENESS,
        **extra,
    }


@require_GET
def kiosk(request):
    return render(request, "web/kiosk.html", {"config": _page_config(request)})


@require_GET
def dashboard(request):
    if not request.user.is_authenticated:
        return redirect("/")
    person = Person.objects.filter(user=request.user).first()
    config = _page_config(
        request, is_staff=request.user.is_staff, person_id=person.id if person else None
    )
    display_name = (
        person.full_name if person else (request.user.get_full_name() or request.user.username)
    )
    context = {"person": person, "display_name": display_name, "config": config}
    return render(request, "web/dashboard.html", context)


@require_GET
def person_page(request, person_id: int):
    if not request.user.is_authenticated:
        return redirect("/")
    person = Person.objects.filter(pk=person_id).first()
    if person is None or not (request.user.is_staff or person.user_id == request.user.id):
        raise Http404
    config = _page_config(request, is_staff=request.user.is_staff, person_id=person.id)
    return render(request, "web/person.html", {"person": person, "config": config})


# -- roster upload -----------------------------------------------------------------------------


def _upload_dir(token: str) -> Path:
    if not token.isalnum() or len(token) > 64:
        raise Http404
    return Path(settings.DATA_DIR) / "uploads" / token


@staff_member_required(login_url="/admin/login/")
@require_GET
def roster_template_download(request):
    response = HttpResponse(roster_template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="xodimlar_namuna.xlsx"'
    return response


@staff_member_required(login_url="/admin/login/")
@require_http_methods(["GET", "POST"])
def upload_excel(request):
    if request.method == "GET":
        return render(request, "web/upload.html", {"config": _page_config(request)})
    roster = request.FILES.get("roster")
    photos = request.FILES.get("photos")
    error = None
    if roster is None:
        error = "Excel fayl tanlanmadi"
    elif roster.size > MAX_UPLOAD_BYTES or (photos and photos.size > MAX_UPLOAD_BYTES):
        error = "Fayl juda katta"
    if error:
        return render(
            request,
            "web/upload.html",
            {"config": _page_config(request), "error": error},
            status=400,
        )
    token = secrets.token_hex(16)
    folder = _upload_dir(token)
    folder.mkdir(parents=True)
    (folder / "roster.xlsx").write_bytes(roster.read())
    if photos:
        (folder / "photos.zip").write_bytes(photos.read())
    try:
        report = import_roster(folder / "roster.xlsx", photos=_photos_path(folder), dry_run=True)
    except RosterError as exc:
        context = {"config": _page_config(request), "error": exc.detail or exc.code}
        return render(request, "web/upload.html", context, status=400)
    context = {
        "config": _page_config(request),
        "report": report,
        "token": token,
        "file_name": roster.name,
    }
    return render(request, "web/upload.html", context)


def _photos_path(folder: Path) -> Path | None:
    path = folder / "photos.zip"
    return path if path.exists() else None


@staff_member_required(login_url="/admin/login/")
@require_POST
def upload_import(request, token: str):
    folder = _upload_dir(token)
    if not (folder / "roster.xlsx").exists():
        raise Http404
    status_file = folder / "status.json"
    if status_file.exists():
        return JsonResponse({"started": False, **json.loads(status_file.read_text())})
    status_file.write_text(json.dumps({"state": "running", "done": 0, "total": 0}))
    threading.Thread(target=_run_import, args=(folder,), daemon=True).start()
    return JsonResponse({"started": True, "state": "running"})


def _run_import(folder: Path) -> None:
    status_file = folder / "status.json"

    def progress(done: int, total: int) -> None:
        status_file.write_text(json.dumps({"state": "running", "done": done, "total": total}))

    close_old_connections()
    try:
        report = import_roster(
            folder / "roster.xlsx", photos=_photos_path(folder), progress=progress
        )
        state = {"state": "done", "report": report.as_dict()}
    except Exception as exc:  # reported on the page; the upload itself stays for a retry
        logger.exception("roster import failed")
        state = {"state": "failed", "error": str(exc)}
    finally:
        connection.close()
    status_file.write_text(json.dumps(state, default=str, ensure_ascii=False))


@staff_member_required(login_url="/admin/login/")
@require_GET
def upload_status(request, token: str):
    status_file = _upload_dir(token) / "status.json"
    if not status_file.exists():
        raise Http404
    return FileResponse(open(status_file, "rb"), content_type="application/json")
