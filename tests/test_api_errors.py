"""One error shape everywhere, the OpenAPI schema, the health endpoint."""

import json
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/face-login/", 405),
        ("delete", "/api/logout/", 405),
        ("get", "/api/does-not-exist/", 404),
        ("get", "/api/v1/nothing/", 404),
        ("get", "/api/current-user/", 401),
        ("get", "/api/login-logs/", 401),
    ],
)
def test_every_api_error_has_the_one_shape(client, db, method, path, status):
    response = getattr(client, method)(path)
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"success", "error"} and body["success"] is False and body["error"]


def test_malformed_json_is_400(client, db):
    response = client.post("/api/face-login/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"success": False, "error": "So'rov tanasi noto'g'ri JSON"}


def test_a_json_array_body_is_400(client, db):
    response = client.post("/api/face-login/", data="[1, 2]", content_type="application/json")
    assert response.status_code == 400


def test_a_body_over_the_limit_is_413(client, db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(
        "/api/face-login/", data=json.dumps({"image": "A" * 5000}), content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json()["success"] is False


def test_a_server_error_is_json_500(client, db, monkeypatch):
    from api import selectors

    def boom(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "statistics_summary", boom)
    client.raise_request_exception = False
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_user("s", is_staff=True))
    response = client.get("/api/statistics/")
    assert response.status_code == 500
    assert response.json() == {"success": False, "error": "Server xatosi"}


def test_healthz_reports_database_and_model(client, db):
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True and body["database"]["vector"]
    assert body["model"]["files_present"] is True and body["model"]["name"] == "w600k_mbf"


def test_openapi_schema_describes_every_endpoint(client, db):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    paths = set(schema["paths"])
    for endpoint in [
        "face-login/",
        "passport-login/",
        "logout/",
        "current-user/",
        "statistics/",
        "person-statistics/{person_id}/",
        "login-logs/",
        "detect-face/",
    ]:
        assert "/api/" + endpoint in paths
    face_login = schema["paths"]["/api/face-login/"]["post"]
    assert {"200", "400", "401"} <= set(face_login["responses"])
    assert client.get("/api/docs/").status_code == 200


def test_openapi_schema_validates(client, db):
    from openapi_spec_validator import validate

    validate(yaml.safe_load(client.get("/api/schema/?format=json").content))


def test_postman_collection_covers_the_contract():
    collection = json.loads((ROOT / "docs" / "postman_collection.json").read_text())
    names = {item["name"] for item in collection["item"]}
    assert {"Face Login", "Passport Login", "Get Current User", "Logout"} <= names
    urls = {item["request"]["url"]["raw"] for item in collection["item"]}
    assert "http://localhost:8000/api/face-login/" in urls


def test_the_browsable_api_renders_for_testers(staff_client):
    page = staff_client.get("/api/statistics/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert "text/html" in page["Content-Type"]
    assert "total_persons" in page.content.decode()
    form = staff_client.get("/api/passport-login/", HTTP_ACCEPT="text/html")
    assert form.status_code == 405  # GET is not allowed, but the page still renders the POST form
    assert "<form" in form.content.decode()
