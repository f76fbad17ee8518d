"""Apply the DBA-readable DDL in sql/0002_face_embedding_index.sql (storage + HNSW index)."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parents[2] / "sql"


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial")]

    operations = [
        migrations.RunSQL(
            sql=(SQL / "0002_face_embedding_index.sql").read_text(),
            reverse_sql=(SQL / "0002_face_embedding_index.down.sql").read_text(),
        ),
    ]
