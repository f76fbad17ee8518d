"""The embedded PostgreSQL: started once, shared by concurrent processes, stopped by the last."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import psycopg
import pytest

from server.embedded_db import EmbeddedPostgres

ROOT = Path(__file__).resolve().parent.parent

HOLDER = textwrap.dedent(
    """
    import sys, time, psycopg
    from server.embedded_db import EmbeddedPostgres
    server = EmbeddedPostgres(sys.argv[1], "holder_test")
    started = server.acquire()
    with psycopg.connect(server.dsn()) as conn:
        query = "SELECT extversion FROM pg_extension WHERE extname = 'vector'"
        version = conn.execute(query).fetchone()
    print("started" if started else "reused", version[0], flush=True)
    time.sleep(float(sys.argv[2]))
    """
)


@pytest.fixture
def server_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("pg") / "postgres"
    yield root
    EmbeddedPostgres(root, "holder_test").stop()


def _holder(root: Path, seconds: float) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(root), str(seconds)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_processes_share_one_server_and_the_last_stops_it(server_root):
    first, second = _holder(server_root, 4), _holder(server_root, 1)
    outputs = [p.communicate(timeout=180) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    words = sorted(out.split()[0] for out, _ in outputs)
    assert words == ["reused", "started"]  # exactly one of them ran pg_ctl start
    assert all(out.split()[1].startswith("0.") for out, _ in outputs)  # pgvector is there
    assert not EmbeddedPostgres(server_root, "holder_test").is_running()


def test_a_later_process_reuses_a_running_server_and_leaves_it_to_its_holder(server_root):
    holder = EmbeddedPostgres(server_root, "holder_test")
    assert holder.acquire() is True
    try:
        visitor = _holder(server_root, 0)
        out, err = visitor.communicate(timeout=120)
        assert visitor.returncode == 0, err
        assert out.startswith("reused")
        assert holder.is_running()  # the visitor left; we still hold it
    finally:
        assert holder.release() is True
    assert not holder.is_running()


def test_it_recovers_from_a_holder_that_was_killed(server_root):
    victim = _holder(server_root, 60)
    assert victim.stdout.readline().startswith("started")
    victim.kill()
    victim.wait()
    survivor = EmbeddedPostgres(server_root, "holder_test")
    assert survivor.acquire() is False  # still running: reused, not restarted
    assert survivor.release() is True  # the dead holder does not keep it alive


def test_database_url_uses_that_server_and_starts_none(server_root, tmp_path):
    """The DATABASE_URL path: run migrate against a second server; no embedded one starts."""
    other = EmbeddedPostgres(server_root, "external_db")
    other.acquire()
    try:
        data_dir = tmp_path / "data"
        env = dict(
            os.environ,
            DATABASE_URL=other.dsn().replace("postgresql://", "postgres://"),
            DATA_DIR=str(data_dir),
            DJANGO_SETTINGS_MODULE="server.settings",
        )
        result = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        assert not (data_dir / "postgres").exists()
        with psycopg.connect(other.dsn()) as conn:
            index = conn.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'face_embedding_hnsw'"
            ).fetchone()
        assert index and "hnsw" in index[0]
    finally:
        other.release()
