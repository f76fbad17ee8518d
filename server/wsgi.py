"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

from server.env import env_bool

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.settings")
application = get_wsgi_application()

if env_bool("WARM_MODELS", True):
    # Load the face models when a worker boots, not during somebody's first login.
    from api import face

    face.engine()
