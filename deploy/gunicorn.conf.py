"""gunicorn settings for production (`make serve`): see README, "Production".

Threaded workers: a request waiting on a PDF render (done in a child process with its own time and
memory limit, at lower CPU priority) holds a thread, not a whole worker, so page views and
submissions keep being served while an issue's column is exported.
"""
import ctypes
import math
import multiprocessing
import os
import time

bind = os.environ.get("BIND", "127.0.0.1:" + os.environ.get("PORT", "8000"))
workers = int(os.environ.get("WEB_WORKERS", multiprocessing.cpu_count() * 2))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = 60            # longer than the render limit (RENDER_TIMEOUT_SECONDS, default 20 s)
graceful_timeout = 30
# Recycle a worker now and then, as a guard against slow memory growth; rarely, because a
# restart costs seconds of CPU (the app, and the worker's render processes with their fonts) and
# its first requests are slow. At 2000, 135 requests/s over 4 workers restart each about once a
# minute: in the load benchmark (SQLite, 64 connections) the p99 of the 10-second windows went
# 705-735 ms, then 941 and 1211 ms; at 100 000, 637-832 ms throughout. (WeasyPrint and Pango,
# whose caches grow, run in the render processes, not here.)
max_requests = 100_000
max_requests_jitter = 10_000
preload_app = False     # each worker opens its own database connections
accesslog = "-"
errorlog = "-"
# Forwarded headers are believed in one place, the app (TRUSTED_PROXY_HOPS → werkzeug's ProxyFix,
# app.py). gunicorn agrees with it: with no trusted proxy it takes X-Forwarded-Proto from nobody;
# with one (deploy/nginx.conf on this machine) from the loopback address nginx connects from,
# or from FORWARDED_ALLOW_IPS when the proxy is elsewhere.
_proxy_hops = os.environ.get("TRUSTED_PROXY_HOPS", "").strip()
forwarded_allow_ips = (os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
                       if _proxy_hops not in ("", "0") else "")


# -- keep-alive connections shared out evenly among the workers ---------------------------------
# gthread keeps a keep-alive connection with the worker that accepted it, for as long as the client
# keeps it open, and a burst of new connections lands unevenly (whichever worker wakes first
# takes most). Measured with benchmarks/bench_load.py at 64 API connections, no export running:
# the workers held 30, 23, 11 and 0 connections and served ~53 requests/s each, so 30 clients
# waited 565 ms a request and 11 waited 200 ms (p50 417 ms, p99 819-1196 ms). Closing every
# connection after its response (keepalive 0) spreads the load but cost a quarter of the
# throughput in new connections. Here each worker publishes how many connections it holds; one
# holding more than its share + 1 closes the connection it is answering ("Connection: close",
# which clients handle anyway) and accepts no more until it is back to its share, so the client
# reconnects to a worker with room.
BALANCE_SLOTS = 64           # one per worker (by its spawn number), more than ever run at once
BALANCE_STALE_S = 5.0        # a worker silent this long is left out (exited, or idle)
_held = None                 # shared (connections held, time of the count) per slot


def on_starting(server):
    """In the master, before any worker forks: the table the workers share."""
    global _held
    _held = multiprocessing.RawArray(ctypes.c_double, 2 * BALANCE_SLOTS)


def fair_share(mine: int, held, now: float, worker_count: int) -> tuple[bool, int]:
    """(shed this connection?, the fair share) for a worker holding `mine` connections, given
    the table `held` of all workers' recent counts (flat: count, time, count, time …)."""
    total = sum(held[i] for i in range(0, len(held), 2) if now - held[i + 1] < BALANCE_STALE_S)
    share = math.ceil(total / max(worker_count, 1))
    return mine > share + 1, share


def pre_request(worker, req):
    if _held is None or workers < 2:
        return
    try:
        slot = 2 * (worker.age % BALANCE_SLOTS)
        mine = worker.nr_conns
        now = time.monotonic()
        _held[slot], _held[slot + 1] = mine, now
        shed, share = fair_share(mine, _held, now, workers)
        if shed:
            req.must_close = True
            worker.worker_connections = max(share, 1)         # accept none until back to share
        elif worker.worker_connections != worker.cfg.worker_connections:
            worker.worker_connections = worker.cfg.worker_connections
    except Exception:  # noqa: BLE001 - balancing is an optimisation; never fail a request on it
        worker.log.exception("connection balancing")


def post_worker_init(worker):
    """With the app loaded: freeze what exists now out of the garbage collector, and start this
    worker's render processes in the background, so the first advertiser's preview does not wait
    ~2 s for them.

    The app's modules, SQLAlchemy's mappers and compiled queries are never garbage, yet every
    full collection walked them: an export of 200 notices makes some 6 000 ORM objects, and
    collecting took 6.8 ms of its 39 ms of CPU in this process, 1.3 ms once frozen (20 exports,
    PostgreSQL, timed by gc.callbacks). Every other request gains the same way."""
    import gc
    import threading

    import typesetting

    gc.collect()
    gc.freeze()
    threading.Thread(target=typesetting.warm_up, name="render-warm-up", daemon=True).start()
