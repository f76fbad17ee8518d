"""The engine on real photos: detection, embeddings, quality gates, small faces, the CLI."""

import itertools
import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from recognition import EMBEDDING_SIZE, cosine_similarity, decode_image
from recognition.calibration import confidence_to_similarity, similarity_to_confidence

ROOT = Path(__file__).resolve().parent.parent
ACCEPT = 0.35


def _run(engine, path):
    return engine.run(decode_image(path.read_bytes()))


def test_embeddings_are_512_d_and_unit_length(engine, photos):
    result = _run(engine, photos.first(photos.names[0]))
    assert result.embedding.shape == (EMBEDDING_SIZE,)
    assert np.isclose(np.linalg.norm(result.embedding), 1.0, atol=1e-4)


def test_same_person_scores_above_and_different_people_below_the_threshold(engine, photos):
    embeddings = {
        n: [_run(engine, p).embedding for p in photos.identities[n]] for n in photos.names
    }
    for name, vectors in embeddings.items():
        for a, b in itertools.combinations(vectors, 2):
            assert cosine_similarity(a, b) >= ACCEPT, name
    for (n1, v1), (n2, v2) in itertools.combinations(embeddings.items(), 2):
        assert cosine_similarity(v1[0], v2[0]) < ACCEPT, (n1, n2)


def test_no_face_images_give_no_result(engine, photos):
    for path in photos.no_face:
        assert _run(engine, path) is None, path


def test_group_photos_use_the_largest_face(engine, photos):
    for path, _ in photos.groups:
        image = decode_image(path.read_bytes())
        result = engine.run(image)
        faces = engine.detect(image)
        assert result.face_count == len(faces) > 1
        assert result.face.area == max(f.area for f in faces)


def test_a_small_face_in_a_large_frame_is_still_found(engine, photos):
    face_photo = cv2.imread(str(photos.first(photos.names[0])))
    small = cv2.resize(face_photo, None, fx=220 / face_photo.shape[1], fy=220 / face_photo.shape[1])
    canvas = np.full((2400, 3200, 3), 90, np.uint8)
    canvas[1500 : 1500 + small.shape[0], 2600 : 2600 + small.shape[1]] = small
    result = engine.run(canvas)
    assert result is not None
    assert result.face.bbox[0] > 2500


def test_quality_gates_refuse_dark_and_blurred_faces_with_a_reason(engine, photos):
    image = decode_image(photos.first(photos.names[0]).read_bytes())
    assert engine.run(image).problem is None
    dark = cv2.convertScaleAbs(image, alpha=0.12)
    assert engine.run(dark).problem == "too_dark"
    blurred = cv2.GaussianBlur(image, (0, 0), sigmaX=image.shape[1] / 60)
    blurred_result = engine.run(blurred)
    assert blurred_result is None or blurred_result.problem in {"too_blurry", "low_det_score"}


def test_confidence_is_monotone_and_60_at_the_accept_similarity():
    values = [similarity_to_confidence(s / 100, ACCEPT) for s in range(-20, 101)]
    assert values == sorted(values)
    assert similarity_to_confidence(ACCEPT, ACCEPT) == 60.0
    assert similarity_to_confidence(1.0, ACCEPT) == 100.0
    assert similarity_to_confidence(-0.3, ACCEPT) == 0.0
    assert confidence_to_similarity(60, ACCEPT) == pytest.approx(ACCEPT)
    assert confidence_to_similarity(similarity_to_confidence(0.7, ACCEPT), ACCEPT) == pytest.approx(
        0.7, abs=0.002
    )


def test_the_cli_compares_photos(photos):
    name = photos.names[0]
    other = next(n for n in photos.names if n != name)
    files = [photos.first(name), photos.others(name)[0], photos.first(other)]
    result = subprocess.run(
        [sys.executable, "-m", "recognition", "compare", *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    same, different = (json.loads(line) for line in result.stdout.splitlines())
    assert same["confidence"] >= 60 > different["confidence"]


def test_the_cli_reports_no_face_and_bad_files(photos, tmp_path):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not an image")
    result = subprocess.run(
        [sys.executable, "-m", "recognition", "detect", str(photos.no_face[0]), str(bad)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["face_count"] == 0
    assert lines[1]["error"] == "not_image"
    assert result.returncode == 1
