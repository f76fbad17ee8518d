import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from server.env import env_bool, env_choice, env_float, env_int, env_list
from server.settings import _database_from_url

ROOT = Path(__file__).resolve().parent.parent


def test_it_reads_typed_values(monkeypatch):
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_FLOAT", "0.5")
    monkeypatch.setenv("X_LIST", "a.uz, b.uz,,")
    assert env_int("X_INT", 1) == 42
    assert env_bool("X_BOOL", False) is True
    assert env_float("X_FLOAT", 1.0) == 0.5
    assert env_list("X_LIST", []) == ["a.uz", "b.uz"]
    assert env_int("X_MISSING", 7) == 7


@pytest.mark.parametrize(
    ("reader", "value"),
    [
        (lambda: env_int("X", 1), "ten"),
        (lambda: env_int("X", 1, minimum=5), "3"),
        (lambda: env_bool("X", True), "maybe"),
        (lambda: env_float("X", 1.0, maximum=1.0), "1.5"),
        (lambda: env_choice("X", "off", ("off", "challenge")), "on"),
    ],
)
def test_it_rejects_bad_values_loudly(monkeypatch, reader, value):
    monkeypatch.setenv("X", value)
    with pytest.raises(ImproperlyConfigured, match="X must"):
        reader()


def test_it_parses_database_url():
    parsed = _database_from_url("postgresql://app:p%40ss@db.local:6543/chilonzor?sslmode=require")
    assert parsed == {
        "NAME": "chilonzor",
        "USER": "app",
        "PASSWORD": "p@ss",
        "HOST": "db.local",
        "PORT": "6543",
        "OPTIONS": {"sslmode": "require"},
    }


def test_it_rejects_a_non_postgres_database_url():
    with pytest.raises(ImproperlyConfigured, match="postgresql://"):
        _database_from_url("mysql://x@y/z")


def _import_settings(**env):
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    environment |= {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", **env}
    return subprocess.run(
        [sys.executable, "-c", "import server.settings"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _import_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_starts_with_a_secret_key():
    result = _import_settings(DEBUG="0", SECRET_KEY="a-real-secret-key-of-enough-length-123456789")
    assert result.returncode == 0, result.stderr


def test_bad_setting_stops_start_up():
    result = _import_settings(FACE_DET_SIZE="big")
    assert result.returncode != 0
    assert "FACE_DET_SIZE must be a whole number" in result.stderr
