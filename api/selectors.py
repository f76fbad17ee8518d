"""Reads: identification, statistics and log queries."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone

from api.models import LoginLog, Person

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


@cache
def sql(name: str) -> str:
    """Return a statement kept in sql/ for DBAs to read."""
    return (SQL_DIR / name).read_text()


@dataclass(frozen=True)
class Match:
    person_id: int
    similarity: float
    runner_up_similarity: float | None

    @property
    def margin(self) -> float:
        return self.similarity - (self.runner_up_similarity or 0.0)


def vector_literal(embedding: np.ndarray) -> str:
    """Text form of a vector; sent as text and cast in SQL, it needs no per-connection setup."""
    return "[" + ",".join(f"{x:.7g}" for x in np.asarray(embedding, dtype=np.float32)) + "]"


def identify_face(*, embedding: np.ndarray, model_name: str) -> Match | None:
    """Nearest active person under ``model_name``: ONE pgvector query (sql/identify.sql)."""
    params = {"query": vector_literal(embedding), "model": model_name, "k": settings.FACE_SEARCH_K}
    with connection.cursor() as cursor:
        cursor.execute(sql("identify.sql"), params)
        rows = cursor.fetchall()
    if not rows:
        return None
    runner_up = float(rows[1][1]) if len(rows) > 1 else None
    return Match(person_id=rows[0][0], similarity=float(rows[0][1]), runner_up_similarity=runner_up)


# -- statistics ------------------------------------------------------------------------------


def period_starts(now: datetime | None = None) -> dict[str, datetime]:
    """Start of today, this week (Monday) and this month in the configured time zone."""
    local = timezone.localtime(now or timezone.now())
    today = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "today": today,
        "week": today - timedelta(days=today.weekday()),
        "month": today.replace(day=1),
    }


def _percentage(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def statistics_summary(*, now: datetime | None = None) -> dict:
    starts = period_starts(now)
    counts = LoginLog.objects.filter(success=True).aggregate(
        total=Count("id"),
        today=Count("id", filter=Q(login_time__gte=starts["today"])),
        week=Count("id", filter=Q(login_time__gte=starts["week"])),
        month=Count("id", filter=Q(login_time__gte=starts["month"])),
        face=Count("id", filter=Q(method=LoginLog.Method.FACE)),
        passport=Count("id", filter=Q(method=LoginLog.Method.PASSPORT)),
    )
    return {
        "total_persons": Person.objects.filter(is_active=True).count(),
        "total_logins": counts["total"],
        "today_logins": counts["today"],
        "this_week_logins": counts["week"],
        "this_month_logins": counts["month"],
        "face_logins": counts["face"],
        "passport_logins": counts["passport"],
        "face_login_percentage": _percentage(counts["face"], counts["total"]),
        "passport_login_percentage": _percentage(counts["passport"], counts["total"]),
    }


def person_statistics(*, person: Person) -> dict:
    counts = LoginLog.objects.filter(person=person, success=True).aggregate(
        total=Count("id"),
        face=Count("id", filter=Q(method=LoginLog.Method.FACE)),
        passport=Count("id", filter=Q(method=LoginLog.Method.PASSPORT)),
        last=Max("login_time"),
        first=Min("login_time"),
    )
    return {
        "total_logins": counts["total"],
        "face_logins": counts["face"],
        "passport_logins": counts["passport"],
        "last_login": counts["last"],
        "first_login": counts["first"],
    }


def login_logs(
    *,
    person_id: int | None = None,
    method: str | None = None,
    success: bool | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[LoginLog]:
    """Newest first; callers slice for limit/offset."""
    logs = LoginLog.objects.select_related("person").order_by("-login_time", "-id")
    if person_id is not None:
        logs = logs.filter(person_id=person_id)
    if method:
        logs = logs.filter(method=method)
    if success is not None:
        logs = logs.filter(success=success)
    if since is not None:
        logs = logs.filter(login_time__gte=since)
    if until is not None:
        logs = logs.filter(login_time__lt=until)
    return logs


def login_charts(*, days: int = 30, now: datetime | None = None) -> dict:
    """Successful sign-ins per local day (last ``days``), per hour of day, and per method."""
    tz = timezone.get_current_timezone()
    today = period_starts(now)["today"]
    start = today - timedelta(days=days - 1)
    logins = LoginLog.objects.filter(success=True)
    per_day = dict(
        logins.filter(login_time__gte=start)
        .annotate(day=TruncDate("login_time", tzinfo=tz))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    per_hour = dict(
        logins.annotate(hour=ExtractHour("login_time", tzinfo=tz))
        .values_list("hour")
        .annotate(n=Count("id"))
        .values_list("hour", "n")
    )
    days_list = [(start + timedelta(days=i)).date() for i in range(days)]
    methods = logins.aggregate(
        face=Count("id", filter=Q(method=LoginLog.Method.FACE)),
        passport=Count("id", filter=Q(method=LoginLog.Method.PASSPORT)),
    )
    return {
        "per_day": [{"date": d.isoformat(), "count": per_day.get(d, 0)} for d in days_list],
        "per_hour": [{"hour": h, "count": per_hour.get(h, 0)} for h in range(24)],
        "methods": methods,
    }
