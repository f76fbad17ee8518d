"""Operator CLI: python -m recognition detect|embed|compare FILE...

detect  FILE...       faces found, the largest face's box, quality and any problem
embed   FILE...       the 512-d embedding of the largest face, as JSON
compare FILE FILE...  cosine similarity and confidence of the first file against the others
"""

import argparse
import json
import sys
import time
from pathlib import Path

from recognition.calibration import similarity_to_confidence
from recognition.decode import decode_image
from recognition.engine import EngineConfig, cosine_similarity, get_engine
from recognition.errors import RecognitionError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m recognition", description=__doc__.split("\n")[0]
    )
    parser.add_argument("command", choices=("detect", "embed", "compare"))
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--model-dir", type=Path, help="folder with the ONNX files")
    parser.add_argument("--det-size", type=int, default=640)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--accept-similarity", type=float, default=0.35)
    args = parser.parse_args(argv)
    if args.command == "compare" and len(args.files) < 2:
        parser.error("compare needs at least two files")
    engine = get_engine(
        EngineConfig(model_dir=args.model_dir, det_size=args.det_size, threads=args.threads)
    )
    results = []
    for path in args.files:
        started = time.perf_counter()
        try:
            result = engine.run(decode_image(path.read_bytes()))
        except (OSError, RecognitionError) as exc:
            print(json.dumps({"file": str(path), "error": getattr(exc, "code", str(exc))}))
            results.append(None)
            continue
        elapsed = round((time.perf_counter() - started) * 1000, 1)
        results.append(result)
        if args.command == "detect":
            row = {
                "file": str(path),
                "face_count": result.face_count if result else 0,
                "ms": elapsed,
            }
            if result:
                row |= {
                    "face": result.face.as_dict(),
                    "quality": result.quality.as_dict(),
                    "problem": result.problem,
                }
            print(json.dumps(row))
        elif args.command == "embed":
            embedding = [round(float(v), 6) for v in result.embedding] if result else None
            print(
                json.dumps({"file": str(path), "model": engine.model_name, "embedding": embedding})
            )
    if args.command == "compare":
        reference = results[0]
        for path, other in zip(args.files[1:], results[1:], strict=True):
            if reference is None or other is None:
                print(json.dumps({"file": str(path), "similarity": None}))
                continue
            similarity = cosine_similarity(reference.embedding, other.embedding)
            confidence = similarity_to_confidence(similarity, args.accept_similarity)
            print(
                json.dumps(
                    {
                        "file": str(path),
                        "similarity": round(similarity, 4),
                        "confidence": confidence,
                    }
                )
            )
    return 0 if all(r is not None for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
