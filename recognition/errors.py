"""Typed errors of the face engine; each carries a stable code and its parameters."""


class RecognitionError(Exception):
    """Base class: ``code`` names the problem, ``params`` fill its message."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code if not params else f"{code} {params}")
        self.code = code
        self.params = params


class ImageError(RecognitionError):
    """The input is not a usable image (bad base64, wrong type, truncated, too large)."""


class FaceQualityError(RecognitionError):
    """A face was found but is not good enough to identify (too small, dark, blurred, turned)."""


class ModelError(RecognitionError):
    """Model files are missing or cannot be loaded."""
