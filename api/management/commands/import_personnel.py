"""python manage.py import_personnel ROSTER.xlsx [--photos DIR_OR_ZIP] [--dry-run] [--json]"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from api.management.commands._progress import ProgressBar
from api.roster import RosterError, import_roster


class Command(BaseCommand):
    help = "Import (upsert by passport) the personnel roster from an Excel file, with photos."

    def add_arguments(self, parser):
        parser.add_argument("roster", type=Path)
        parser.add_argument("--photos", type=Path, help="folder or ZIP with the photo files")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print the full report as JSON"
        )

    def handle(
        self, *args, roster: Path, photos: Path | None, dry_run: bool, as_json: bool, **options
    ):
        if not roster.is_file():
            raise CommandError(f"File not found: {roster}")
        try:
            report = import_roster(
                roster, photos=photos, dry_run=dry_run, progress=ProgressBar(label="import")
            )
        except RosterError as exc:
            raise CommandError(exc.detail or exc.code) from None
        if as_json:
            self.stdout.write(
                json.dumps(report.as_dict(), ensure_ascii=False, default=str, indent=2)
            )
            return
        for row in report.rows:
            if row.status == "error" or row.faces_refused:
                problems = "; ".join(row.errors + [f"rasm: {r}" for r in row.faces_refused])
                self.stdout.write(f"row {row.row}: {row.status} {row.passport} {problems}")
        prefix = "DRY RUN (nothing written): " if dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(prefix + ", ".join(f"{k}={v}" for k, v in report.summary.items()))
        )
