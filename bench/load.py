"""Load and fault test of the real service: gunicorn, embedded PostgreSQL, real photos.

    .venv/bin/python bench/load.py [--seconds 60] [--clients 4] [--workers 2] [--fault]

Sets up its own data folder (var/bench-load: its own embedded PostgreSQL), imports the dev
identities through `import_personnel`, starts gunicorn on 127.0.0.1 and sends concurrent
face logins with real photos (enrolled people and strangers) for a bounded time. Then it
compares the answered requests with the login log: every answered request must have written
exactly one row. With --fault it also stops PostgreSQL in the middle of a second run and
starts it again: requests must get a JSON 503 while it is down and succeed again afterwards,
with no row lost for any answered request. Only loopback traffic; everything started is
stopped at the end. Writes bench/results/load.json.
"""

from __future__ import annotations

import argparse
import base64
import csv
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import cv2
import psycopg
from openpyxl import Workbook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.embedded_db import EmbeddedPostgres  # noqa: E402

DATA_DIR = ROOT / "var" / "bench-load"
PY = str(ROOT / ".venv" / "bin" / "python")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def frames(faces: Path) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """640x480 JPEG data URLs of enrolled people and of strangers, and whom to enrol."""
    with open(faces / "labels.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_person: dict[str, list[str]] = {}
    for row in rows:
        if not row["identity"].startswith("__"):
            by_person.setdefault(row["identity"], []).append(row["file"])
    names = sorted(n for n, files in by_person.items() if len(files) >= 2)
    enrolled, strangers = names[:-3], names[-3:]

    def url(name: str) -> str:
        image = cv2.imread(str(faces / name))
        scale = min(640 / image.shape[1], 480 / image.shape[0])
        small = cv2.resize(image, (int(image.shape[1] * scale), int(image.shape[0] * scale)))
        return "data:image/jpeg;base64," + base64.b64encode(cv2.imencode(".jpg", small)[1]).decode()

    known = [url(f) for n in enrolled for f in sorted(by_person[n])[1:]]
    unknown = [url(f) for n in strangers for f in by_person[n]]
    return known, unknown, [(n, sorted(by_person[n])[0]) for n in enrolled]


def roster(enrol: list[tuple[str, str]], faces: Path) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["full_name", "passport", "birth_date", "position", "department", "photo"])
    for i, (name, photo) in enumerate(enrol):
        sheet.append([name.replace("_", " "), f"LD{1000000 + i}", "1990-01-01", "", "bench", photo])
    path = DATA_DIR / "roster.xlsx"
    workbook.save(path)
    return path


def env(**extra) -> dict:
    return {
        **os.environ,
        "DATA_DIR": str(DATA_DIR),
        "DEBUG": "0",
        "SECRET_KEY": "bench-load-secret-key-not-for-production-0123456789abcdef",
        "ALLOWED_HOSTS": "127.0.0.1",
        # One client IP sends everything here; the per-IP face limit would refuse most of it.
        "FACE_LOGINS_PER_MINUTE": "1000000",
        **extra,
    }


class Client(threading.Thread):
    def __init__(self, url: str, payloads: list[str], until: float, results: list) -> None:
        super().__init__(daemon=True)
        self.url, self.payloads, self.until, self.results = url, payloads, until, results

    def run(self) -> None:
        rng = random.Random(self.native_id)
        while time.time() < self.until:
            body = json.dumps({"image": rng.choice(self.payloads)}).encode()
            request = urllib.request.Request(self.url, body, {"Content-Type": "application/json"})
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    status, data = response.status, response.read()
            except urllib.error.HTTPError as error:
                status, data = error.code, error.read()
            except OSError as error:  # connection refused / reset: not answered
                status, data = 0, str(error).encode()
            elapsed = time.perf_counter() - started
            try:
                parsed = json.loads(data)
            except ValueError:
                parsed = None
            self.results.append(
                {"t": time.time(), "status": status, "ms": elapsed * 1000, "json": parsed}
            )


