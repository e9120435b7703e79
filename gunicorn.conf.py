"""gunicorn settings for `gunicorn dl_re_web.wsgi` (read automatically from the working directory).

Each worker loads the served run's matrices once (lazily, on its first
request) and answers from memory, so a few threads per worker are enough:
numpy releases the GIL during the matrix products.
"""
import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 5
timeout = 30
graceful_timeout = 30
# Restart workers now and then so that a slow leak cannot grow without bound.
max_requests = 20000
max_requests_jitter = 2000
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
