import base64
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from api import face, services
from api.models import Person
from tests.faces import photo_set


def pytest_report_header(config):
    return f"face photos: {photo_set().source}"


@pytest.fixture(scope="session")
def photos():
    return photo_set()


@pytest.fixture(scope="session")
def engine():
    return face.engine()


def data_url(path: Path) -> str:
    mime = "image/png" if path.suffix.lower() == ".png" else "image/jpeg"
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode()


_passport_counter = iter(range(1000000, 9999999))


def make_person(**fields) -> Person:
    number = f"{next(_passport_counter):07d}"
    defaults = {
        "full_name": f"Test Shaxs {number}",
        "passport_series": "AA",
        "passport_number": number,
        "birth_date": "1990-01-01",
        "position": "leytenant",
        "department": "1-IIB",
    }
    return Person.objects.create(**(defaults | fields))


@pytest.fixture
def enrolled(db, photos):
    """Every dev identity as a Person with their first photo enrolled: name -> Person."""
    people = {}
    for name in photos.names:
        person = make_person(full_name=name.replace("_", " ") + " Testovich")
        outcome = services.enrol_photo(person=person, photo_bytes=photos.first(name).read_bytes())
        assert outcome.enrolled, (name, outcome.reason)
        people[name] = person
    return people


@pytest.fixture
def client():
    return APIClient()


@pytest.fixture
def staff_client(db, django_user_model):
    user = django_user_model.objects.create_user("navbatchi", password="x", is_staff=True)
    api = APIClient()
    api.force_login(user)
    return api
