"""Framework-free face engine: decode images, detect, align, embed, check quality.

Nothing here imports Django; the web app passes an :class:`EngineConfig` built from settings.
"""

from recognition.calibration import confidence_to_similarity, similarity_to_confidence
from recognition.decode import decode_image, encode_jpeg, payload_bytes, sniff_format
from recognition.engine import (
    EMBEDDING_SIZE,
    EngineConfig,
    Face,
    FaceEngine,
    FaceResult,
    Quality,
    QualityGates,
    cosine_similarity,
    get_engine,
    packaged_model_dir,
)
from recognition.errors import FaceQualityError, ImageError, ModelError, RecognitionError

__all__ = [
    "EMBEDDING_SIZE",
    "EngineConfig",
    "Face",
    "FaceEngine",
    "FaceQualityError",
    "FaceResult",
    "ImageError",
    "ModelError",
    "Quality",
    "QualityGates",
    "RecognitionError",
    "confidence_to_similarity",
    "cosine_similarity",
    "decode_image",
    "encode_jpeg",
    "get_engine",
    "packaged_model_dir",
    "payload_bytes",
    "similarity_to_confidence",
    "sniff_format",
]
