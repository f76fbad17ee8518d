"""python manage.py purge_snapshots [--days N]: delete login snapshots past their retention."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from api.models import LoginLog


class Command(BaseCommand):
    help = "Delete login snapshot images older than SNAPSHOT_RETENTION_DAYS (the log rows stay)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.SNAPSHOT_RETENTION_DAYS)

    def handle(self, *args, days: int, **options):
        cutoff = timezone.now() - timedelta(days=max(0, days))
        old = LoginLog.objects.filter(login_time__lt=cutoff).exclude(snapshot="").order_by("id")
        purged = 0
        for log in old.only("id", "snapshot").iterator(chunk_size=500):
            log.snapshot.storage.delete(log.snapshot.name)
            log.snapshot = ""
            log.save(update_fields=["snapshot"])
            purged += 1
        self.stdout.write(self.style.SUCCESS(f"purged {purged} snapshots older than {days} days"))
