"""Active liveness: did a burst of frames show the asked action, by one and the same face?

A printed photo or a phone screen held up to the camera shows a face that does not turn or
blink on request. The kiosk asks for a random action and sends a short burst of frames; this
module measures, per frame, the head turn (yaw from SCRFD's five points) and the eye openness
(from the 106-point landmark model ``2d106det.onnx``), and checks that

* most frames hold a face, and every face is the same person (embeddings agree);
* a frontal frame is present (the reference for the turn and for identification);
* the asked action happened: the yaw moved far enough to the asked side, or the eyes closed
  and opened again.

A still picture, repeated or held steady, fails the action check. A passive anti-spoofing
model (texture/depth cues on the frontal frame) would be one more check at the end of
:func:`check`; none ships, so none is pretended here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recognition.engine import FaceEngine, FaceResult

ACTIONS = ("turn_left", "turn_right", "blink")
# Indices of the eye contours in the 2d106det layout (the two centre points are left out).
LEFT_EYE = list(range(35, 43))
RIGHT_EYE = list(range(89, 97))


@dataclass(frozen=True)
class LivenessRules:
    min_face_frames: float = 0.6  # share of frames that must hold a face
    frontal_yaw: float = 0.12  # |yaw| of the reference frame
    turn_yaw: float = 0.18  # how far the yaw must move to the asked side
    same_person: float = 0.45  # cosine of every frame's face to the reference face
    blink_ratio: float = 0.55  # closed-eye openness relative to the open-eye openness


@dataclass(frozen=True)
class FrameMeasure:
    result: FaceResult
    eye_openness: float | None


@dataclass(frozen=True)
class LivenessVerdict:
    passed: bool
    reason: str  # "ok" or what failed
    reference: int | None  # index of the frontal frame to identify with
    yaws: list[float]

    def as_dict(self) -> dict:
        return {
            "passed": self.passed,
            "reason": self.reason,
            "yaws": [round(y, 3) for y in self.yaws],
        }


def eye_openness(landmarks: np.ndarray) -> float:
    """Mean height/width of the two eye contours: about 0.3-0.45 open, under 0.15 closed."""
    ratios = []
    for indices in (LEFT_EYE, RIGHT_EYE):
        points = landmarks[indices]
        width = float(np.ptp(points[:, 0])) or 1.0
        ratios.append(float(np.ptp(points[:, 1])) / width)
    return float(np.mean(ratios))


def measure(
    engine: FaceEngine, frames: list[np.ndarray], *, with_eyes: bool
) -> list[FrameMeasure | None]:
    measures: list[FrameMeasure | None] = []
    for image in frames:
        result = engine.run(image)
        if result is None:
            measures.append(None)
            continue
        openness = eye_openness(engine.landmarks(image, result.face)) if with_eyes else None
        measures.append(FrameMeasure(result=result, eye_openness=openness))
    return measures


def check(
    engine: FaceEngine, frames: list[np.ndarray], action: str, rules: LivenessRules | None = None
) -> LivenessVerdict:
    """Measure ``frames`` and judge whether they show ``action`` by one live face."""
    if action not in ACTIONS:
        raise ValueError(f"unknown liveness action {action!r}")
    rules = rules or LivenessRules()
    measures = measure(engine, frames, with_eyes=action == "blink")
    faces = [m for m in measures if m is not None]
    yaws = [m.result.face.yaw for m in faces]
    if not frames or len(faces) < rules.min_face_frames * len(frames):
        return LivenessVerdict(False, "too_few_faces", None, yaws)
    index = min(
        (i for i, m in enumerate(measures) if m), key=lambda i: abs(measures[i].result.face.yaw)
    )
    reference = measures[index].result
    if abs(reference.face.yaw) > rules.frontal_yaw:
        return LivenessVerdict(False, "no_frontal_frame", None, yaws)
    if any(float(m.result.embedding @ reference.embedding) < rules.same_person for m in faces):
        return LivenessVerdict(False, "different_faces", index, yaws)
    base = reference.face.yaw
    if action == "turn_left":
        done = max(yaws) - base >= rules.turn_yaw
    elif action == "turn_right":
        done = base - min(yaws) >= rules.turn_yaw
    else:
        openness = [m.eye_openness for m in faces]
        done = min(openness) <= rules.blink_ratio * max(openness) and openness[-1] > min(openness)
    if not done:
        return LivenessVerdict(False, "action_not_seen", index, yaws)
    return LivenessVerdict(True, "ok", index, yaws)
