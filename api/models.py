"""Personnel, their face embeddings and every sign-in attempt."""

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from pgvector.django import VectorField

EMBEDDING_DIMENSIONS = 512

passport_series_validator = RegexValidator(r"^[A-Z]{2}$", "Passport seriyasi 2 ta katta harf")
passport_number_validator = RegexValidator(r"^\d{7}$", "Passport raqami 7 ta raqam")


class Person(models.Model):
    full_name = models.CharField("F.I.Sh.", max_length=255)
    passport_series = models.CharField(
        "passport seriyasi", max_length=2, validators=[passport_series_validator]
    )
    passport_number = models.CharField(
        "passport raqami", max_length=7, validators=[passport_number_validator]
    )
    birth_date = models.DateField("tug'ilgan sana")
    position = models.CharField("lavozim / unvon", max_length=255, blank=True)
    department = models.CharField("bo'lim", max_length=255, blank=True)
    photo = models.ImageField("rasm", upload_to="faces/", blank=True)
    is_active = models.BooleanField("faol", default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "person"
        verbose_name = "shaxs"
        verbose_name_plural = "shaxslar"
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["passport_series", "passport_number"], name="person_passport_unique"
            ),
        ]
        indexes = [models.Index(fields=["department"]), models.Index(fields=["position"])]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.passport})"

    @property
    def passport(self) -> str:
        return f"{self.passport_series}{self.passport_number}"

    @property
    def short_name(self) -> str:
        """Return "Surname Name" as the contract's greeting uses it."""
        return " ".join(self.full_name.split()[:2])


class FaceEmbedding(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="embeddings")
    # Storage PLAIN and the HNSW index are set in sql/ (applied by migration 0002).
    embedding = VectorField(dimensions=EMBEDDING_DIMENSIONS)
    model_name = models.CharField(max_length=100)
    det_score = models.FloatField("aniqlash ishonchi")
    quality = models.FloatField("sifat", default=0.0)
    source_photo = models.ImageField(upload_to="faces/sources/", blank=True)
    # Fingerprint of the source photo bytes, so re-running an import adds no twin embedding.
    source_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "face_embedding"
        verbose_name = "yuz vektori"
        verbose_name_plural = "yuz vektorlari"
        indexes = [models.Index(fields=["model_name", "person"])]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "model_name", "source_sha256"],
                condition=~models.Q(source_sha256=""),
                name="face_embedding_source_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}/{self.model_name}/{self.pk}"


class LoginLog(models.Model):
    class Method(models.TextChoices):
        FACE = "face", "yuz"
        PASSPORT = "passport", "passport"

    class Reason(models.TextChoices):
        OK = "ok", "muvaffaqiyatli"
        NO_FACE = "no_face", "yuz topilmadi"
        LOW_QUALITY = "low_quality", "rasm sifati past"
        NOT_RECOGNISED = "not_recognised", "tanilmadi"
        BAD_CREDENTIALS = "bad_credentials", "passport yoki sana noto'g'ri"
        INACTIVE = "inactive", "faol emas"
        RATE_LIMITED = "rate_limited", "urinishlar cheklangan"
        LIVENESS = "liveness", "jonlilik tekshiruvi"
        BAD_IMAGE = "bad_image", "rasm yaroqsiz"

    person = models.ForeignKey(
        Person, models.SET_NULL, null=True, blank=True, related_name="logins", verbose_name="xodim"
    )
    # Best match of a refused face attempt, kept to tune the threshold later.
    candidate = models.ForeignKey(
        Person,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="eng yaqin nomzod",
    )
    method = models.CharField("usul", max_length=10, choices=Method.choices)
    login_time = models.DateTimeField("vaqt", auto_now_add=True, db_index=True)
    confidence = models.FloatField("ishonch", null=True, blank=True)
    similarity = models.FloatField("o'xshashlik", null=True, blank=True)
    ip_address = models.GenericIPAddressField("IP manzil", null=True, blank=True)
    # What a passport attempt typed (normalised), so failures count per passport.
    username = models.CharField("kiritilgan passport", max_length=32, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    success = models.BooleanField("muvaffaqiyatli", default=False)
    reason = models.CharField("sabab", max_length=20, choices=Reason.choices)
    snapshot = models.ImageField("surat", upload_to="snapshots/%Y/%m/%d/", blank=True)

    class Meta:
        db_table = "login_log"
        verbose_name = "kirish qaydi"
        verbose_name_plural = "kirish qaydlari"
        ordering = ["-login_time", "-id"]
        indexes = [
            models.Index(fields=["person", "-login_time"]),
            models.Index(fields=["method", "-login_time"]),
            # The brute-force limits count recent failures per passport and per client IP.
            models.Index(fields=["username", "-login_time"], name="login_log_username_idx"),
            models.Index(fields=["ip_address", "-login_time"], name="login_log_ip_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.login_time:%Y-%m-%d %H:%M} {self.method} {self.reason}"


class LivenessChallenge(models.Model):
    """A random action the kiosk must show before a face login; single use, short-lived."""

    class Action(models.TextChoices):
        TURN_LEFT = "turn_left", "chapga"
        TURN_RIGHT = "turn_right", "o'ngga"
        BLINK = "blink", "ko'z yumish"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    action = models.CharField(max_length=12, choices=Action.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "liveness_challenge"

    def __str__(self) -> str:
        return f"{self.action} {self.id}"


class PendingEnrolment(models.Model):
    """A face photo offered at a passport login, waiting for staff to approve or reject it."""

    class Status(models.TextChoices):
        PENDING = "pending", "kutilmoqda"
        APPROVED = "approved", "tasdiqlangan"
        REJECTED = "rejected", "rad etilgan"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="pending_photos")
    photo = models.ImageField(upload_to="faces/pending/")
    det_score = models.FloatField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    login = models.ForeignKey(LoginLog, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "pending_enrolment"
        verbose_name = "tasdiqlanishi kutilayotgan rasm"
        verbose_name_plural = "tasdiqlanishi kutilayotgan rasmlar"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_status_display()})"
