from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Shaxslar va kirishlar"

    def ready(self) -> None:
        from api import checks, schema  # noqa: F401 - register checks and schema extensions