def run_load(base: str, payloads: list[str], seconds: float, clients: int) -> list[dict]:
    results: list[dict] = []
    until = time.time() + seconds
    threads = [Client(base + "/api/face-login/", payloads, until, results) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def summary(results: list[dict], rows: int) -> dict:
    statuses: dict[int, int] = {}
    for r in results:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    answered = [r for r in results if r["status"] and r["status"] < 500]
    latencies = sorted(r["ms"] for r in answered) or [0.0]
    span = (max(r["t"] for r in results) - min(r["t"] for r in results)) if results else 1
    bad_shape = [
        r
        for r in results
        if r["status"] and not (isinstance(r["json"], dict) and "success" in r["json"])
    ]
    return {
        "requests": len(results),
        "statuses": statuses,
        "answered_non_5xx": len(answered),
        "log_rows": rows,
        "rows_match": rows == len(answered),
        "non_json_answers": len(bad_shape),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
        "throughput_rps": round(len(answered) / span, 2) if span else 0.0,
    }


def count_rows(database: EmbeddedPostgres) -> int:
    with psycopg.connect(database.dsn()) as conn:
        return conn.execute("SELECT count(*) FROM login_log").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--faces", type=Path, default=ROOT.parent / "shared" / "faces" / "dev")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--fault", action="store_true", help="also stop PostgreSQL mid-run")
    args = parser.parse_args()

    shutil.rmtree(DATA_DIR, ignore_errors=True)
    DATA_DIR.mkdir(parents=True)
    database = EmbeddedPostgres(DATA_DIR / "postgres", "chilonzor")
    database.acquire()  # held by this script for the whole run
    known, unknown, enrol = frames(args.faces)
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env(), check=True)
    photos = DATA_DIR / "photos"
    photos.mkdir()
    for _, photo in enrol:
        shutil.copy(args.faces / photo, photos / photo)
    subprocess.run([PY, "manage.py", "import_personnel", str(roster(enrol, args.faces)), "--photos", str(photos)],
                   cwd=ROOT, env=env(), check=True)  # fmt: skip
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [PY, "-m", "gunicorn", "server.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--timeout", "60", "--log-level", "warning"],
        cwd=ROOT, env=env(),
    )  # fmt: skip
    report: dict = {"workers": args.workers, "clients": args.clients, "seconds": args.seconds}
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        payloads = known * 3 + unknown  # mostly enrolled people, some strangers
        results = run_load(base, payloads, args.seconds, args.clients)
        report["load"] = summary(results, count_rows(database))
        print("load:", json.dumps(report["load"]))
        if args.fault:
            before = count_rows(database)
            fault_results: list[dict] = []
            loader = threading.Thread(
                target=lambda: fault_results.extend(run_load(base, payloads, 40, args.clients))
            )
            loader.start()
            time.sleep(10)
            down_at = time.time()
            database.stop()
            time.sleep(10)
            database.acquire()
            up_at = time.time()
            loader.join()
            during = [r for r in fault_results if down_at <= r["t"] <= up_at]
            after = [r for r in fault_results if r["t"] > up_at + 5]
            fault = summary(fault_results, count_rows(database) - before)
            fault |= {
                "down_seconds": round(up_at - down_at, 1),
                "statuses_while_down": sorted({r["status"] for r in during}),
                "503_bodies": sorted(
                    {
                        json.dumps(r["json"], ensure_ascii=False)
                        for r in during
                        if r["status"] == 503
                    }
                ),
                "successes_after_recovery": sum(1 for r in after if r["status"] == 200),
                "5xx_other_than_503": sum(
                    1 for r in fault_results if r["status"] >= 500 and r["status"] != 503
                ),
            }
            report["fault"] = fault
            print("fault:", json.dumps(fault, ensure_ascii=False))
    finally:
        server.terminate()
        server.wait(timeout=60)
        database.release()
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "load.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
