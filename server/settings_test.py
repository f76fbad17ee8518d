"""Settings for the test suite: the same database engine, quicker hashing, a private media dir."""

import os
import tempfile

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-with-enough-length-for-checks")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="chilonzor-media-"))
os.environ.setdefault("STATIC_ROOT", tempfile.mkdtemp(prefix="chilonzor-static-"))

from server.settings import *  # noqa: F403
from server.settings import BASE_DIR, env_path

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Real dev photos live beside the project; a fresh clone without them falls back to the
# sample photos shipped inside installed packages (see tests/faces.py).
FACES_DIR = env_path("FACES_DIR", BASE_DIR.parent / "shared" / "faces" / "dev")
