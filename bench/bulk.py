"""Bulk work: roster import (rows/s, faces/s) and re-embedding (faces/s, peak memory).

    .venv/bin/python bench/bulk.py [--rows 10000] [--photo-rows 300]

Uses its own data folder (var/bench-bulk, its own embedded PostgreSQL) and the real
management commands, each in its own process, reporting wall time and that process's peak
resident memory. Re-embedding runs twice, with the table doubled in between, to show that
memory does not grow with the table (persons are streamed, not loaded). Writes
bench/results/bulk.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

from openpyxl import Workbook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.embedded_db import EmbeddedPostgres  # noqa: E402

DATA_DIR = ROOT / "var" / "bench-bulk"
PY = str(ROOT / ".venv" / "bin" / "python")
RUNNER = """
import resource, sys, time, django
django.setup()
from django.core.management import call_command
started = time.perf_counter()
call_command(*sys.argv[1:])
print("BENCH", time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def command(*args: str) -> tuple[float, float, str]:
    """Run a management command in a fresh process: (seconds, peak RSS in MiB, output)."""
    environment = {
        **os.environ,
        "DATA_DIR": str(DATA_DIR),
        "DJANGO_SETTINGS_MODULE": "server.settings",
    }
    result = subprocess.run(
        [PY, "-c", RUNNER, *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("BENCH"))
    _, seconds, rss_kib = line.split()
    return float(seconds), int(rss_kib) / 1024, result.stdout


def roster(path: Path, rows: int, start: int, photos: list[str] | None = None) -> Path:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["full_name", "passport", "birth_date", "position", "department", "photo"])
    for i in range(rows):
        photo = photos[i % len(photos)] if photos else ""
        sheet.append(
            [
                f"Xodim {start + i}",
                f"BK{start + i:07d}",
                date(1980 + i % 20, 1 + i % 12, 1 + i % 28),
                "leytenant",
                f"{1 + i % 9}-IIB",
                photo,
            ]
        )
    workbook.save(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--faces", type=Path, default=ROOT.parent / "shared" / "faces" / "dev")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--photo-rows", type=int, default=300)
    args = parser.parse_args()

    shutil.rmtree(DATA_DIR, ignore_errors=True)
    DATA_DIR.mkdir(parents=True)
    database = EmbeddedPostgres(DATA_DIR / "postgres", "chilonzor")
    database.acquire()
    results: dict = {}
    try:
        command("migrate", "-v0")
        plain = roster(DATA_DIR / "plain.xlsx", args.rows, 0)
        seconds, rss, _ = command("import_personnel", str(plain))
        results["import_rows"] = {
            "rows": args.rows,
            "seconds": round(seconds, 1),
            "rows_per_s": round(args.rows / seconds, 1),
            "peak_rss_mib": round(rss),
        }
        seconds, rss, _ = command("import_personnel", str(plain))
        results["import_rows_again_unchanged"] = {
            "rows": args.rows,
            "seconds": round(seconds, 1),
            "rows_per_s": round(args.rows / seconds, 1),
        }

        with open(args.faces / "labels.csv", newline="") as handle:
            photos = [
                r["file"] for r in csv.DictReader(handle) if not r["identity"].startswith("__")
            ]
        for half in (0, 1):
            start = 1_000_000 + half * args.photo_rows
            path = roster(DATA_DIR / f"photos{half}.xlsx", args.photo_rows, start, photos)
            seconds, rss, out = command("import_personnel", str(path), "--photos", str(args.faces))
            if half == 0:
                results["import_with_photos"] = {
                    "rows": args.photo_rows,
                    "seconds": round(seconds, 1),
                    "faces_per_s": round(args.photo_rows / seconds, 2),
                    "summary": [x for x in out.splitlines() if "created=" in x][-1],
                }
            seconds, rss, out = command("reembed", "--batch-size", "64", "--restart")
            faces = int(out.split("faces=")[1].split()[0])
            results[f"reembed_{half + 1}"] = {
                "faces": faces,
                "seconds": round(seconds, 1),
                "faces_per_s": round(faces / seconds, 2),
                "peak_rss_mib": round(rss),
            }
    finally:
        database.release()
    print(json.dumps(results, indent=2, ensure_ascii=False))
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bulk.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
