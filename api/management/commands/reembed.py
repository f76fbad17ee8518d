"""python manage.py reembed [--model NAME] [--only-missing] [--batch-size N] [--restart]"""

from django.core.management.base import BaseCommand

from api.management.commands._progress import ProgressBar
from api.reembed import reembed


class Command(BaseCommand):
    help = "Re-compute face embeddings from stored photos with the current (or given) model."

    def add_arguments(self, parser):
        parser.add_argument(
            "--model", help="recognizer file stem in FACE_MODEL_DIR, e.g. w600k_r50"
        )
        parser.add_argument("--only-missing", action="store_true", help="only persons without one")
        parser.add_argument("--batch-size", type=int, default=64, help="persons per transaction")
        parser.add_argument("--restart", action="store_true", help="ignore a saved checkpoint")

    def handle(self, *args, model, only_missing, batch_size, restart, **options):
        report = reembed(
            model=model,
            only_missing=only_missing,
            batch_size=max(1, batch_size),
            progress=ProgressBar(label="reembed"),
            resume=not restart,
        )
        if report.resumed_after is not None:
            self.stdout.write(f"resumed after person id {report.resumed_after}")
        self.stdout.write(
            self.style.SUCCESS(
                f"model={report.model_name} persons={report.persons} faces={report.done} "
                f"failed={report.failed} time={report.seconds:.1f}s "
                f"faces/s={report.faces_per_second:.1f}"
            )
        )
