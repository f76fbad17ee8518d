"""Active liveness: a still picture fails, a real head turn by the same person passes."""

import cv2
import numpy as np
import pytest

from api.models import LivenessChallenge, LoginLog
from recognition import decode_image, liveness
from tests.conftest import data_url
from tests.faces import turning_person


@pytest.fixture
def turning(photos, engine):
    found = turning_person(photos, engine)
    if found is None:
        pytest.skip("no person with both a frontal and a turned photo in this photo set")
    return found


def _burst(frontal, turned) -> list[np.ndarray]:
    a, b = decode_image(frontal.read_bytes()), decode_image(turned.read_bytes())
    return [a, a, b, b, np.ascontiguousarray(b[:, ::-1]), a]


def _encode(images) -> list[str]:
    import base64

    return [
        "data:image/jpeg;base64," + base64.b64encode(cv2.imencode(".jpg", i)[1]).decode()
        for i in images
    ]


@pytest.mark.parametrize("action", ["turn_left", "turn_right"])
def test_a_head_turn_passes_and_a_still_picture_fails(engine, turning, action):
    _, frontal, turned = turning
    frames = _burst(frontal, turned)
    verdict = liveness.check(engine, frames, action)
    assert verdict.passed, verdict.as_dict()
    still = liveness.check(engine, [frames[0]] * 6, action)
    assert (still.passed, still.reason) == (False, "action_not_seen")


def test_frames_of_two_different_people_fail(engine, photos, turning):
    _, frontal, turned = turning
    other = next(n for n in photos.names if n != turning[0])
    frames = [*_burst(frontal, turned), decode_image(photos.first(other).read_bytes())]
    assert liveness.check(engine, frames, "turn_left").reason == "different_faces"


def test_eye_openness_is_in_the_open_range_on_real_photos(engine, photos):
    for name in photos.names[:5]:
        image = decode_image(photos.first(name).read_bytes())
        result = engine.run(image)
        assert 0.15 < liveness.eye_openness(engine.landmarks(image, result.face)) < 0.6


@pytest.fixture
def challenge_on(settings):
    settings.FACE_LIVENESS = "challenge"
    return settings


def _challenge(client):
    body = client.post("/api/liveness/challenge/", format="json").json()
    assert body["success"] is True and body["action"] in {"turn_left", "turn_right"}
    assert body["instruction"] and body["expires_in"] == 20
    return body


def test_with_liveness_on_a_single_image_is_not_enough(client, enrolled, photos, challenge_on):
    name = photos.names[0]
    response = client.post(
        "/api/face-login/", {"image": data_url(photos.others(name)[0])}, format="json"
    )
    assert response.status_code == 400
    assert "Jonlilik" in response.json()["error"]
    assert LoginLog.objects.get().reason == "liveness"


def test_a_still_burst_is_refused_and_the_challenge_is_single_use(
    client, enrolled, photos, challenge_on
):
    name = photos.names[0]
    challenge = _challenge(client)
    still = [data_url(photos.first(name))] * 6
    body = {"challenge_id": challenge["challenge_id"], "frames": still}
    first = client.post("/api/face-login/", body, format="json")
    assert first.status_code == 401
    assert "Jonlilik tekshiruvidan o'tilmadi" in first.json()["error"]
    again = client.post("/api/face-login/", body, format="json")
    assert again.status_code == 400
    assert "muddati o'tgan yoki ishlatilgan" in again.json()["error"]
    assert list(LoginLog.objects.values_list("reason", "success")) == [("liveness", False)] * 2
    assert client.get("/api/current-user/").status_code == 401


def test_an_expired_challenge_is_refused(client, enrolled, photos, challenge_on):
    from django.utils import timezone

    challenge = _challenge(client)
    LivenessChallenge.objects.update(expires_at=timezone.now())
    body = {
        "challenge_id": challenge["challenge_id"],
        "frames": [data_url(photos.first(photos.names[0]))] * 3,
    }
    assert client.post("/api/face-login/", body, format="json").status_code == 400


def test_a_real_turn_by_an_enrolled_person_signs_them_in(client, enrolled, turning, challenge_on):
    name, frontal, turned = turning
    challenge = _challenge(client)
    frames = _encode(_burst(frontal, turned))
    response = client.post(
        "/api/face-login/",
        {"challenge_id": challenge["challenge_id"], "frames": frames},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["person"]["id"] == enrolled[name].id


def test_too_many_frames_are_refused(client, db, photos, challenge_on):
    challenge = _challenge(client)
    frames = [data_url(photos.no_face[0])] * 13
    response = client.post(
        "/api/face-login/",
        {"challenge_id": challenge["challenge_id"], "frames": frames},
        format="json",
    )
    assert response.status_code == 400
