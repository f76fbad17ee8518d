"""One error vocabulary: domain errors carry a code; one handler renders every error.

Every API error leaves as ``{"success": false, "error": "<message>"}`` with the right HTTP
status, in Uzbek by default or in Russian/English when ``Accept-Language`` asks for it.
"""

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.utils import translation
from rest_framework import exceptions, status
from rest_framework.response import Response

logger = logging.getLogger(__name__)

# code -> (uz, ru, en). The Uzbek texts of the contract are binding; keep them verbatim.
MESSAGES: dict[str, tuple[str, str, str]] = {
    "logged_in": ("{name} tizimga kirdi", "{name} вошёл(а) в систему", "{name} signed in"),
    "logged_out": ("Tizimdan chiqdingiz", "Вы вышли из системы", "You have signed out"),
    "face_found": ("Yuz topildi", "Лицо найдено", "Face found"),
    "no_face": (
        "Rasmda yuz topilmadi",
        "На изображении лицо не найдено",
        "No face found in the image",
    ),
    "not_recognised": (
        "Yuz tanilmadi. Iltimos, qaytadan urinib ko'ring yoki passport orqali kiring.",
        "Лицо не распознано. Попробуйте ещё раз или войдите по паспорту.",
        "Face not recognised. Please try again or sign in with your passport.",
    ),
    "bad_credentials": (
        "Passport yoki tug'ilgan sana noto'g'ri",
        "Неверный паспорт или дата рождения",
        "Wrong passport or birth date",
    ),
    "inactive": (
        "Foydalanuvchi faol emas. Administratorga murojaat qiling.",
        "Пользователь неактивен. Обратитесь к администратору.",
        "This person is not active. Please contact an administrator.",
    ),
    "face_too_small": (
        "Yuz juda kichik. Kameraga yaqinroq keling.",
        "Лицо слишком маленькое. Подойдите ближе к камере.",
        "The face is too small. Please come closer to the camera.",
    ),
    "low_det_score": (
        "Yuz aniq ko'rinmayapti. Kameraga to'g'ri qarang.",
        "Лицо плохо видно. Смотрите прямо в камеру.",
        "The face is not clearly visible. Please look straight at the camera.",
    ),
    "too_dark": (
        "Rasm juda qorong'i. Yorug'roq joyda turing.",
        "Изображение слишком тёмное. Встаньте в освещённое место.",
        "The image is too dark. Please move to a brighter place.",
    ),
    "too_blurry": (
        "Rasm xira. Qimirlamay turing.",
        "Изображение размыто. Не двигайтесь.",
        "The image is blurred. Please hold still.",
    ),
    "head_turned": (
        "Boshingizni burmang, kameraga to'g'ri qarang.",
        "Не поворачивайте голову, смотрите прямо в камеру.",
        "Please do not turn your head; look straight at the camera.",
    ),
    "image_required": ("Rasm yuborilmadi", "Изображение не передано", "No image was sent"),
    "bad_base64": (
        "Rasm base64 formatida emas",
        "Изображение не в формате base64",
        "The image is not valid base64",
    ),
    "not_image": (
        "Fayl rasm emas yoki formati qo'llab-quvvatlanmaydi (JPEG, PNG, WebP)",
        "Файл не является изображением или формат не поддерживается (JPEG, PNG, WebP)",
        "The file is not an image or its format is not supported (JPEG, PNG, WebP)",
    ),
    "truncated_image": (
        "Rasm fayli buzilgan yoki to'liq emas",
        "Файл изображения повреждён или неполон",
        "The image file is corrupted or incomplete",
    ),
    "image_too_large": (
        "Rasm hajmi juda katta (ko'pi bilan {limit} MB)",
        "Изображение слишком большое (не более {limit} МБ)",
        "The image is too large (at most {limit} MB)",
    ),
    "too_many_pixels": (
        "Rasm o'lchami juda katta (ko'pi bilan {limit} megapiksel)",
        "Слишком большое разрешение (не более {limit} мегапикселей)",
        "The image has too many pixels (at most {limit} megapixels)",
    ),
    "invalid": (
        "Noto'g'ri ma'lumot: {detail}",
        "Неверные данные: {detail}",
        "Invalid data: {detail}",
    ),
    "bad_json": (
        "So'rov tanasi noto'g'ri JSON",
        "Тело запроса — некорректный JSON",
        "The request body is not valid JSON",
    ),
    "unsupported_media": (
        "Faqat application/json qabul qilinadi",
        "Принимается только application/json",
        "Only application/json is accepted",
    ),
    "too_large": ("So'rov hajmi juda katta", "Слишком большой запрос", "The request is too large"),
    "not_authenticated": (
        "Tizimga kirmagansiz",
        "Вы не вошли в систему",
        "You are not signed in",
    ),
    "permission_denied": (
        "Bu amal uchun ruxsat yo'q",
        "Недостаточно прав для этого действия",
        "You are not allowed to do this",
    ),
    "not_found": ("Topilmadi", "Не найдено", "Not found"),
    "person_not_found": ("Shaxs topilmadi", "Сотрудник не найден", "Person not found"),
    "method_not_allowed": (
        "{method} usuli ruxsat etilmagan",
        "Метод {method} не разрешён",
        "Method {method} is not allowed",
    ),
    "rate_limited": (
        "Juda ko'p urinish. {seconds} soniyadan keyin qayta urinib ko'ring.",
        "Слишком много попыток. Повторите через {seconds} с.",
        "Too many attempts. Try again in {seconds} seconds.",
    ),
    "database_unavailable": (
        "Ma'lumotlar bazasi vaqtincha ishlamayapti. Birozdan keyin urinib ko'ring.",
        "База данных временно недоступна. Повторите попытку позже.",
        "The database is temporarily unavailable. Please try again shortly.",
    ),
    "server_error": ("Server xatosi", "Ошибка сервера", "Server error"),
    "liveness_required": (
        "Jonlilik tekshiruvi talab qilinadi: avval topshiriq oling",
        "Требуется проверка живости: сначала получите задание",
        "A liveness check is required: request a challenge first",
    ),
    "liveness_expired": (
        "Topshiriq muddati o'tgan yoki ishlatilgan. Qaytadan urinib ko'ring.",
        "Задание истекло или уже использовано. Попробуйте ещё раз.",
        "The challenge has expired or was already used. Please try again.",
    ),
    "liveness_failed": (
        "Jonlilik tekshiruvidan o'tilmadi. Topshiriqni bajarib, qaytadan urinib ko'ring.",
        "Проверка живости не пройдена. Выполните задание и попробуйте снова.",
        "The liveness check failed. Please do what is asked and try again.",
    ),
    "turn_left": (
        "Boshingizni chapga buring",
        "Поверните голову влево",
        "Turn your head to the left",
    ),
    "turn_right": (
        "Boshingizni o'ngga buring",
        "Поверните голову вправо",
        "Turn your head to the right",
    ),
    "blink": ("Ko'zingizni yumib oching", "Моргните", "Blink your eyes"),
    "cross_site": (
        "Boshqa saytdan yuborilgan so'rov rad etildi",
        "Запрос с другого сайта отклонён",
        "A request from another site was refused",
    ),
    "unexpected_field": (
        "Kutilmagan maydon: {fields}",
        "Неожиданное поле: {fields}",
        "Unexpected field: {fields}",
    ),
}
_LANGUAGE_INDEX = {"uz": 0, "ru": 1, "en": 2}


