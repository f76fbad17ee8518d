"""`make run`: migrate, make sure an administrator exists, then serve with gunicorn."""

import os
import secrets
import signal
import subprocess
import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from server.env import env_int, env_str


class Command(BaseCommand):
    help = "Migrate, create the first administrator if none exists, and serve on HOST:PORT."

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=env_int("WEB_WORKERS", 2, minimum=1))
        parser.add_argument("--no-migrate", action="store_true")

    def handle(self, *args, workers: int, no_migrate: bool, **options):
        host = env_str("HOST", "127.0.0.1")
        port = env_int("PORT", 8000, minimum=1, maximum=65535)
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=1)
        if not settings.DEBUG:
            call_command("collectstatic", interactive=False, verbosity=0)
        self._ensure_admin()
        # Workers reuse the database this process holds (see server/embedded_db.py).
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "server.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--timeout",
            str(env_int("WEB_TIMEOUT", 60, minimum=5)),
            "--access-logfile",
            "-",
            "--forwarded-allow-ips",
            env_str("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]
        self.stdout.write(self.style.SUCCESS(f"Serving on http://{host}:{port}/ (Ctrl-C stops)"))
        server = subprocess.Popen(command, env=os.environ.copy())
        signal.signal(signal.SIGTERM, lambda *_: server.terminate())
        try:
            server.wait()
        except KeyboardInterrupt:
            server.send_signal(signal.SIGINT)
            server.wait()
        # Leaving handle() releases the embedded database (atexit) and stops it if unused.

    def _ensure_admin(self) -> None:
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            return
        username = env_str("ADMIN_USERNAME", "admin")
        password = env_str("ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, password=password, email="")
        shown = password if not env_str("ADMIN_PASSWORD") else "(from ADMIN_PASSWORD)"
        self.stdout.write(
            self.style.WARNING(
                f"Created administrator '{username}' with password: {shown}\n"
                "Sign in at /admin/ and change it; it is not shown again."
            )
        )
