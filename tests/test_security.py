"""Each defence with a test that tries the attack."""

import base64
import io
import json
import os
import secrets
import struct
import subprocess
import sys
import textwrap
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from PIL import Image

from api import services
from api.models import FaceEmbedding, LoginLog, Person
from tests.conftest import data_url, make_person

ROOT = Path(__file__).resolve().parent.parent
WRONG = {"username": "AD3145734", "birth_date": "1988-03-01"}
RIGHT = {"username": "AD3145734", "birth_date": "1988-02-29"}


@pytest.fixture
def officer(db):
    return make_person(full_name="Xamdamov Avzal", passport_series="AD", passport_number="3145734",
                       birth_date="1988-02-29")  # fmt: skip


# -- brute force --------------------------------------------------------------------------------


def test_the_sixth_wrong_birth_date_is_refused_with_429_even_when_right(client, officer):
    statuses = [
        client.post("/api/passport-login/", WRONG, format="json").status_code for _ in range(5)
    ]
    assert statuses == [401] * 5
    response = client.post("/api/passport-login/", RIGHT, format="json")
    assert response.status_code == 429
    body = response.json()
    assert body["success"] is False and "soniyadan keyin" in body["error"]
    assert 1 <= int(response["Retry-After"]) <= 900
    assert LoginLog.objects.filter(reason="rate_limited", username="AD3145734").count() == 1
    assert LoginLog.objects.count() == 6  # every attempt, refused or not, is logged


def test_a_correct_login_after_the_lockout_window_works(client, officer):
    for _ in range(6):
        client.post("/api/passport-login/", WRONG, format="json")
    # The clock: move the failures back beyond the 15-minute window.
    LoginLog.objects.update(login_time=timezone.now() - timedelta(minutes=16))
    assert client.post("/api/passport-login/", RIGHT, format="json").status_code == 200


def test_failures_per_client_ip_are_limited_across_passports(client, db, settings):
    settings.PASSPORT_IP_MAX_FAILURES = 3
    for n in range(3):
        body = {"username": f"AB{n:07d}", "birth_date": "1990-01-01"}
        assert client.post("/api/passport-login/", body, format="json").status_code == 401
    body = {"username": "AB7777777", "birth_date": "1990-01-01"}
    assert client.post("/api/passport-login/", body, format="json").status_code == 429


GUESSER = textwrap.dedent(
    """
    import json, sys
    from django.conf import settings
    settings.DATABASES["default"]["NAME"] = sys.argv[1]
    import django
    django.setup()
    from django.test.utils import setup_test_environment
    setup_test_environment()
    from django.test import Client
    client = Client()
    codes = [client.post("/api/passport-login/", {"username": "AD3145734", "birth_date": d},
                         content_type="application/json").status_code
             for d in ("1988-03-01", "1988-03-02", "1988-03-03")]
    print(json.dumps(codes))
    """
)


