"""Contract tests: statistics across Tashkent day/week/month boundaries, logs, permissions."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from api.models import LoginLog
from api.selectors import statistics_summary
from tests.conftest import make_person

TASHKENT = ZoneInfo("Asia/Tashkent")


def _log(person, method, when, success=True, **extra):
    log = LoginLog.objects.create(
        person=person,
        method=method,
        success=success,
        reason="ok" if success else "not_recognised",
        **extra,
    )
    LoginLog.objects.filter(pk=log.pk).update(login_time=when)
    return log


@pytest.fixture
def history(db):
    """Logins around the boundaries of Wednesday 2025-12-17 10:00 in Tashkent (UTC+5)."""
    ali = make_person(full_name="Ali Valiyev", position="mayor", department="1-IIB")
    vali = make_person(full_name="Vali Aliyev")
    make_person(full_name="Nofaol", is_active=False)
    t = lambda *args: datetime(*args, tzinfo=TASHKENT)  # noqa: E731
    _log(ali, "face", t(2025, 12, 17, 0, 0, 5))  # today (just after local midnight)
    _log(ali, "face", t(2025, 12, 16, 23, 59, 50))  # yesterday local, same UTC day as above
    _log(vali, "passport", t(2025, 12, 15, 0, 0, 1))  # Monday: this week
    _log(vali, "face", t(2025, 12, 14, 23, 59))  # Sunday: last week, this month
    _log(ali, "passport", t(2025, 11, 30, 23, 0))  # last month
    _log(ali, "face", t(2025, 12, 17, 9, 0), success=False)  # failures are not logins
    return {"ali": ali, "vali": vali, "now": t(2025, 12, 17, 10, 0)}


def test_statistics_arithmetic_in_tashkent_time(history):
    assert statistics_summary(now=history["now"]) == {
        "total_persons": 2,
        "total_logins": 5,
        "today_logins": 1,
        "this_week_logins": 3,
        "this_month_logins": 4,
        "face_logins": 3,
        "passport_logins": 2,
        "face_login_percentage": 60.0,
        "passport_login_percentage": 40.0,
    }


def test_statistics_with_no_logins_is_zero_not_a_crash(staff_client):
    body = staff_client.get("/api/statistics/").json()
    assert body["success"] is True
    assert body["stats"]["face_login_percentage"] == 0.0
    assert body["stats"]["total_logins"] == 0


def test_statistics_endpoint_shape_and_permissions(history, staff_client, client):
    assert client.get("/api/statistics/").status_code == 401
    body = staff_client.get("/api/statistics/").json()
    assert body["success"] is True
    assert set(body["stats"]) == set(statistics_summary())
    assert body["stats"]["total_logins"] == 5
    person_client = APIClient()
    from api.services import person_user

    person_client.force_login(person_user(history["ali"]))
    assert person_client.get("/api/statistics/").status_code == 403


def test_person_statistics(history, staff_client):
    ali = history["ali"]
    body = staff_client.get(f"/api/person-statistics/{ali.id}/").json()
    assert body == {
        "success": True,
        "person": {
            "id": ali.id,
            "full_name": "Ali Valiyev",
            "passport": ali.passport,
            "position": "mayor",
            "department": "1-IIB",
        },
        "stats": {
            "total_logins": 3,
            "face_logins": 2,
            "passport_logins": 1,
            "last_login": "2025-12-17T00:00:05+05:00",
            "first_login": "2025-11-30T23:00:00+05:00",
        },
    }


def test_person_statistics_unknown_id_is_404_json(staff_client):
    response = staff_client.get("/api/person-statistics/999999/")
    assert response.status_code == 404
    assert response.json() == {"success": False, "error": "Shaxs topilmadi"}


def test_a_person_sees_only_their_own_statistics_and_logs(history):
    from api.services import person_user

    api = APIClient()
    api.force_login(person_user(history["vali"]))
    assert api.get(f"/api/person-statistics/{history['vali'].id}/").status_code == 200
    assert api.get(f"/api/person-statistics/{history['ali'].id}/").status_code == 403
    logs = api.get("/api/login-logs/").json()
    assert {log["person"]["id"] for log in logs["logs"]} == {history["vali"].id}
    assert api.get(f"/api/login-logs/?person_id={history['ali'].id}").status_code == 403


def test_login_logs_newest_first_with_filters(history, staff_client):
    body = staff_client.get("/api/login-logs/").json()
    assert body["success"] is True and body["count"] == 6 == len(body["logs"])
    times = [log["login_time"] for log in body["logs"]]
    assert times == sorted(times, reverse=True)
    first = body["logs"][0]
    assert set(first) >= {
        "id",
        "person",
        "login_method",
        "login_time",
        "confidence",
        "ip_address",
        "success",
    }
    ali = history["ali"]
    filtered = staff_client.get(f"/api/login-logs/?person_id={ali.id}&method=face&limit=2").json()
    assert filtered["count"] == 2
    assert all(
        log["person"]["id"] == ali.id and log["login_method"] == "face" for log in filtered["logs"]
    )
    assert filtered["total"] == 3
    dated = staff_client.get(
        "/api/login-logs/?date_from=2025-12-15&date_to=2025-12-16&success=true"
    ).json()
    assert dated["count"] == 2


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=100000", "method=sms", "person_id=abc", "date_from=32.13.2025"]
)
def test_login_logs_bad_filters_are_400_json(staff_client, query):
    response = staff_client.get(f"/api/login-logs/?{query}")
    assert response.status_code == 400
    assert response.json()["success"] is False
