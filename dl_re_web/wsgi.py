"""WSGI entry point for production servers (gunicorn dl_re_web.wsgi)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dl_re_web.settings")
application = get_wsgi_application()
