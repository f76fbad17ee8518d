"""System checks for production settings that Django's own --deploy checks do not know."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def liveness_is_on_in_production(app_configs, **kwargs):
    if settings.DEBUG or settings.FACE_LIVENESS != "off":
        return []
    return [
        Warning(
            "FACE_LIVENESS is off: a printed photo or a phone screen can sign somebody in.",
            hint="Set FACE_LIVENESS=challenge on kiosks (see README, Production).",
            id="chilonzor.W001",
        )
    ]
