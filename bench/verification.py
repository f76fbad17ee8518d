"""Verification quality on real labelled photos: genuine vs impostor, 1:N, unknown people.

    python bench/verification.py [--faces ../shared/faces/dev] [--out bench/results]

Reads ``labels.csv`` (file, identity); identities ``__group__`` and ``__noface__`` are not
people. Prints tables and writes ``verification.json``. Identification here is an exact
cosine search in numpy: the same ranking the SQL query returns from an exact scan.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recognition import EngineConfig, decode_image, get_engine, similarity_to_confidence

THRESHOLDS = [0.25, 0.30, 0.35, 0.40, 0.45, 0.50]


def load(folder: Path) -> dict[str, list[tuple[str, np.ndarray]]]:
    engine = get_engine(EngineConfig())
    people: dict[str, list[tuple[str, np.ndarray]]] = defaultdict(list)
    with open(folder / "labels.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["identity"].startswith("__"):
                continue
            result = engine.run(decode_image((folder / row["file"]).read_bytes()))
            if result is None:
                print(f"no face: {row['file']}", file=sys.stderr)
                continue
            people[row["identity"]].append((row["file"], result.embedding))
    return {k: v for k, v in people.items() if len(v) >= 2}


def pair_scores(people) -> tuple[np.ndarray, np.ndarray]:
    genuine, impostor = [], []
    items = [(name, e) for name, photos in people.items() for _, e in photos]
    for (n1, e1), (n2, e2) in itertools.combinations(items, 2):
        (genuine if n1 == n2 else impostor).append(float(e1 @ e2))
    return np.array(genuine), np.array(impostor)


def one_to_n(people, threshold: float, margin: float) -> dict:
    """Gallery = first photo of each person; probes = the other photos."""
    names = sorted(people)
    gallery = np.stack([people[n][0][1] for n in names])
    correct = wrong = refused = 0
    for name in names:
        for _, probe in people[name][1:]:
            scores = gallery @ probe
            order = np.argsort(-scores)
            best, runner = scores[order[0]], scores[order[1]]
            if best >= threshold and best - runner >= margin:
                correct += names[order[0]] == name
                wrong += names[order[0]] != name
            else:
                refused += 1
    probes = correct + wrong + refused
    # Unknown people: leave each identity out of the gallery and probe with all its photos.
    unknown_accepts = unknown_probes = 0
    for left_out in names:
        others = [n for n in names if n != left_out]
        sub = np.stack([people[n][0][1] for n in others])
        for _, probe in people[left_out]:
            scores = np.sort(sub @ probe)[::-1]
            unknown_probes += 1
            unknown_accepts += bool(scores[0] >= threshold and scores[0] - scores[1] >= margin)
    return {
        "probes": probes,
        "accepted_correct": correct,
        "accepted_wrong_person": wrong,
        "refused": refused,
        "accept_rate": round(correct / probes, 4),
        "unknown_probes": unknown_probes,
        "unknown_accepted": unknown_accepts,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    root = Path(__file__).resolve().parent.parent
    parser.add_argument("--faces", type=Path, default=root.parent / "shared" / "faces" / "dev")
    parser.add_argument("--out", type=Path, default=root / "bench" / "results")
    parser.add_argument("--accept", type=float, default=0.35, help="FACE_ACCEPT_SIMILARITY")
    parser.add_argument("--margin", type=float, default=0.05, help="FACE_MIN_MARGIN")
    args = parser.parse_args()

    people = load(args.faces)
    genuine, impostor = pair_scores(people)
    photos = sum(len(v) for v in people.values())
    pairs = f"{len(genuine)} genuine and {len(impostor)} impostor pairs"
    print(f"{len(people)} people, {photos} photos, {pairs}")
    print("\nsimilarity   min     p5      p50     p95     max")
    for label, values in (("genuine ", genuine), ("impostor", impostor)):
        p = np.percentile(values, [0, 5, 50, 95, 100])
        print(f"{label}    " + "  ".join(f"{v:6.3f}" for v in p))
    print("\nthreshold  confidence  FRR (genuine refused)  FAR (impostor accepted)")
    rates = []
    for t in THRESHOLDS:
        frr, far = float((genuine < t).mean()), float((impostor >= t).mean())
        conf = similarity_to_confidence(t, args.accept)
        rates.append({"similarity": t, "confidence": conf, "frr": frr, "far": far})
        print(f"{t:9.2f}  {conf:10.1f}  {frr:21.4f}  {far:23.4f}")
    identification = one_to_n(people, args.accept, args.margin)
    print(f"\n1:N at similarity {args.accept} (confidence 60), margin {args.margin}:")
    for key, value in identification.items():
        print(f"  {key:24s} {value}")
    result = {
        "people": len(people),
        "photos": photos,
        "genuine": {
            "pairs": len(genuine),
            "min": float(genuine.min()),
            "median": float(np.median(genuine)),
        },
        "impostor": {
            "pairs": len(impostor),
            "max": float(impostor.max()),
            "median": float(np.median(impostor)),
        },
        "rates": rates,
        "identification": identification,
        "accept_similarity": args.accept,
        "margin": args.margin,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "verification.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
