"""Contract tests: face and passport login, logout, current user, detect-face."""

import base64

import pytest

from api.models import LoginLog, PendingEnrolment, Person
from tests.conftest import data_url, make_person


@pytest.fixture
def obama(enrolled, photos):
    name = photos.names[0]
    return name, enrolled[name]


def test_face_login_signs_the_person_in_with_the_contract_shape(client, obama, photos):
    name, person = obama
    person.position = "mayor"
    person.save()
    response = client.post(
        "/api/face-login/", {"image": data_url(photos.others(name)[0])}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) == {"success", "message", "person", "confidence", "login_id"}
    assert body["success"] is True
    assert body["message"] == f"{person.short_name} tizimga kirdi"
    assert body["person"] == {
        "id": person.id,
        "full_name": person.full_name,
        "passport_series": person.passport_series,
        "passport_number": person.passport_number,
        "position": "mayor",
    }
    assert 60 <= body["confidence"] <= 100
    log = LoginLog.objects.get(pk=body["login_id"])
    assert (log.person, log.method, log.success, log.reason) == (person, "face", True, "ok")
    assert log.ip_address == "127.0.0.1" and log.similarity >= 0.35 and log.snapshot
    person.refresh_from_db()
    assert person.user is not None and person.user.username == person.passport


def test_session_cycle_face_login_current_user_logout(client, obama, photos):
    name, person = obama
    assert client.get("/api/current-user/").status_code == 401
    client.post("/api/face-login/", {"image": data_url(photos.others(name)[0])}, format="json")
    me = client.get("/api/current-user/")
    assert me.status_code == 200
    assert me.json()["user"] | {} == {
        "id": person.id,
        "username": person.passport,
        "full_name": person.full_name,
        "is_staff": False,
        "is_superuser": False,
        "photo_url": person.photo.url,
        "person_id": person.id,
    }
    out = client.post("/api/logout/", format="json")
    assert out.json() == {"success": True, "message": "Tizimdan chiqdingiz"}
    assert client.get("/api/current-user/").json() == {
        "success": False,
        "error": "Tizimga kirmagansiz",
    }


def test_face_login_without_a_face(client, db, photos):
    response = client.post(
        "/api/face-login/", {"image": data_url(photos.no_face[0])}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"success": False, "error": "Rasmda yuz topilmadi"}
    log = LoginLog.objects.get()
    assert (log.success, log.reason, log.method) == (False, "no_face", "face")


