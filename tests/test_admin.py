"""The Django admin: lists, search, filters, enrolment from a photo, actions."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from api.models import FaceEmbedding, LoginLog, PendingEnrolment


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("boss", password="x")
    client.force_login(admin)
    return client


def test_lists_search_and_filters_render(admin_client, enrolled):
    person = next(iter(enrolled.values()))
    LoginLog.objects.create(
        person=person, method="face", success=True, reason="ok", confidence=80.0
    )
    for url in [
        "/admin/api/person/",
        "/admin/api/faceembedding/",
        "/admin/api/loginlog/",
        "/admin/api/pendingenrolment/",
        f"/admin/api/person/?q={person.passport_number}",
        "/admin/api/person/?department=1-IIB",
        "/admin/api/loginlog/?method__exact=face",
        f"/admin/api/person/{person.id}/change/",
    ]:
        response = admin_client.get(url)
        assert response.status_code == 200, url
    listing = admin_client.get(f"/admin/api/person/?q={person.passport_number}").content.decode()
    assert person.full_name in listing and "<img" in listing  # photo thumbnail
    assert admin_client.get("/admin/api/loginlog/add/").status_code == 403  # read-only


def test_adding_a_photo_in_the_admin_enrols_it(admin_client, photos, db):
    name = photos.names[0]
    photo = SimpleUploadedFile("p.jpg", photos.first(name).read_bytes(), content_type="image/jpeg")
    response = admin_client.post(
        "/admin/api/person/add/",
        {
            "full_name": "Admin Qo'shgan",
            "passport_series": "AZ",
            "passport_number": "1234567",
            "birth_date": "1990-01-01",
            "position": "",
            "department": "",
            "is_active": "on",
            "photo": photo,
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert FaceEmbedding.objects.filter(person__passport_number="1234567").count() == 1


def test_reembed_action_and_pending_photo_approval(admin_client, enrolled, photos):
    person = next(iter(enrolled.values()))
    response = admin_client.post(
        "/admin/api/person/", {"action": "reembed_selected", "_selected_action": [person.id]}
    )
    assert response.status_code == 302
    pending = PendingEnrolment(person=person, det_score=0.9)
    pending.photo.save(
        "pending.jpg", SimpleUploadedFile("x.jpg", photos.others(photos.names[0])[0].read_bytes())
    )
    admin_client.post(
        "/admin/api/pendingenrolment/", {"action": "approve", "_selected_action": [pending.id]}
    )
    pending.refresh_from_db()
    assert pending.status == "approved"
    assert person.embeddings.count() == 2
