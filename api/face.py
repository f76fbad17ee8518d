"""The face engine as the web app configures it (settings -> recognition.EngineConfig)."""

from dataclasses import replace
from pathlib import Path

import numpy as np
from django.conf import settings

from recognition import (
    EngineConfig,
    FaceEngine,
    FaceResult,
    QualityGates,
    decode_image,
    get_engine,
)


def engine_config(recognizer: str | None = None) -> EngineConfig:
    """The configured engine, or the same with another recognizer file (``reembed --model``)."""
    if recognizer:
        name = recognizer if recognizer.endswith(".onnx") else f"{recognizer}.onnx"
        return replace(engine_config(), recognizer_file=name, model_name=Path(name).stem)
    return EngineConfig(
        model_dir=Path(settings.FACE_MODEL_DIR) if settings.FACE_MODEL_DIR else None,
        detector_file=settings.FACE_DETECTOR_FILE,
        recognizer_file=settings.FACE_RECOGNIZER_FILE,
        landmark_file=settings.FACE_LANDMARK_FILE,
        model_name=settings.FACE_MODEL_NAME,
        det_size=settings.FACE_DET_SIZE,
        det_threshold=settings.FACE_DET_THRESHOLD,
        threads=settings.FACE_THREADS,
        gates=QualityGates(
            min_size=settings.FACE_MIN_SIZE,
            min_det_score=settings.FACE_MIN_DET_SCORE,
            max_yaw=settings.FACE_MAX_YAW,
            min_blur=settings.FACE_MIN_BLUR,
            min_brightness=settings.FACE_MIN_BRIGHTNESS,
        ),
    )


def engine() -> FaceEngine:
    return get_engine(engine_config())


def current_model_name() -> str:
    return engine_config().name


def decode(data: str | bytes) -> np.ndarray:
    return decode_image(
        data, max_bytes=settings.FACE_MAX_BYTES, max_pixels=settings.FACE_MAX_PIXELS
    )


def analyse(image: np.ndarray) -> FaceResult | None:
    return engine().run(image)
