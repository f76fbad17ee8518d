"""Writes: enrolment, face and passport sign-in, and the login log."""

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import login as django_login
from django.contrib.auth import logout as django_logout
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from api import face, throttle
from api.errors import ApiError
from api.http import client_ip, user_agent
from api.models import FaceEmbedding, LivenessChallenge, LoginLog, PendingEnrolment, Person
from api.selectors import Match, identify_face
from recognition import (
    FaceQualityError,
    FaceResult,
    ImageError,
    encode_jpeg,
    liveness,
    similarity_to_confidence,
)

logger = logging.getLogger(__name__)

PASSPORT_RE = re.compile(r"^([A-Z]{2})(\d{7})$")
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")
SNAPSHOT_MAX_SIDE = 640


# -- parsing -----------------------------------------------------------------------------------


def parse_passport(value: str) -> tuple[str, str] | None:
    """Return (series, number) of "AD3145734", tolerating case and spaces; None if malformed."""
    match = PASSPORT_RE.match(re.sub(r"\s+", "", str(value or "")).upper())
    return (match.group(1), match.group(2)) if match else None


def parse_birth_date(value: object) -> date | None:
    """Accept a date, or text as YYYY-MM-DD, DD.MM.YYYY or DD/MM/YYYY; None if malformed."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


# -- images ------------------------------------------------------------------------------------


def snapshot_file(image: np.ndarray, name: str) -> ContentFile:
    """A downscaled JPEG of what the camera saw, small enough to keep for every attempt."""
    import cv2

    height, width = image.shape[:2]
    scale = SNAPSHOT_MAX_SIDE / max(height, width)
    if scale < 1:
        image = cv2.resize(
            image, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA
        )
    return ContentFile(encode_jpeg(image, quality=85), name=name)


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d_%H%M%S_%f")


# -- enrolment ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EnrolmentOutcome:
    enrolled: bool
    reason: str  # "ok", "duplicate" or a RecognitionError code
    embedding: FaceEmbedding | None = None


def already_enrolled(*, person: Person, photo_bytes: bytes) -> FaceEmbedding | None:
    digest = hashlib.sha256(photo_bytes).hexdigest()
    return FaceEmbedding.objects.filter(
        person=person, model_name=face.current_model_name(), source_sha256=digest
    ).first()


def enrol_photo(
    *, person: Person, photo_bytes: bytes, make_primary: bool = False
) -> EnrolmentOutcome:
    """Detect, check and embed the largest face of a photo and store it for ``person``.

    Idempotent: the same photo bytes under the same model are enrolled once.
    """
    model_name = face.current_model_name()
    digest = hashlib.sha256(photo_bytes).hexdigest()
    existing = already_enrolled(person=person, photo_bytes=photo_bytes)
    if existing is not None:
        return EnrolmentOutcome(enrolled=False, reason="duplicate", embedding=existing)
    try:
        result = _analyse_good_face(face.decode(photo_bytes))
    except (ImageError, FaceQualityError) as exc:
        return EnrolmentOutcome(enrolled=False, reason=exc.code)
    name = f"person_{person.pk}_{digest[:12]}.jpg"
    with transaction.atomic():
        embedding = FaceEmbedding(
            person=person,
            embedding=result.embedding,
            model_name=model_name,
            det_score=result.face.det_score,
            quality=result.quality.score,
            source_sha256=digest,
        )
        embedding.source_photo.save(name, ContentFile(photo_bytes), save=False)
        embedding.save()
        if make_primary or not person.photo:
            person.photo.name = embedding.source_photo.name  # one file, two references
            person.save(update_fields=["photo", "updated_at"])
    return EnrolmentOutcome(enrolled=True, reason="ok", embedding=embedding)


def _analyse_good_face(image: np.ndarray) -> FaceResult:
    result = face.analyse(image)
    if result is None:
        raise FaceQualityError("no_face")
    return result.require_good()


def delete_person(*, person: Person) -> None:
    """Delete a person with every embedding, photo file and pending photo (biometric data)."""
    files = [person.photo] if person.photo else []
    files += [e.source_photo for e in person.embeddings.all() if e.source_photo]
    files += [p.photo for p in person.pending_photos.all() if p.photo]
    files += [log.snapshot for log in person.logins.exclude(snapshot="")]
    with transaction.atomic():
        person.delete()
    for field_file in files:
        field_file.storage.delete(field_file.name)


# -- sign-in -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FaceLogin:
    person: Person
    confidence: float
    similarity: float
    log: LoginLog


def _log_attempt(request, **fields) -> LoginLog:
    return LoginLog.objects.create(
        ip_address=client_ip(request), user_agent=user_agent(request), **fields
    )


def _snapshot_field(image: np.ndarray | None, kind: str) -> ContentFile | str:
    return snapshot_file(image, f"{kind}_{_stamp()}.jpg") if image is not None else ""


def issue_challenge(*, request) -> LivenessChallenge:
    """A random, single-use liveness action for the kiosk to ask for."""
    return LivenessChallenge.objects.create(
        action=secrets.choice(settings.FACE_LIVENESS_ACTIONS),
        ip_address=client_ip(request),
        expires_at=timezone.now() + timedelta(seconds=settings.FACE_LIVENESS_SECONDS),
    )


def _consume_challenge(challenge_id) -> str | None:
    """Mark the challenge used and return its action; None if unknown, used or expired."""
    now = timezone.now()
    with transaction.atomic():
        challenge = (
            LivenessChallenge.objects.select_for_update()
            .filter(pk=challenge_id, used_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if challenge is None:
            return None
        challenge.used_at = now
        challenge.save(update_fields=["used_at"])
    return challenge.action


def _decode_for_login(request, data: str) -> np.ndarray:
    try:
        return face.decode(data)
    except ImageError as exc:
        _log_attempt(request, method=LoginLog.Method.FACE, reason=LoginLog.Reason.BAD_IMAGE)
        raise ApiError(exc.code, **exc.params) from None


def _live_frame(request, challenge_id, frames: list[str]) -> tuple[np.ndarray, FaceResult]:
    """Check a burst of frames against its challenge; return the frontal frame and its face."""
    reason = LoginLog.Reason.LIVENESS
    if not challenge_id or not frames:
        _log_attempt(request, method=LoginLog.Method.FACE, reason=reason)
        raise ApiError("liveness_required")
    action = _consume_challenge(challenge_id)
    if action is None:
        _log_attempt(request, method=LoginLog.Method.FACE, reason=reason)
        raise ApiError("liveness_expired")
    images = [_decode_for_login(request, frame) for frame in frames]
    verdict = liveness.check(face.engine(), images, action)
    logger.info("liveness %s: %s", action, verdict.as_dict())
    if not verdict.passed:
        snapshot = _snapshot_field(images[len(images) // 2], "liveness")
        _log_attempt(request, method=LoginLog.Method.FACE, reason=reason, snapshot=snapshot)
        raise ApiError("liveness_failed", status_code=401)
    image = images[verdict.reference]
    return image, face.analyse(image)


def face_login(
    *, request, image_data: str | None = None, challenge_id=None, frames: list[str] | None = None
) -> FaceLogin:
    """Identify the largest face and sign that person in, logging the attempt.

    With ``FACE_LIVENESS=challenge`` (or whenever a challenge is sent) the input is a burst of
    ``frames`` that must show the challenge's action; otherwise one ``image``.
    """
    method = LoginLog.Method.FACE
    with transaction.atomic():
        throttle.lock(f"face-ip:{client_ip(request)}")
        wait = throttle.face_wait(ip=client_ip(request))
        if wait:
            _log_attempt(request, method=method, reason=LoginLog.Reason.RATE_LIMITED)
    if wait:
        raise ApiError("rate_limited", status_code=429, seconds=wait)
    if settings.FACE_LIVENESS == "challenge" or challenge_id or frames:
        image, result = _live_frame(request, challenge_id, frames or [])
    else:
        if not image_data:
            raise ApiError("image_required")
        image = _decode_for_login(request, image_data)
        result = face.analyse(image)
    if result is None:
        _log_attempt(
            request,
            method=method,
            reason=LoginLog.Reason.NO_FACE,
            snapshot=_snapshot_field(image, "noface"),
        )
        raise ApiError("no_face")
    if result.problem:
        _log_attempt(
            request,
            method=method,
            reason=LoginLog.Reason.LOW_QUALITY,
            snapshot=_snapshot_field(image, "quality"),
        )
        raise ApiError(result.problem)
    match = identify_face(embedding=result.embedding, model_name=face.current_model_name())
    return _finish_face_login(request, image, match)


def _accepts(match: Match | None) -> bool:
    if match is None:
        return False
    confidence = similarity_to_confidence(match.similarity, settings.FACE_ACCEPT_SIMILARITY)
    return confidence >= settings.FACE_MATCH_CONFIDENCE and match.margin >= settings.FACE_MIN_MARGIN


def _finish_face_login(request, image: np.ndarray, match: Match | None) -> FaceLogin:
    similarity = match.similarity if match else None
    confidence = (
        similarity_to_confidence(similarity, settings.FACE_ACCEPT_SIMILARITY) if match else None
    )
    person = Person.objects.filter(pk=match.person_id).first() if match else None
    # The best candidate and its similarity are logged either way, to tune the threshold.
    fields = {
        "method": LoginLog.Method.FACE,
        "candidate": person,
        "similarity": similarity,
        "confidence": confidence,
    }
    if not _accepts(match) or person is None:
        snapshot = _snapshot_field(image, "unknown")
        _log_attempt(request, reason=LoginLog.Reason.NOT_RECOGNISED, snapshot=snapshot, **fields)
        raise ApiError("not_recognised", status_code=401)
    with transaction.atomic():
        snapshot = _snapshot_field(image, f"person_{person.pk}")
        log = _log_attempt(
            request,
            reason=LoginLog.Reason.OK,
            success=True,
            person=person,
            snapshot=snapshot,
            **fields,
        )
        sign_in(request, person)
    return FaceLogin(person=person, confidence=confidence, similarity=similarity, log=log)


def passport_login(
    *, request, username: str, birth_date: str, image_data: str | None = None
) -> Person:
    """Sign in by passport + birth date; an optional photo is kept and offered for enrolment.

    Failures are limited per passport and per client IP (``api.throttle``); every attempt,
    refused or not, is logged.
    """
    image = None
    if image_data:
        try:
            image = face.decode(image_data)
        except ImageError as exc:
            raise ApiError(exc.code, **exc.params) from None
    passport = parse_passport(username)
    typed = "".join(passport) if passport else re.sub(r"\s+", "", str(username)).upper()[:32]
    born = parse_birth_date(birth_date)
    snapshot = _snapshot_field(image, "passport")
    ip = client_ip(request)
    log_fields = {"method": LoginLog.Method.PASSPORT, "username": typed, "snapshot": snapshot}
    with transaction.atomic():
        throttle.lock(f"passport:{typed}", f"passport-ip:{ip}")
        wait = throttle.passport_wait(username=typed, ip=ip)
        person = None
        if not wait and passport and born:
            person = Person.objects.filter(
                passport_series=passport[0], passport_number=passport[1], birth_date=born
            ).first()
        if wait:
            _log_attempt(request, reason=LoginLog.Reason.RATE_LIMITED, **log_fields)
            error = ApiError("rate_limited", status_code=429, seconds=wait)
        elif person is None:
            _log_attempt(request, reason=LoginLog.Reason.BAD_CREDENTIALS, **log_fields)
            error = ApiError("bad_credentials", status_code=401)
        elif not person.is_active:
            _log_attempt(request, reason=LoginLog.Reason.INACTIVE, candidate=person, **log_fields)
            error = ApiError("inactive", status_code=403)
        else:
            error = None
            log = _log_attempt(
                request, reason=LoginLog.Reason.OK, success=True, person=person, **log_fields
            )
            sign_in(request, person)
    # Raised after the block so that the refused attempt's log row is committed.
    if error:
        raise error
    if image is not None:
        _offer_pending_photo(person=person, image=image, log=log)
    return person


def _offer_pending_photo(
    *, person: Person, image: np.ndarray, log: LoginLog
) -> PendingEnrolment | None:
    """Keep a good face from a passport login for staff to approve; never enrol it silently."""
    result = face.analyse(image)
    if result is None or result.problem:
        return None
    pending = PendingEnrolment(person=person, det_score=result.face.det_score, login=log)
    pending.photo.save(
        f"pending_{person.pk}_{_stamp()}.jpg", ContentFile(encode_jpeg(image)), save=False
    )
    pending.save()
    return pending


def approve_pending(*, pending: PendingEnrolment) -> EnrolmentOutcome:
    pending.photo.open("rb")
    try:
        outcome = enrol_photo(person=pending.person, photo_bytes=pending.photo.read())
    finally:
        pending.photo.close()
    approved = outcome.embedding is not None
    pending.status = (
        PendingEnrolment.Status.APPROVED if approved else PendingEnrolment.Status.REJECTED
    )
    pending.decided_at = timezone.now()
    pending.save(update_fields=["status", "decided_at"])
    return outcome


def reject_pending(*, pending: PendingEnrolment) -> None:
    pending.status = PendingEnrolment.Status.REJECTED
    pending.decided_at = timezone.now()
    pending.save(update_fields=["status", "decided_at"])


def person_user(person: Person):
    """The Django user of a person, created on first sign-in (no usable password)."""
    if person.user_id:
        return person.user
    user, created = get_user_model().objects.get_or_create(
        username=person.passport, defaults={"first_name": person.full_name[:150]}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    person.user = user
    person.save(update_fields=["user", "updated_at"])
    return user


KIOSK_SESSION_KEY = "kiosk_login"


def sign_in(request, person: Person) -> None:
    django_login(request, person_user(person), backend="django.contrib.auth.backends.ModelBackend")
    # Signed in at a shared kiosk (face or passport): the pages end it after idle time.
    request.session[KIOSK_SESSION_KEY] = True


def sign_out(request) -> None:
    django_logout(request)
