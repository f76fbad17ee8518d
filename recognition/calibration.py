"""Map raw ArcFace cosine similarity to the contract's 0-100 confidence.

The contract accepts at "60 %". Raw cosine is the wrong scale for that: genuine pairs of
MobileFaceNet on real photos often score 0.4-0.6. So confidence is a monotone, piecewise
linear map anchored at the *accept similarity* ``t`` (measured, see docs/verification.md):

    similarity <= 0       ->  0
    0 < s <= t            ->  60 * s / t
    t < s <= 1            ->  60 + 40 * (s - t) / (1 - t)

so confidence >= 60 exactly when similarity >= t, and 100 only for identical vectors.
"""

import math


def similarity_to_confidence(similarity: float, accept_similarity: float) -> float:
    """Return the 0-100 confidence of a cosine similarity, rounded to one decimal."""
    if not 0 < accept_similarity < 1:
        raise ValueError("accept_similarity must be between 0 and 1")
    s = min(1.0, float(similarity))
    if math.isnan(s) or s <= 0:
        return 0.0
    if s <= accept_similarity:
        value = 60 * s / accept_similarity
    else:
        value = 60 + 40 * (s - accept_similarity) / (1 - accept_similarity)
    return round(value, 1)


def confidence_to_similarity(confidence: float, accept_similarity: float) -> float:
    """Inverse of :func:`similarity_to_confidence` (for thresholds given as confidence)."""
    c = min(100.0, max(0.0, float(confidence)))
    if c <= 60:
        return accept_similarity * c / 60
    return accept_similarity + (1 - accept_similarity) * (c - 60) / 40
