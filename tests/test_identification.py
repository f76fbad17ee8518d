"""Identification as one pgvector query, on real photos."""

import numpy as np
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api import face
from api.models import FaceEmbedding, Person
from api.selectors import identify_face, sql, vector_literal
from recognition import decode_image


def _embedding(path):
    return face.analyse(decode_image(path.read_bytes())).embedding


def test_each_enrolled_person_is_identified_from_another_photo(enrolled, photos):
    model = face.current_model_name()
    for name, person in enrolled.items():
        for path in photos.others(name):
            with CaptureQueriesContext(connection) as queries:
                match = identify_face(embedding=_embedding(path), model_name=model)
            assert len(queries) == 1  # ONE statement, no Python loop over people
            assert match.person_id == person.id, (name, path.name)
            assert match.similarity >= 0.35


def test_a_person_not_enrolled_is_refused(enrolled, photos):
    absent = photos.names[-1]
    enrolled[absent].delete()
    model = face.current_model_name()
    for path in photos.identities[absent]:
        match = identify_face(embedding=_embedding(path), model_name=model)
        assert match is None or match.similarity < 0.35, path.name


def test_inactive_people_and_other_models_are_not_matched(enrolled, photos):
    name = photos.names[0]
    probe = _embedding(photos.others(name)[0])
    enrolled[name].is_active = False
    enrolled[name].save(update_fields=["is_active"])
    match = identify_face(embedding=probe, model_name=face.current_model_name())
    assert match is None or match.person_id != enrolled[name].id
    assert identify_face(embedding=probe, model_name="another_model") is None


def test_group_photo_identifies_its_largest_face(enrolled, photos):
    for path, identity in photos.groups:
        if identity is None or identity not in enrolled:
            continue
        match = identify_face(embedding=_embedding(path), model_name=face.current_model_name())
        assert match.person_id == enrolled[identity].id


def test_the_login_query_uses_the_hnsw_index_on_a_large_table(db):
    """With ef_search 200 the planner prefers the index from about 10k rows (measured);
    below that an exact scan is both cheaper and exact. Build the index after the load, as
    a DBA would, to keep the test quick; the DDL is the file the migration applies."""
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX face_embedding_hnsw")
    people = Person.objects.bulk_create(
        Person(
            full_name=f"P {i}",
            passport_series="AB",
            passport_number=f"{i:07d}",
            birth_date="1990-01-01",
        )
        for i in range(12000)
    )
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(len(people), 512)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    FaceEmbedding.objects.bulk_create(
        FaceEmbedding(person=p, embedding=v, model_name="w600k_mbf", det_score=0.9)
        for p, v in zip(people, vectors, strict=True)
    )
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # flush FK checks before the DDL
        cursor.execute(sql("0002_face_embedding_index.sql"))
        cursor.execute("ANALYZE face_embedding")
        cursor.execute("ANALYZE person")
        cursor.execute(
            "EXPLAIN " + sql("identify.sql"),
            {"query": vector_literal(vectors[0]), "model": "w600k_mbf", "k": 20},
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "face_embedding_hnsw" in plan, plan
