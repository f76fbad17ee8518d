"""Re-compute embeddings from stored photos with a model: streamed, batched, resumable.

Sources are every photo a person has (their enrolled source photos and their main photo).
A checkpoint file in DATA_DIR records the last person done, so an interrupted run resumes
where it stopped; writes are upserts by (person, model, photo fingerprint), so repeating a
person is harmless anyway. Memory stays flat: persons are streamed in id order.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet

from api import face
from api.models import FaceEmbedding, Person
from recognition import FaceEngine, ImageError, get_engine


@dataclass
class ReembedReport:
    model_name: str
    persons: int = 0
    done: int = 0
    failed: int = 0
    seconds: float = 0.0
    resumed_after: int | None = None

    @property
    def faces_per_second(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0


def checkpoint_path(model_name: str) -> Path:
    return Path(settings.DATA_DIR) / f"reembed-{model_name}.json"


def _photos(person: Person) -> Iterable[tuple[bytes, str, str]]:
    """(bytes, stored name, sha256) of each distinct photo of a person (distinct by content)."""
    seen = set()
    files = [e.source_photo for e in person.embeddings.all() if e.source_photo]
    if person.photo:
        files.append(person.photo)
    for field_file in files:
        try:
            with field_file.storage.open(field_file.name, "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest not in seen:
            seen.add(digest)
            yield data, field_file.name, digest


def reembed(
    *,
    model: str | None = None,
    only_missing: bool = False,
    batch_size: int = 64,
    persons: QuerySet[Person] | None = None,
    progress: Callable[[int, int], None] | None = None,
    resume: bool = True,
) -> ReembedReport:
    engine = get_engine(face.engine_config(model))
    report = ReembedReport(model_name=engine.model_name)
    queryset = (persons if persons is not None else Person.objects.all()).order_by("id")
    # Only people with a photo to embed: a roster of thousands without photos costs nothing.
    queryset = queryset.filter(Q(embeddings__isnull=False) | ~Q(photo="")).distinct()
    if only_missing:
        queryset = queryset.exclude(embeddings__model_name=engine.model_name)
    checkpoint = checkpoint_path(engine.model_name) if persons is None else None
    if checkpoint and resume and checkpoint.exists():
        report.resumed_after = json.loads(checkpoint.read_text())["last_person_id"]
        queryset = queryset.filter(id__gt=report.resumed_after)
    total = queryset.count()
    started = time.perf_counter()
    batch: list[Person] = []
    for person in queryset.prefetch_related("embeddings").iterator(chunk_size=batch_size):
        batch.append(person)
        if len(batch) >= batch_size:
            _run_batch(engine, batch, report, checkpoint)
            batch = []
            if progress:
                progress(report.persons, total)
    if batch:
        _run_batch(engine, batch, report, checkpoint)
        if progress:
            progress(report.persons, total)
    report.seconds = time.perf_counter() - started
    if checkpoint:
        checkpoint.unlink(missing_ok=True)
    return report


def _run_batch(
    engine: FaceEngine, persons: list[Person], report: ReembedReport, checkpoint: Path | None
) -> None:
    with transaction.atomic():
        for person in persons:
            for data, name, digest in _photos(person):
                _reembed_photo(engine, person, data, name, digest, report)
            report.persons += 1
    if checkpoint:
        checkpoint.write_text(json.dumps({"last_person_id": persons[-1].id}))


def _reembed_photo(
    engine: FaceEngine, person: Person, data: bytes, name: str, digest: str, report: ReembedReport
) -> None:
    try:
        result = engine.run(face.decode(data))
    except ImageError:
        result = None
    if result is None or result.problem:
        report.failed += 1
        return
    FaceEmbedding.objects.update_or_create(
        person=person,
        model_name=engine.model_name,
        source_sha256=digest,
        defaults={
            "embedding": result.embedding,
            "det_score": result.face.det_score,
            "quality": result.quality.score,
            "source_photo": name,
        },
    )
    report.done += 1
