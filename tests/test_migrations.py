from django.db import connection


def _one(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def test_vector_extension_is_installed(db):
    version = _one("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
    assert version is not None
    assert tuple(int(p) for p in version[0].split(".")[:2]) >= (0, 7)


def test_hnsw_cosine_index_exists(db):
    row = _one(
        "SELECT indexdef FROM pg_indexes WHERE tablename = 'face_embedding' AND indexname = %s",
        ("face_embedding_hnsw",),
    )
    assert row is not None
    assert "USING hnsw" in row[0]
    assert "vector_cosine_ops" in row[0]


def test_embedding_column_is_512_dimensions_with_plain_storage(db):
    row = _one(
        "SELECT format_type(atttypid, atttypmod), attstorage FROM pg_attribute "
        "WHERE attrelid = 'face_embedding'::regclass AND attname = 'embedding'"
    )
    assert row == ("vector(512)", "p")
