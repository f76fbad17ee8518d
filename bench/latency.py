"""Face engine latency per stage on a 640x480 kiosk frame, at 1 and 2 onnxruntime threads.

    python bench/latency.py [--photo FILE] [--repeat 30]

Each thread count runs in its own process (onnxruntime fixes threads per session). Prints
medians in milliseconds and writes bench/results/latency.json.
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def measure(photo: Path, threads: int, repeat: int) -> dict:
    import cv2

    from recognition import EngineConfig, decode_image, get_engine

    engine = get_engine(EngineConfig(threads=threads))
    image = cv2.imread(str(photo))
    height, width = image.shape[:2]
    scale = min(640 / width, 480 / height)
    frame = cv2.copyMakeBorder(
        cv2.resize(image, (int(width * scale), int(height * scale))),
        0, 480 - int(height * scale), 0, 640 - int(width * scale), cv2.BORDER_CONSTANT,
    )  # fmt: skip
    payload = "data:image/jpeg;base64," + base64.b64encode(cv2.imencode(".jpg", frame)[1]).decode()
    stages: dict[str, list[float]] = {
        "decode": [],
        "detect": [],
        "align": [],
        "embed": [],
        "total": [],
    }
    for i in range(repeat + 3):
        t0 = time.perf_counter()
        decoded = decode_image(payload)
        t1 = time.perf_counter()
        faces = engine.detect(decoded)
        t2 = time.perf_counter()
        crop = engine.align(decoded, faces[0])
        t3 = time.perf_counter()
        engine.embed_aligned([crop])
        t4 = time.perf_counter()
        if i < 3:
            continue  # warm-up
        for name, seconds in zip(
            stages, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0), strict=True
        ):
            stages[name].append(seconds * 1000)
    return {name: round(statistics.median(values), 2) for name, values in stages.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--photo", type=Path, default=ROOT.parent / "shared/faces/dev/Barack_Obama_01.jpg"
    )
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--threads", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.threads:
        print(json.dumps(measure(args.photo, args.threads, args.repeat)))
        return
    if not args.photo.is_file():
        from recognition import packaged_model_dir

        args.photo = packaged_model_dir() / "yaoming.jpg"
    results = {}
    for threads in (1, 2):
        out = subprocess.run(
            [sys.executable, __file__, "--threads", str(threads), "--photo", str(args.photo),
             "--repeat", str(args.repeat)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        results[threads] = json.loads(out.stdout.strip().splitlines()[-1])
    print("median ms   " + "  ".join(f"{name:>7s}" for name in results[1]))
    for threads, row in results.items():
        print(
            f"{threads} thread{'s' if threads > 1 else ' '}   "
            + "  ".join(f"{v:7.2f}" for v in row.values())
        )
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "latency.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