def message(code: str, **params: object) -> str:
    """Return the message for ``code`` in the active language, formatted with ``params``."""
    language = (translation.get_language() or "uz").split("-")[0]
    text = MESSAGES[code][_LANGUAGE_INDEX.get(language, 0)]
    return text.format(**params) if params else text


class ApiError(Exception):
    """A domain error: a message code, its parameters and an HTTP status."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, code: str, *, status_code: int | None = None, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
        if status_code is not None:
            self.status_code = status_code

    @property
    def message(self) -> str:
        return message(self.code, **self.params)


def error_body(text: str) -> dict:
    return {"success": False, "error": text}


def _first_validation_message(detail: object) -> str:
    """Flatten DRF's nested validation detail to one readable line."""
    if isinstance(detail, dict):
        field, value = next(iter(detail.items()))
        inner = _first_validation_message(value)
        return inner if field == "non_field_errors" else f"{field}: {inner}"
    if isinstance(detail, list) and detail:
        return _first_validation_message(detail[0])
    return str(detail)


def _classify(exc: Exception) -> tuple[int, str, dict]:
    """Map any exception to (status, message code, parameters)."""
    if isinstance(exc, ApiError):
        return exc.status_code, exc.code, exc.params
    if isinstance(exc, exceptions.ValidationError):
        return 400, "invalid", {"detail": _first_validation_message(exc.detail)}
    if isinstance(exc, RequestDataTooBig):
        return 413, "too_large", {}
    if isinstance(exc, exceptions.ParseError):
        return 400, "bad_json", {}
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return 415, "unsupported_media", {}
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return 401, "not_authenticated", {}
    if isinstance(exc, exceptions.PermissionDenied | PermissionDenied):
        return 403, "permission_denied", {}
    if isinstance(exc, exceptions.NotFound | Http404):
        return 404, "not_found", {}
    if isinstance(exc, exceptions.MethodNotAllowed):
        return 405, "method_not_allowed", {"method": exc.args[0] if exc.args else ""}
    if isinstance(exc, exceptions.Throttled):
        return 429, "rate_limited", {"seconds": int(exc.wait or 60)}
    if isinstance(exc, OperationalError | InterfaceError):
        return 503, "database_unavailable", {}
    if isinstance(exc, exceptions.APIException):
        return exc.status_code, "invalid", {"detail": str(exc.detail)}
    return 500, "server_error", {}


def exception_handler(exc: Exception, context: dict) -> Response:
    """DRF exception handler: every error in the one JSON shape."""
    status_code, code, params = _classify(exc)
    request = context.get("request")
    path = request.path if request is not None else "?"
    if code == "database_unavailable":
        # Expected while the database restarts; one line each, not a traceback flood.
        logger.warning("database unavailable on %s: %s", path, str(exc).splitlines()[0][:200])
    elif status_code >= 500:
        logger.error("API error %s on %s", code, path, exc_info=exc)
    response = Response(error_body(message(code, **params)), status=status_code)
    if status_code == 429:
        response["Retry-After"] = str(params["seconds"])
    if status_code == 405 and isinstance(exc, exceptions.MethodNotAllowed):
        view = context.get("view")
        if view is not None:
            response["Allow"] = ", ".join(view.allowed_methods)
    return response


def json_error(request, status_code: int, code: str, **params: object) -> JsonResponse:
    """Render the one error shape outside DRF (Django's 404/500 handlers, middleware)."""
    return JsonResponse(error_body(message(code, **params)), status=status_code)
