"""Re-embedding from stored photos: all, only missing, another model name, resume."""

import json

import pytest
from django.core.management import call_command

from api import reembed as reembed_module
from api.models import FaceEmbedding
from api.reembed import checkpoint_path, reembed


def test_it_recomputes_every_embedding_in_place(enrolled):
    before = dict(FaceEmbedding.objects.values_list("id", "embedding"))
    report = reembed()
    assert report.done == len(enrolled) and report.failed == 0
    assert set(FaceEmbedding.objects.values_list("id", flat=True)) == set(before)  # upserted
    assert report.faces_per_second > 0


def test_only_missing_skips_people_who_have_one(enrolled):
    victim = next(iter(enrolled.values()))
    victim.embeddings.all().delete()
    # The photo stays on the person, so it can be re-embedded.
    report = reembed(only_missing=True)
    assert report.persons == 1 and report.done == 1
    assert victim.embeddings.count() == 1


def test_it_resumes_after_an_interruption(enrolled, monkeypatch, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    calls = {"n": 0}
    real = reembed_module._reembed_photo

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(reembed_module, "_reembed_photo", flaky)
    with pytest.raises(KeyboardInterrupt):
        reembed(batch_size=1)
    saved = json.loads(checkpoint_path("w600k_mbf").read_text())
    ids = sorted(p.id for p in enrolled.values())
    assert saved["last_person_id"] == ids[0]  # the first batch (one person) committed
    monkeypatch.setattr(reembed_module, "_reembed_photo", real)
    report = reembed(batch_size=1)
    assert report.resumed_after == ids[0]
    assert report.persons == len(ids) - 1
    assert not checkpoint_path("w600k_mbf").exists()


def test_the_management_command_prints_faces_per_second(enrolled, capsys, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    call_command("reembed", "--batch-size", "5")
    out = capsys.readouterr().out
    assert f"faces={len(enrolled)}" in out and "faces/s=" in out
