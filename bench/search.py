"""1:N face search at scale in PostgreSQL + pgvector: exact scan, HNSW, IVFFlat, binary codes.

    .venv/bin/python bench/search.py [--sizes 1000,10000,100000,1000000] [--queries N]
                                     [--out bench/results]

Runs its OWN embedded PostgreSQL (``var/bench-pg``, database ``bench``; never the service's
``var/postgres``), creates ``face_embedding`` and ``person`` shaped like the real schema
(``vector(512)`` with STORAGE PLAIN, one model name, 2 embeddings per person, ~1 % of the
people inactive) and grows it to each size with binary COPY. Vectors are random unit vectors
(numpy, seeded, generated in chunks); probes are "genuine-like": a stored vector of an active
person mixed with an orthogonal random direction so that cosine(probe, stored) = 0.7, which is
what a real match of the same person looks like. Ground truth is the exact nearest neighbour by
brute force in numpy.

At every size, one vector index at a time is built (after loading, timed, sized with
``pg_relation_size``), pre-warmed and queried with the real ``sql/identify.sql`` (join on
person, active + model filter, k = 20) and with a bare ``ORDER BY ... LIMIT 1``, sent as the
app sends them (psycopg client-side binding, vector as text). Search knobs are session SETs
(``hnsw.iterative_scan = relaxed_order`` as in the app). Latency is measured from the client
after warm-up probes (different vectors); recall@1 = returned top-1 equals the exact top-1
(the embedding for the bare query, the person for identify.sql).

Strategies: exact scan of the vector(512) table, of a halfvec(512) copy and of a narrow table
of 512-bit binary codes (re-ranked exactly on vector(512)), HNSW (vector_cosine_ops; several
m / ef_construction, several ef_search), IVFFlat (lists and probes) and binary quantisation
(HNSW or IVFFlat on ``binary_quantize(embedding)::bit(512)`` with ``bit_hamming_ops``, then an
exact re-rank of the top candidates in the same statement). The 1M size runs a reduced set
(see ``plan()``: one HNSW build, 30 probes for exact scans) to stay within about an hour on
2 cores.

Prints a table and writes ``search.json`` to ``--out`` (after every measurement, so a partial
run keeps its figures).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import struct
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
os.environ.setdefault("OMP_NUM_THREADS", "2")

import numpy as np
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.embedded_db import EmbeddedPostgres  # noqa: E402

DIM = 512
CHUNK = 50_000  # rows per generated block; row i always gets the same vector for a seed
MODEL = "w600k_mbf"
GENUINE_COSINE = 0.7
SEARCH_K = 20  # FACE_SEARCH_K default
WARMUP = 10
INACTIVE_EVERY = 97  # person ids divisible by this are inactive (~1 %)
INDEX = "bench_vector_idx"
TABLES = "face_embedding_bits, face_embedding_half, face_embedding, person"

SERVER_SETTINGS = {
    # The 1M working set (table 2.6 GB + one index up to 2.6 GB) fits, as on a sized DB host.
    "shared_buffers": "6GB",
    "effective_cache_size": "16GB",
    "max_wal_size": "16GB",
    "checkpoint_timeout": "30min",
    "synchronous_commit": "off",
}
BUILD_SETTINGS = {"maintenance_work_mem": "8GB", "max_parallel_maintenance_workers": "1"}

IDENTIFY = (ROOT / "sql" / "identify.sql").read_text()
BARE = "SELECT id FROM face_embedding ORDER BY embedding <=> %(query)s::vector LIMIT 1"


def _replace(text: str, old: str, new: str) -> str:
    if old not in text:
        raise RuntimeError(f"sql/identify.sql changed: {old!r} not found")
    return text.replace(old, new)


IDENTIFY_HALF = _replace(
    _replace(IDENTIFY, "FROM face_embedding AS e", "FROM face_embedding_half AS e"),
    "%(query)s::vector",
    "%(query)s::halfvec(512)",
)
BARE_HALF = (
    "SELECT id FROM face_embedding_half ORDER BY embedding <=> %(query)s::halfvec(512) LIMIT 1"
)
# Binary quantisation: the index answers the inner ORDER BY on 512-bit codes (Hamming), the
# outer ORDER BY re-ranks those candidates exactly on the stored vector(512), in one statement.
IDENTIFY_BQ = """
WITH candidates AS (
    SELECT e.person_id, e.embedding
    FROM face_embedding AS e
    JOIN person AS p ON p.id = e.person_id
    WHERE e.model_name = %(model)s AND p.is_active
    ORDER BY binary_quantize(e.embedding)::bit(512) <~> binary_quantize(%(query)s::vector)
    LIMIT %(candidates)s
), nearest AS (
    SELECT person_id, embedding <=> %(query)s::vector AS distance
    FROM candidates
    ORDER BY distance
    LIMIT %(k)s
)
SELECT person_id, 1 - min(distance) AS similarity
FROM nearest
GROUP BY person_id
ORDER BY similarity DESC
LIMIT 2
"""
BARE_BQ = """
SELECT id FROM (
    SELECT id, embedding FROM face_embedding
    ORDER BY binary_quantize(embedding)::bit(512) <~> binary_quantize(%(query)s::vector)
    LIMIT %(candidates)s
) AS c
ORDER BY embedding <=> %(query)s::vector
LIMIT 1
"""


# Exact scan of the 64-byte binary codes kept in a narrow table, re-ranked on vector(512).
IDENTIFY_BITS = """
WITH candidates AS (
    SELECT b.id
    FROM face_embedding_bits AS b
    JOIN person AS p ON p.id = b.person_id
    WHERE b.model_name = %(model)s AND p.is_active
    ORDER BY b.code <~> binary_quantize(%(query)s::vector)
    LIMIT %(candidates)s
), nearest AS (
    SELECT e.person_id, e.embedding <=> %(query)s::vector AS distance
    FROM candidates AS c
    JOIN face_embedding AS e ON e.id = c.id
    ORDER BY distance
    LIMIT %(k)s
)
SELECT person_id, 1 - min(distance) AS similarity
FROM nearest
GROUP BY person_id
ORDER BY similarity DESC
LIMIT 2
"""
BARE_BITS = """
SELECT e.id FROM (
    SELECT id FROM face_embedding_bits
    ORDER BY code <~> binary_quantize(%(query)s::vector)
    LIMIT %(candidates)s
) AS c
JOIN face_embedding AS e ON e.id = c.id
ORDER BY e.embedding <=> %(query)s::vector
LIMIT 1
"""


# -- data ------------------------------------------------------------------------------------


def chunk_vectors(seed: int, chunk: int) -> np.ndarray:
    """Unit vectors for rows [chunk*CHUNK, (chunk+1)*CHUNK): deterministic per (seed, chunk)."""
    rng = np.random.default_rng([seed, chunk])
    block = rng.standard_normal((CHUNK, DIM), dtype=np.float32)
    block /= np.linalg.norm(block, axis=1, keepdims=True)
    return block


def row_blocks(seed: int, start: int, stop: int):
    """Yield (first_row, vectors) covering rows [start, stop) (0-based; id = row + 1)."""
    for chunk in range(start // CHUNK, math.ceil(stop / CHUNK)):
        lo, hi = chunk * CHUNK, (chunk + 1) * CHUNK
        a, b = max(lo, start), min(hi, stop)
        if a < b:
            yield a, chunk_vectors(seed, chunk)[a - lo : b - lo]


def person_of(rows: np.ndarray) -> np.ndarray:
    """person id of 0-based rows: two embeddings per person."""
    return rows // 2 + 1


def active(person_ids: np.ndarray) -> np.ndarray:
    return person_ids % INACTIVE_EVERY != 0


_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_COPY_TRAILER = struct.pack(">h", -1)


def copy_embeddings(conn: psycopg.Connection, seed: int, start: int, stop: int) -> None:
    """Binary COPY of rows [start, stop): (id, person_id, embedding, model_name)."""
    model = MODEL.encode()
    dtype = np.dtype(
        [
            ("nfields", ">i2"),
            ("id_len", ">i4"),
            ("id", ">i8"),
            ("person_len", ">i4"),
            ("person", ">i8"),
            ("vec_len", ">i4"),
            ("dim", ">i2"),
            ("unused", ">i2"),
            ("vec", ">f4", (DIM,)),
            ("model_len", ">i4"),
            ("model", f"S{len(model)}"),
        ]
    )
    with conn.cursor() as cur:
        sql = (
            "COPY face_embedding (id, person_id, embedding, model_name) FROM STDIN (FORMAT BINARY)"
        )
        with cur.copy(sql) as copy:
            copy.write(_COPY_HEADER)
            for first, block in row_blocks(seed, start, stop):
                rows = np.arange(first, first + len(block))
                out = np.empty(len(block), dtype=dtype)
                out["nfields"] = 4
                out["id_len"] = 8
                out["id"] = rows + 1
                out["person_len"] = 8
                out["person"] = person_of(rows)
                out["vec_len"] = 4 + 4 * DIM
                out["dim"] = DIM
                out["unused"] = 0
                out["vec"] = block
                out["model_len"] = len(model)
                out["model"] = model
                copy.write(out.tobytes())
            copy.write(_COPY_TRAILER)


def copy_persons(conn: psycopg.Connection, first: int, last: int) -> None:
    """Text COPY of persons first..last (inclusive)."""
    if last < first:
        return
    ids = np.arange(first, last + 1)
    flags = np.where(active(ids), "t", "f")
    lines = "".join(f"{i}\tPerson {i}\t{flag}\n" for i, flag in zip(ids, flags, strict=True))
    with (
        conn.cursor() as cur,
        cur.copy("COPY person (id, full_name, is_active) FROM STDIN") as copy,
    ):
        copy.write(lines)


@dataclass
class Probes:
    vectors: np.ndarray  # (n, DIM) float32, unit
    targets: np.ndarray  # 0-based rows the probes were made from
    nearest_row: np.ndarray = field(default=None)  # exact top-1 row over all rows
    nearest_person: np.ndarray = field(default=None)  # person of exact top-1 over active rows

    def literals(self) -> list[str]:
        return [vector_literal(v) for v in self.vectors]


def vector_literal(vector: np.ndarray) -> str:
    """Same text form as api.selectors.vector_literal."""
    return "[" + ",".join(f"{x:.7g}" for x in np.asarray(vector, dtype=np.float32)) + "]"


def make_probes(seed: int, size: int, count: int, rng: np.random.Generator) -> Probes:
    rows = np.empty(0, dtype=np.int64)
    while len(rows) < count:
        pick = rng.choice(size, size=count * 2, replace=False) if size > count * 2 else None
        pick = rng.permutation(size) if pick is None else pick
        pick = pick[active(person_of(pick))]
        rows = np.unique(np.concatenate([rows, pick]))[: count * 2]
    rows = rng.permutation(rows)[:count]
    targets = np.empty((count, DIM), dtype=np.float32)
    for first, block in row_blocks(seed, 0, size):
        inside = (rows >= first) & (rows < first + len(block))
        targets[inside] = block[rows[inside] - first]
    noise = rng.standard_normal((count, DIM)).astype(np.float32)
    noise -= (noise * targets).sum(axis=1, keepdims=True) * targets
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    probes = GENUINE_COSINE * targets + math.sqrt(1 - GENUINE_COSINE**2) * noise
    probes /= np.linalg.norm(probes, axis=1, keepdims=True)
    return Probes(vectors=probes.astype(np.float32), targets=rows)


def ground_truth(seed: int, size: int, probes: Probes) -> None:
    """Exact nearest (cosine) by brute force over rows [0, size), in chunks."""
    n = len(probes.vectors)
    best_all = np.full(n, -np.inf)
    row_all = np.zeros(n, dtype=np.int64)
    best_act = np.full(n, -np.inf)
    row_act = np.zeros(n, dtype=np.int64)
    for first, block in row_blocks(seed, 0, size):
        sims = block @ probes.vectors.T  # (rows, n)
        arg = sims.argmax(axis=0)
        top = sims[arg, np.arange(n)]
        better = top > best_all
        best_all[better], row_all[better] = top[better], arg[better] + first
        mask = active(person_of(np.arange(first, first + len(block))))
        sims[~mask] = -np.inf
        arg = sims.argmax(axis=0)
        top = sims[arg, np.arange(n)]
        better = top > best_act
        best_act[better], row_act[better] = top[better], arg[better] + first
    probes.nearest_row = row_all
    probes.nearest_person = person_of(row_act)


# -- database --------------------------------------------------------------------------------


def start_server(data_dir: Path) -> EmbeddedPostgres:
    server = EmbeddedPostgres(data_dir, "bench")
    server.acquire()
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        stale = False
        for name, value in SERVER_SETTINGS.items():
            if conn.execute(f"SHOW {name}").fetchone()[0] != value:
                conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
                stale = True
    if stale:  # shared_buffers needs a restart; this server is ours alone
        server.release()
        server.acquire()
    return server


def create_schema(conn: psycopg.Connection) -> None:
    conn.execute(f"DROP TABLE IF EXISTS {TABLES} CASCADE")
    conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
    conn.execute(
        """
        CREATE TABLE person (
            id bigint PRIMARY KEY,
            full_name varchar(255) NOT NULL,
            passport_series varchar(2) NOT NULL DEFAULT 'AA',
            passport_number varchar(7) NOT NULL DEFAULT '1234567',
            birth_date date NOT NULL DEFAULT '1990-01-01',
            is_active boolean NOT NULL DEFAULT true,
            created_at timestamptz NOT NULL DEFAULT now()
        ) WITH (autovacuum_enabled = false)
        """
    )
    # Columns of api_faceembedding (0001_initial); the unused ones carry typical widths.
    conn.execute(
        """
        CREATE TABLE face_embedding (
            id bigint PRIMARY KEY,
            embedding vector(512) NOT NULL,
            model_name varchar(100) NOT NULL,
            det_score double precision NOT NULL DEFAULT 0.8,
            quality double precision NOT NULL DEFAULT 0.0,
            source_photo varchar(100) NOT NULL
                DEFAULT 'faces/sources/0123456789abcdef0123456789abcdef.jpg',
            source_sha256 varchar(64) NOT NULL DEFAULT repeat('0', 64),
            created_at timestamptz NOT NULL DEFAULT now(),
            person_id bigint NOT NULL REFERENCES person (id)
        ) WITH (autovacuum_enabled = false)
        """
    )
    conn.execute("ALTER TABLE face_embedding ALTER COLUMN embedding SET STORAGE PLAIN")
    conn.execute(
        "CREATE INDEX face_embedding_model_person ON face_embedding (model_name, person_id)"
    )
    conn.execute(
        """
        CREATE TABLE face_embedding_half (
            id bigint PRIMARY KEY,
            embedding halfvec(512) NOT NULL,
            model_name varchar(100) NOT NULL,
            person_id bigint NOT NULL
        ) WITH (autovacuum_enabled = false)
        """
    )
    conn.execute("ALTER TABLE face_embedding_half ALTER COLUMN embedding SET STORAGE PLAIN")
    conn.execute(
        """
        CREATE TABLE face_embedding_bits (
            id bigint PRIMARY KEY,
            code bit(512) NOT NULL,
            model_name varchar(100) NOT NULL,
            person_id bigint NOT NULL
        ) WITH (autovacuum_enabled = false)
        """
    )


def relation_bytes(conn: psycopg.Connection, name: str) -> int:
    return conn.execute("SELECT pg_relation_size(%s::regclass)", (name,)).fetchone()[0]


def drop_index(conn: psycopg.Connection) -> None:
    conn.execute(f"DROP INDEX IF EXISTS {INDEX}")


def build_index(conn: psycopg.Connection, table: str, using: str) -> tuple[float, int]:
    """CREATE INDEX ``INDEX`` on table; return (seconds, bytes). Pre-warms it afterwards."""
    drop_index(conn)
    for name, value in BUILD_SETTINGS.items():
        conn.execute(f"SET {name} = '{value}'")
    started = time.perf_counter()
    conn.execute(f"CREATE INDEX {INDEX} ON {table} USING {using}")
    seconds = time.perf_counter() - started
    conn.execute("RESET maintenance_work_mem")
    conn.execute("CHECKPOINT")
    conn.execute("SELECT pg_prewarm(%s)", (INDEX,))
    return seconds, relation_bytes(conn, INDEX)


# -- measuring -------------------------------------------------------------------------------


@dataclass
class Bench:
    conn: psycopg.Connection
    probes: Probes
    warm: Probes
    size: int
    queries: int
    results: list[dict]
    save: callable

    def run(
        self,
        strategy: str,
        setting: str,
        variants: dict[str, str],
        params: dict | None = None,
        sets: dict | None = None,
        build: tuple[float, int] | None = None,
        queries: int | None = None,
        warmup: int = WARMUP,
        table: str | None = None,
    ) -> None:
        """Measure each query variant ('identify', 'bare') under the session SETs."""
        for name, value in (sets or {}).items():
            self.conn.execute(f"SET {name} = {value}")
        count = min(queries or self.queries, len(self.probes.vectors))
        literals = self.probes.literals()[:count]
        warm = self.warm.literals()[:warmup]
        row = {
            "size": self.size,
            "strategy": strategy,
            "setting": setting,
            "queries": count,
            "build_s": round(build[0], 1) if build else None,
            "index_bytes": build[1] if build else None,
            "table_bytes": relation_bytes(self.conn, table) if table else None,
        }
        for kind, sql in variants.items():
            base = {"model": MODEL, "k": SEARCH_K, **(params or {})}
            cur = self.conn.cursor()
            for literal in warm:
                cur.execute(sql, {**base, "query": literal})
                cur.fetchall()
            plan = cur.execute("EXPLAIN " + sql, {**base, "query": literals[0]}).fetchall()
            plan_text = "\n".join(line for (line,) in plan)
            times, hits, miss_similarity = [], 0, []
            for i, literal in enumerate(literals):
                started = time.perf_counter()
                cur.execute(sql, {**base, "query": literal})
                got = cur.fetchall()
                times.append((time.perf_counter() - started) * 1000)
                if kind == "bare":
                    hits += bool(got) and got[0][0] == self.probes.nearest_row[i] + 1
                elif got and got[0][0] == self.probes.nearest_person[i]:
                    hits += 1
                else:  # what the service would have seen instead of the right person
                    miss_similarity.append(float(got[0][1]) if got else None)
            row[kind] = {
                "p50_ms": round(float(np.percentile(times, 50)), 2),
                "p95_ms": round(float(np.percentile(times, 95)), 2),
                "recall_at_1": round(hits / count, 4),
                "index_used": INDEX in plan_text,
                "parallel": "Gather" in plan_text,
            }
            if kind == "identify":
                found = [x for x in miss_similarity if x is not None]
                row[kind]["misses"] = len(miss_similarity)
                row[kind]["miss_best_similarity"] = round(max(found), 4) if found else None
        for name in sets or {}:
            self.conn.execute(f"RESET {name}")
        row["loadavg_1m"] = round(os.getloadavg()[0], 2)
        self.results.append(row)
        print(format_row(row), flush=True)
        self.save()


def format_mb(value: int | None) -> str:
    return f"{value / 2**20:.0f}" if value is not None else ""


HEADER = (
    f"{'N':>8} {'strategy':<18} {'setting':<30} {'q':>4} "
    f"{'id p50':>7} {'id p95':>7} {'id R@1':>6} {'bare p50':>8} {'bare R@1':>8} "
    f"{'build s':>7} {'MB':>6}"
)


def format_row(row: dict) -> str:
    ident, bare = row.get("identify", {}), row.get("bare", {})

    def cell(d: dict, key: str, width: int, fmt: str) -> str:
        return f"{d[key]:>{width}{fmt}}" if key in d else " " * width

    notes = []
    if row["build_s"] is not None:
        no_index = [k for k in ("identify", "bare") if not row.get(k, {}).get("index_used", True)]
        if no_index:
            notes.append(f"planner: no index for {'+'.join(no_index)}")
    elif row.get("table_bytes"):
        notes.append("MB = table")
    build = f"{row['build_s']:>7.1f}" if row["build_s"] is not None else " " * 7
    size = row["index_bytes"] if row["index_bytes"] is not None else row.get("table_bytes")
    return (
        f"{row['size']:>8} {row['strategy']:<18} {row['setting']:<30} {row['queries']:>4} "
        f"{cell(ident, 'p50_ms', 7, '.2f')} {cell(ident, 'p95_ms', 7, '.2f')} "
        f"{cell(ident, 'recall_at_1', 6, '.3f')} {cell(bare, 'p50_ms', 8, '.2f')} "
        f"{cell(bare, 'recall_at_1', 8, '.3f')} {build} {format_mb(size):>6}"
        + (f"  [{'; '.join(notes)}]" if notes else "")
    )


# -- what runs at each size ------------------------------------------------------------------


def plan(size: int) -> dict:
    """Index settings per size; 1M keeps only what fits about an hour on 2 cores."""
    big = size > 100_000
    return {
        "exact_queries": 30 if big else None,  # 1M exact scans take ~1 s each
        "exact_warmup": 3 if big else WARMUP,
        "exact_serial": not big,
        "hnsw": [(16, 64)] if big else [(16, 64), (16, 128), (32, 64)],
        "ef_search": [40, 100, 200, 400, 800, 1000],
        "ivfflat": [size // 1000] if big else sorted({max(10, size // 1000), round(size**0.5)}),
        "probe_fractions": [0.01, 0.05, 0.1, 0.2],
        "bq_hnsw": [(16, 64)],
        "bq_candidates": [(100, 100), (200, 200), (400, 400), (1000, 1000)],
        "bq_ivfflat_fractions": [0.05, 0.1, 0.2],
        "bits_candidates": 100,
    }


def bench_size(bench: Bench, size: int) -> None:
    conn, p = bench.conn, plan(size)
    exact = {"identify": IDENTIFY, "bare": BARE}
    slow = {"queries": p["exact_queries"], "warmup": p["exact_warmup"]}

    drop_index(conn)
    bench.run("exact", "vector(512) PLAIN", exact, table="face_embedding", **slow)
    if p["exact_serial"]:
        bench.run(
            "exact",
            "vector(512) PLAIN, no parallel",
            exact,
            sets={"max_parallel_workers_per_gather": 0},
            table="face_embedding",
            **slow,
        )
    bench.run(
        "exact-halfvec",
        "halfvec(512) table",
        {"identify": IDENTIFY_HALF, "bare": BARE_HALF},
        table="face_embedding_half",
        **slow,
    )
    bench.run(
        "exact-bits+rerank",
        f"bit(512) table, top={p['bits_candidates']}",
        {"identify": IDENTIFY_BITS, "bare": BARE_BITS},
        params={"candidates": p["bits_candidates"]},
        table="face_embedding_bits",
        **slow,
    )

    for lists in p["ivfflat"]:
        built = build_index(
            conn, "face_embedding", f"ivfflat (embedding vector_cosine_ops) WITH (lists = {lists})"
        )
        for probes in sorted({max(1, round(lists * f)) for f in p["probe_fractions"]}):
            bench.run(
                "ivfflat",
                f"lists={lists} probes={probes}",
                exact,
                sets={"ivfflat.probes": probes, "ivfflat.iterative_scan": "relaxed_order"},
                build=built,
            )
        drop_index(conn)

    bq = {"identify": IDENTIFY_BQ, "bare": BARE_BQ}
    code = "(binary_quantize(embedding)::bit(512)) bit_hamming_ops"
    lists = max(10, size // 1000)
    built = build_index(conn, "face_embedding", f"ivfflat ({code}) WITH (lists = {lists})")
    for probes in sorted({max(1, round(lists * f)) for f in p["bq_ivfflat_fractions"]}):
        bench.run(
            "bq-ivfflat+rerank",
            f"lists={lists} probes={probes} top=400",
            bq,
            params={"candidates": 400},
            sets={"ivfflat.probes": probes, "ivfflat.iterative_scan": "relaxed_order"},
            build=built,
        )
    drop_index(conn)

    for m, efc in p["bq_hnsw"]:
        built = build_index(
            conn, "face_embedding", f"hnsw ({code}) WITH (m = {m}, ef_construction = {efc})"
        )
        for ef, candidates in p["bq_candidates"]:
            bench.run(
                "bq-hnsw+rerank",
                f"m={m} efc={efc} ef={ef} top={candidates}",
                bq,
                params={"candidates": candidates},
                sets={"hnsw.ef_search": ef, "hnsw.iterative_scan": "relaxed_order"},
                build=built,
            )
        drop_index(conn)

    # Last: the float HNSW build is the slowest step at 1M.
    for m, efc in p["hnsw"]:
        built = build_index(
            conn,
            "face_embedding",
            f"hnsw (embedding vector_cosine_ops) WITH (m = {m}, ef_construction = {efc})",
        )
        for ef in p["ef_search"]:
            if m > 16 and ef < 100:
                continue
            bench.run(
                "hnsw",
                f"m={m} efc={efc} ef={ef}",
                exact,
                sets={"hnsw.ef_search": ef, "hnsw.iterative_scan": "relaxed_order"},
                build=built,
            )
        drop_index(conn)


# -- main ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument(
        "--queries", type=int, help="probes per size (default 200 up to 100k, 100 above)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "bench-pg")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the tables after the run")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    if sizes[0] < 10:
        parser.error("sizes must be at least 10")
    args.out.mkdir(parents=True, exist_ok=True)
    out_file = args.out / "search.json"

    run_started = time.perf_counter()
    server = start_server(args.data_dir)
    conn = psycopg.connect(server.dsn(), autocommit=True, cursor_factory=psycopg.ClientCursor)
    versions = conn.execute(
        "SELECT current_setting('server_version'), "
        "(SELECT extversion FROM pg_extension WHERE extname = 'vector')"
    ).fetchone()
    meta = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": " ".join([".venv/bin/python", "bench/search.py", *sys.argv[1:]]),
        "machine": f"{os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"{platform.machine()}",
        "postgresql": versions[0],
        "pgvector": versions[1],
        "server_settings": SERVER_SETTINGS,
        "build_settings": BUILD_SETTINGS,
        "probe_cosine_to_stored": GENUINE_COSINE,
        "search_k": SEARCH_K,
        "seed": args.seed,
        "sizes": {},
    }
    results: list[dict] = []

    def save() -> None:
        meta["elapsed_s"] = round(time.perf_counter() - run_started, 1)
        out_file.write_text(json.dumps({**meta, "results": results}, indent=2) + "\n")

    print(f"PostgreSQL {versions[0]}, pgvector {versions[1]}; writing {out_file}", flush=True)
    create_schema(conn)
    rng = np.random.default_rng(args.seed + 1)
    loaded = 0
    try:
        for size in sizes:
            step = time.perf_counter()
            drop_index(conn)
            with conn.transaction():
                copy_persons(conn, _first_new_person(loaded), int(person_of(np.array(size - 1))))
                copy_embeddings(conn, args.seed, loaded, size)
            conn.execute(
                "INSERT INTO face_embedding_half (id, embedding, model_name, person_id) "
                "SELECT id, embedding::halfvec(512), model_name, person_id FROM face_embedding "
                "WHERE id > %s",
                (loaded,),
            )
            conn.execute(
                "INSERT INTO face_embedding_bits (id, code, model_name, person_id) "
                "SELECT id, binary_quantize(embedding)::bit(512), model_name, person_id "
                "FROM face_embedding WHERE id > %s",
                (loaded,),
            )
            load_s = time.perf_counter() - step
            loaded = size
            for table in TABLES.split(", "):
                conn.execute(f"VACUUM (ANALYZE) {table}")
                conn.execute("SELECT pg_prewarm(%s)", (table,))
            conn.execute("CHECKPOINT")
            count = args.queries or (200 if size <= 100_000 else 100)
            probes = make_probes(args.seed, size, count, rng)
            warm = make_probes(args.seed, size, WARMUP, rng)
            ground_truth(args.seed, size, probes)
            meta["sizes"][str(size)] = {
                "load_s": round(load_s, 1),
                "table_bytes": relation_bytes(conn, "face_embedding"),
                "halfvec_table_bytes": relation_bytes(conn, "face_embedding_half"),
                "bits_table_bytes": relation_bytes(conn, "face_embedding_bits"),
                "probes_whose_target_is_nearest": float(
                    np.mean(probes.nearest_row == probes.targets)
                ),
            }
            print(
                f"\n== {size} rows: loaded in {load_s:.1f} s, table "
                f"{format_mb(meta['sizes'][str(size)]['table_bytes'])} MB, "
                f"prep {time.perf_counter() - step:.1f} s",
                flush=True,
            )
            print(HEADER, flush=True)
            bench = Bench(conn, probes, warm, size, count, results, save)
            bench_size(bench, size)
            print(f"   ({size} done at {time.perf_counter() - run_started:.0f} s)", flush=True)
    finally:
        save()
        if not args.keep:
            conn.execute(f"DROP TABLE IF EXISTS {TABLES}")
        conn.close()
        server.release()
    print("\n" + HEADER)
    for row in results:
        print(format_row(row))
    print(f"\nwhole run {time.perf_counter() - run_started:.0f} s; wrote {out_file}")


def _first_new_person(loaded_rows: int) -> int:
    """First person id not yet inserted when rows [0, loaded_rows) are loaded."""
    if loaded_rows == 0:
        return 1
    return int(person_of(np.array(loaded_rows - 1))) + 1


if __name__ == "__main__":
    main()