@pytest.mark.django_db(transaction=True)
def test_limits_hold_across_worker_processes(officer):
    """Three processes guess at once (9 guesses): exactly 5 are checked, 4 refused with 429."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="server.settings_test")
    guessers = [
        subprocess.Popen([sys.executable, "-c", GUESSER, connection.settings_dict["NAME"]],
                         cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]  # fmt: skip
    codes = []
    for guesser in guessers:
        out, err = guesser.communicate(timeout=240)
        assert guesser.returncode == 0, err
        codes += json.loads(out.strip().splitlines()[-1])
    assert sorted(codes) == [401] * 5 + [429] * 4
    assert LoginLog.objects.filter(username="AD3145734").count() == 9


def test_face_logins_are_limited_per_ip_per_minute(client, db, photos, settings):
    settings.FACE_LOGINS_PER_MINUTE = 3
    image = data_url(photos.no_face[0])
    codes = [
        client.post("/api/face-login/", {"image": image}, format="json").status_code
        for _ in range(4)
    ]
    assert codes == [400, 400, 400, 429]
    assert LoginLog.objects.filter(method="face").count() == 4


# -- cross-site ----------------------------------------------------------------------------------


def test_a_post_from_a_foreign_origin_is_refused(client, officer):
    for header in ({"HTTP_ORIGIN": "https://evil.example"}, {"HTTP_REFERER": "https://evil.example/x"},
                   {"HTTP_ORIGIN": "null"}):  # fmt: skip
        response = client.post("/api/passport-login/", RIGHT, format="json", **header)
        assert response.status_code == 403
        assert response.json() == {
            "success": False,
            "error": "Boshqa saytdan yuborilgan so'rov rad etildi",
        }
    assert LoginLog.objects.count() == 0
    response = client.post("/api/logout/", HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403


def test_the_contracts_own_calls_still_work(client, officer, settings):
    same_site = client.post(
        "/api/passport-login/", RIGHT, format="json", HTTP_ORIGIN="http://testserver"
    )
    assert same_site.status_code == 200
    settings.CSRF_TRUSTED_ORIGINS = ["https://kiosk.example.uz"]
    trusted = client.post(
        "/api/logout/", HTTP_ORIGIN="https://kiosk.example.uz", content_type="application/json"
    )
    assert trusted.status_code == 200


def test_non_json_bodies_are_refused(client, officer):
    form = client.post("/api/passport-login/", RIGHT)  # multipart, as an HTML form would send
    assert form.status_code == 415
    text = client.post("/api/passport-login/", "username=AD3145734", content_type="text/plain")
    assert text.status_code == 415
    assert LoginLog.objects.count() == 0


# -- bad input -----------------------------------------------------------------------------------


def _png_bomb() -> bytes:
    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1024))
    )


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (120, 120, 120)).save(buffer, "JPEG")
    return buffer.getvalue()


HOSTILE = [
    ("zero bytes", "data:image/jpeg;base64,", 400, "Rasm yuborilmadi"),
    ("truncated jpeg", "data:image/jpeg;base64," + base64.b64encode(_jpeg()[:150]).decode(), 400,
     "Rasm fayli buzilgan yoki to'liq emas"),
    ("png 50000x50000", base64.b64encode(_png_bomb()).decode(), 400,
     "Rasm o'lchami juda katta (ko'pi bilan 40 megapiksel)"),
    ("gif", base64.b64encode(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;").decode(), 400,
     "Fayl rasm emas yoki formati qo'llab-quvvatlanmaydi (JPEG, PNG, WebP)"),
    ("svg", base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>").decode(), 400,
     "Fayl rasm emas yoki formati qo'llab-quvvatlanmaydi (JPEG, PNG, WebP)"),
    ("non-base64", "data:image/jpeg;base64,@@@not*base64@@@", 400, "Rasm base64 formatida emas"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("label", "image", "status", "error"), HOSTILE, ids=[h[0] for h in HOSTILE]
)
@pytest.mark.parametrize("endpoint", ["/api/face-login/", "/api/detect-face/"])
def test_hostile_images_get_the_documented_errors(
    client, db, endpoint, label, image, status, error
):
    response = client.post(endpoint, {"image": image}, format="json")
    assert response.status_code == status, label
    assert response.json() == {"success": False, "error": error}


def test_a_20_mb_base64_image_is_413(client, db):
    huge = "data:image/jpeg;base64," + "A" * (20 * 1024 * 1024)
    response = client.post("/api/face-login/", {"image": huge}, format="json")
    assert response.status_code == 413
    assert response.json()["success"] is False
    assert LoginLog.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [{"image": None}, {"image": 123456}, {"image": ["a"]}, {"image": {"x": 1}}, {"image": "", "extra": 1},
     {"username": "AD3145734", "birth_date": "1988-02-29", "is_staff": True}],
)  # fmt: skip
def test_wrong_types_and_unexpected_fields_are_400(client, db, body):
    endpoint = "/api/passport-login/" if "username" in body else "/api/face-login/"
    response = client.post(endpoint, body, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["success"] is False


# -- biometric data ---------------------------------------------------------------------------------


def test_deleting_a_person_deletes_embeddings_and_photo_files(enrolled, photos):
    person = next(iter(enrolled.values()))
    files = [person.photo.path] + [e.source_photo.path for e in person.embeddings.all()]
    assert all(os.path.exists(f) for f in files)
    services.delete_person(person=person)
    assert not FaceEmbedding.objects.filter(person_id=person.id).exists()
    assert not Person.objects.filter(pk=person.pk).exists()
    assert not any(os.path.exists(f) for f in files)


def test_snapshots_are_purged_after_the_retention_period(client, db, photos, capsys):
    for _ in range(2):
        client.post("/api/face-login/", {"image": data_url(photos.no_face[0])}, format="json")
    old, new = LoginLog.objects.order_by("id")
    LoginLog.objects.filter(pk=old.pk).update(login_time=timezone.now() - timedelta(days=91))
    old_path, new_path = old.snapshot.path, new.snapshot.path
    call_command("purge_snapshots")
    assert "purged 1" in capsys.readouterr().out
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.snapshot.name == "" and not os.path.exists(old_path)
    assert new.snapshot and os.path.exists(new_path)


# -- production mode ---------------------------------------------------------------------------------

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "login.example.uz",
    "SECURE_HTTPS": "1",
    "BEHIND_PROXY": "1",
    "FACE_LIVENESS": "challenge",
}


def _deploy_check(**env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "server.settings", **PRODUCTION, **env}
    environment.setdefault("DATA_DIR", str(settings.DATA_DIR))
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT, env=environment, capture_output=True, text=True, timeout=180)  # fmt: skip


def test_check_deploy_is_clean_with_the_readme_production_settings():
    result = _deploy_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_liveness_is_off():
    result = _deploy_check(FACE_LIVENESS="off")
    assert result.returncode != 0
    assert "chilonzor.W001" in result.stdout + result.stderr
