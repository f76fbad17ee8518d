"""Brute-force limits counted from the login log itself, so they hold across every worker.

A transaction-scoped PostgreSQL advisory lock per key makes "count recent failures, then log
this attempt" atomic between processes: N parallel guesses cannot all see N-1 failures.
"""

import math
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from api.models import LoginLog


def lock(*keys: str) -> None:
    """Take advisory locks for ``keys`` until the end of the current transaction."""
    with connection.cursor() as cursor:
        for key in sorted(set(keys)):  # a fixed order cannot deadlock
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


def _wait_seconds(attempts: QuerySet[LoginLog], limit: int, window: timedelta) -> int:
    """Seconds until fewer than ``limit`` of ``attempts`` fall in the sliding ``window``."""
    now = timezone.now()
    recent = list(
        attempts.filter(login_time__gte=now - window)
        .order_by("-login_time")
        .values_list("login_time", flat=True)[:limit]
    )
    if len(recent) < limit:
        return 0
    return max(1, math.ceil((recent[-1] + window - now).total_seconds()))


def passport_wait(*, username: str, ip: str | None) -> int:
    """Wait time for a passport login: failures per passport and per client IP."""
    window = timedelta(seconds=settings.PASSPORT_WINDOW_SECONDS)
    failures = LoginLog.objects.filter(
        method=LoginLog.Method.PASSPORT, reason=LoginLog.Reason.BAD_CREDENTIALS
    )
    waits = [
        _wait_seconds(failures.filter(username=username), settings.PASSPORT_MAX_FAILURES, window)
    ]
    if ip:
        waits.append(
            _wait_seconds(failures.filter(ip_address=ip), settings.PASSPORT_IP_MAX_FAILURES, window)
        )
    return max(waits)


def face_wait(*, ip: str | None) -> int:
    """Wait time for a face login: attempts per client IP per minute."""
    if not ip:
        return 0
    attempts = LoginLog.objects.filter(method=LoginLog.Method.FACE, ip_address=ip).exclude(
        reason=LoginLog.Reason.RATE_LIMITED
    )
    return _wait_seconds(attempts, settings.FACE_LOGINS_PER_MINUTE, timedelta(minutes=1))
