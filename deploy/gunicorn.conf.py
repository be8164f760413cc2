"""gunicorn settings for production (`make serve`): see README, "Production".

Threaded workers: a request waiting on a PDF render (done in a child process with its own time and
memory limit, at lower CPU priority) holds a thread, not a whole worker, so page views and
submissions keep being served while an issue's column is exported.
"""
import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:" + os.environ.get("PORT", "8000"))
workers = int(os.environ.get("WEB_WORKERS", multiprocessing.cpu_count() * 2))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = 60            # longer than the render limit (RENDER_TIMEOUT_SECONDS, default 20 s)
graceful_timeout = 30
max_requests = 2000     # recycle workers now and then: WeasyPrint/Pango caches grow
max_requests_jitter = 200
preload_app = False     # each worker opens its own database connections
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):
    """Start this worker's render processes in the background, so the first advertiser's
    preview does not wait ~2 s for them."""
    import threading

    import typesetting

    threading.Thread(target=typesetting.warm_up, name="render-warm-up", daemon=True).start()