def test_face_login_of_a_stranger_is_refused_and_logged_with_the_candidate(
    client, enrolled, photos
):
    stranger = photos.names[-1]
    enrolled[stranger].delete()
    response = client.post(
        "/api/face-login/", {"image": data_url(photos.others(stranger)[0])}, format="json"
    )
    assert response.status_code == 401
    assert response.json() == {
        "success": False,
        "error": "Yuz tanilmadi. Iltimos, qaytadan urinib ko'ring yoki passport orqali kiring.",
    }
    log = LoginLog.objects.get()
    assert log.reason == "not_recognised" and not log.success and log.person is None
    assert log.similarity is not None and log.similarity < 0.35
    assert log.candidate is not None  # best candidate kept for tuning
    assert client.get("/api/current-user/").status_code == 401


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({}, "Noto'g'ri ma'lumot: image: Ushbu maydon to'ldirilishi shart."),
        ({"image": "%%%"}, "Rasm base64 formatida emas"),
        ({"image": base64.b64encode(b"GIF89a....").decode()}, None),
    ],
)
def test_face_login_rejects_bad_input_with_json_errors(client, db, payload, error):
    response = client.post("/api/face-login/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["success"] is False
    if error:
        assert response.json()["error"] == error


def test_passport_login_accepts_the_three_date_formats_and_loose_passport(client, db):
    person = make_person(
        full_name="Xamdamov Avzal Mavzurovich",
        passport_series="AD",
        passport_number="3145734",
        birth_date="1988-02-29",
    )
    for username, born in [
        ("AD3145734", "1988-02-29"),
        ("ad 3145734", "29.02.1988"),
        (" AD3145734 ", "29/02/1988"),
    ]:
        response = client.post(
            "/api/passport-login/", {"username": username, "birth_date": born}, format="json"
        )
        assert response.status_code == 200, response.json()
        assert response.json() == {
            "success": True,
            "message": "Xamdamov Avzal Mavzurovich tizimga kirdi",
            "user": {
                "id": person.id,
                "username": "AD3145734",
                "full_name": "Xamdamov Avzal Mavzurovich",
            },
        }
    assert LoginLog.objects.filter(method="passport", success=True).count() == 3


@pytest.mark.parametrize(
    ("username", "born"),
    [
        ("AD3145734", "1988-03-01"),
        ("AD3145735", "1988-02-29"),
        ("XX", "yesterday"),
        ("AD3145734", "31.02.1988"),
    ],
)
def test_passport_login_refuses_wrong_credentials_and_logs_them(client, db, username, born):
    make_person(passport_series="AD", passport_number="3145734", birth_date="1988-02-29")
    response = client.post(
        "/api/passport-login/", {"username": username, "birth_date": born}, format="json"
    )
    assert response.status_code == 401
    assert response.json() == {"success": False, "error": "Passport yoki tug'ilgan sana noto'g'ri"}
    assert (
        LoginLog.objects.filter(method="passport", success=False, reason="bad_credentials").count()
        == 1
    )


def test_passport_login_keeps_a_good_photo_as_a_pending_enrolment(client, db, photos):
    person = make_person(passport_series="AD", passport_number="3145734", birth_date="1988-02-29")
    image = data_url(photos.first(photos.names[0]))
    response = client.post(
        "/api/passport-login/",
        {"username": "AD3145734", "birth_date": "1988-02-29", "image": image},
        format="json",
    )
    assert response.status_code == 200
    pending = PendingEnrolment.objects.get()
    assert pending.person == person and pending.status == "pending"
    assert person.embeddings.count() == 0  # never enrolled silently
    assert LoginLog.objects.get().snapshot


def test_inactive_person_cannot_sign_in(client, db):
    make_person(
        passport_series="AD", passport_number="3145734", birth_date="1988-02-29", is_active=False
    )
    response = client.post(
        "/api/passport-login/", {"username": "AD3145734", "birth_date": "1988-02-29"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["success"] is False


def test_detect_face_reports_faces(client, db, photos):
    found = client.post(
        "/api/detect-face/", {"image": data_url(photos.first(photos.names[0]))}, format="json"
    )
    body = found.json()
    assert found.status_code == 200
    assert (body["success"], body["face_detected"], body["message"], body["face_count"]) == (
        True,
        True,
        "Yuz topildi",
        1,
    )
    none = client.post(
        "/api/detect-face/", {"image": data_url(photos.no_face[0])}, format="json"
    ).json()
    assert (none["face_detected"], none["message"], none["face_count"]) == (
        False,
        "Rasmda yuz topilmadi",
        0,
    )
    group_path, _ = photos.groups[0]
    assert (
        client.post("/api/detect-face/", {"image": data_url(group_path)}, format="json").json()[
            "face_count"
        ]
        > 1
    )
    assert LoginLog.objects.count() == 0  # detection is not a login attempt


def test_versioned_aliases_behave_identically(client, db):
    make_person(
        full_name="Ali Valiyev",
        passport_series="AD",
        passport_number="3145734",
        birth_date="1988-02-29",
    )
    response = client.post(
        "/api/v1/passport-login/",
        {"username": "AD3145734", "birth_date": "1988-02-29"},
        format="json",
    )
    assert response.status_code == 200
    assert client.get("/api/v1/current-user/").json()["user"]["username"] == "AD3145734"


def test_messages_follow_accept_language(client, db):
    response = client.post(
        "/api/passport-login/",
        {"username": "AD1", "birth_date": "x"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.json()["error"] == "Неверный паспорт или дата рождения"
    response = client.post("/api/logout/", format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["message"] == "You have signed out"


def test_client_ip_comes_from_forwarded_for_only_behind_a_trusted_proxy(client, db, settings):
    make_person(passport_series="AD", passport_number="3145734", birth_date="1988-02-29")
    body = {"username": "AD3145734", "birth_date": "1988-02-29"}
    client.post("/api/passport-login/", body, format="json", HTTP_X_FORWARDED_FOR="6.6.6.6")
    settings.TRUSTED_PROXY_COUNT = 1
    client.post(
        "/api/passport-login/", body, format="json", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.9"
    )
    assert list(LoginLog.objects.order_by("id").values_list("ip_address", flat=True)) == [
        "127.0.0.1",
        "10.0.0.9",
    ]
    assert Person.objects.count() == 1
