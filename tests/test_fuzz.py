"""Schemathesis against our own OpenAPI schema on a live server: no 5xx, no schema violation."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as conf
from django.contrib.auth import get_user_model
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    live_server, settings, tmp_path
):
    settings.FACE_LOGINS_PER_MINUTE = 100_000  # every fuzz request comes from one IP
    settings.PASSPORT_MAX_FAILURES = settings.PASSPORT_IP_MAX_FAILURES = 100_000
    staff = get_user_model().objects.create_user("fuzz", password="x", is_staff=True)
    browser = Client()
    browser.force_login(staff)
    cookie = f"{conf.SESSION_COOKIE_NAME}={browser.cookies[conf.SESSION_COOKIE_NAME].value}"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            f"{live_server.url}/api/schema/?format=json",
            "--url",
            live_server.url,
            "--checks",
            CHECKS,
            "--max-examples",
            "25",
            "--seed",
            "1",
            "--phases",
            "examples,coverage,fuzzing",
            "--workers",
            "1",
            "--request-timeout",
            "60",
            "--exclude-path",
            "/api/logout/",
            "--exclude-path",
            "/api/v1/logout/",
            "--header",
            f"Cookie: {cookie}",
            "--report",
            "junit",
            "--report-dir",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
        env=dict(os.environ, NO_COLOR="1"),
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    # It really ran: every selected operation was exercised, and every case passed every check.
    tested = re.search(r"Tested: (\d+)", result.stdout)
    cases = re.search(r"(\d+) generated, (\d+) passed", result.stdout)
    assert tested and int(tested.group(1)) >= 18, result.stdout[-3000:]
    assert cases and int(cases.group(1)) == int(cases.group(2)) >= 500, result.stdout[-3000:]
    assert "failed" not in result.stdout.split("SUMMARY")[-1]
    (ROOT / "test-output").mkdir(exist_ok=True)
    (ROOT / "test-output" / "schemathesis.txt").write_text(result.stdout)
