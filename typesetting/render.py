"""Running WeasyPrint with a time and a memory limit: a small pool of worker processes.

Why child processes: WeasyPrint's cost grows with its input (docs/typesetting.md: 1 MB of text took
39 s; deep nesting raised RecursionError) and a layout cannot be interrupted from inside Python.
A child can be killed. Each worker caps its address space (RLIMIT_AS) and its CPU per job
(RLIMIT_CPU); the parent waits on the answer with a wall-clock deadline and kills the worker when
it passes. The workers stay up between jobs (WeasyPrint imported, fonts loaded), so a preview
pays only for its own rendering plus a pipe round trip (~1 ms), not a process start (~1 s).

The parent never imports WeasyPrint: breaking lines (linebreak.py) needs only HarfBuzz.
"""

from __future__ import annotations

import atexit
import os
import select
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from . import _worker
from ._worker import Job
from .errors import RenderError, RenderTimeout

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class RenderLimits:
    """Limits for one render job. The defaults suit a preview and a whole column alike."""

    timeout_s: float = 60.0      # wall clock for the job, including waiting for a free worker
    memory_mb: int = 2048        # address space of a worker (WeasyPrint + fonts need ~400 MB)


PREVIEW_LIMITS = RenderLimits(timeout_s=15.0)
COLUMN_LIMITS = RenderLimits(timeout_s=120.0)

# What draws the column and the preview: "direct" - the engine's set lines straight into PDF
# (draw.py) - or "weasyprint", the HTML of templates/print/ through WeasyPrint: the reference
# that tests/engine/test_draw.py compares the direct drawer with, glyph by glyph and pixel by
# pixel. TYPESETTING_RENDERER in the environment sets it for the process; a render function
# may name one (renderer=). Other documents (the proof) are always WeasyPrint's.
RENDERERS = ("direct", "weasyprint")
DEFAULT_RENDERER = os.environ.get("TYPESETTING_RENDERER", "direct")


def choose_renderer(name: str | None) -> str:
    """The renderer `name`, or the process's default; a name that is none of RENDERERS raises."""
    chosen = DEFAULT_RENDERER if name is None else name
    if chosen not in RENDERERS:
        raise ValueError(f"unknown renderer {chosen!r}: one of {', '.join(RENDERERS)}")
    return chosen


class _Worker:
    def __init__(self, memory_mb: int):
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [str(_PACKAGE_ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
        self.memory_mb = memory_mb
        self.process = subprocess.Popen(
            [sys.executable, "-m", "typesetting._worker", str(memory_mb)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            cwd=str(_PACKAGE_ROOT), env=env, close_fds=True,
            # Its own session: a Ctrl-C meant for the web server does not kill renders half
            # way; the worker exits when its stdin closes (that is, when we exit).
            start_new_session=True)
        self.ready = False

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL does not time out
            pass
        for stream in (self.process.stdin, self.process.stdout):
            try:
                if stream is not None:   # never None: both are pipes
                    stream.close()
            except OSError:
                pass

    def _read_exactly(self, size: int, deadline: float) -> bytes:
        stdout = self.process.stdout
        assert stdout is not None, "started with stdout=PIPE"
        fd = stdout.fileno()
        chunks = []
        while size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            readable, _, _ = select.select([fd], [], [], remaining)
            if not readable:
                raise TimeoutError
            chunk = os.read(fd, min(size, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def receive(self, deadline: float) -> Job:
        import pickle
        header = self._read_exactly(_worker._HEADER.size, deadline)
        (size,) = _worker._HEADER.unpack(header)
        answer: Job = pickle.loads(self._read_exactly(size, deadline))
        return answer

    def ask(self, job: Job, deadline: float) -> Job:
        if not self.ready:
            hello = self.receive(deadline)
            if not hello.get("ready"):
                raise EOFError
            self.ready = True
        assert self.process.stdin is not None, "started with stdin=PIPE"
        _worker.write_frame(self.process.stdin, job)
        return self.receive(deadline)


class _Pool:
    """Up to max_workers workers; a job takes an idle one or waits for one."""

    def __init__(self, max_workers: int):
        self.max_workers = max_workers
        self._idle: list[_Worker] = []
        self._busy = 0
        self._cond = threading.Condition()

    def _take(self, memory_mb: int, deadline: float, wait: bool = True) -> _Worker | None:
        """An idle worker with these limits, or a new one; None if none is free and not wait."""
        with self._cond:
            while True:
                for i, worker in enumerate(self._idle):
                    if worker.memory_mb == memory_mb and worker.process.poll() is None:
                        self._busy += 1
                        return self._idle.pop(i)
                if self._busy + len(self._idle) < self.max_workers:
                    self._busy += 1
                    break
                if self._idle:  # an idle worker with other limits: replace it
                    self._idle.pop(0).kill()
                    continue
                if not wait:
                    return None
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._cond.wait(remaining):
                    raise RenderTimeout("排版服务繁忙，请稍后重试。")
        try:
            return _Worker(memory_mb)
        except OSError as exc:
            with self._cond:
                self._busy -= 1
                self._cond.notify()
            raise RenderError(f"无法启动排版进程：{exc}") from exc

    def take_idle(self, memory_mb: int) -> _Worker | None:
        """An idle, running worker with these limits, or None (none is started)."""
        with self._cond:
            for i, worker in enumerate(self._idle):
                if worker.memory_mb == memory_mb and worker.process.poll() is None:
                    self._busy += 1
                    return self._idle.pop(i)
        return None

    def _give_back(self, worker: _Worker, healthy: bool) -> None:
        if not healthy:
            worker.kill()
        with self._cond:
            self._busy -= 1
            if healthy:
                self._idle.append(worker)
            self._cond.notify()

    @staticmethod
    def _ask(worker: _Worker, job: Job, limits: RenderLimits, deadline: float) -> Job:
        job = dict(job, cpu_seconds=limits.timeout_s + 5)
        try:
            result = worker.ask(job, deadline)
        except TimeoutError:
            raise RenderTimeout(
                f"排版超时（超过 {limits.timeout_s:g} 秒）已中止。请缩短公告或分版排，"
                "仍不行请联系技术人员。") from None
        except (EOFError, BrokenPipeError, OSError):
            code = worker.process.poll()
            if code is not None and code < 0 and -code in (signal.SIGXCPU, signal.SIGKILL):
                raise RenderTimeout("排版超出处理时间限制，已中止。") from None
            raise RenderError(
                f"排版进程意外退出（代码 {code}），可能超出了内存限制 "
                f"{limits.memory_mb} MB。请重试；仍失败请联系技术人员。") from None
        if not result.get("ok"):
            if result.get("error") == "memory":
                raise RenderError(f"排版所需内存超过限制（{limits.memory_mb} MB），已中止。")
            raise RenderError(f"排版引擎出错：{result.get('detail', '未知错误')}")
        return result

    def run_many(self, jobs: list[Job], limits: RenderLimits) -> list[Job]:
        """Run jobs on as many workers as are free now (at least one, waited for).

        Workers are taken without waiting beyond the first, so two callers that each want two
        workers cannot hold one each and wait for the other forever; a caller that gets one
        worker runs its jobs one after the other on it.
        """
        deadline = time.monotonic() + limits.timeout_s
        first = self._take(limits.memory_mb, deadline)
        assert first is not None, "with wait=True _take returns a worker or raises RenderTimeout"
        workers = [first]
        while len(workers) < len(jobs):
            extra = self._take(limits.memory_mb, deadline, wait=False)
            if extra is None:
                break
            workers.append(extra)
        results: list[Job | None] = [None] * len(jobs)
        errors: list[BaseException] = []

        def serve(slot: int, worker: _Worker) -> None:
            healthy = False
            try:
                for index in range(slot, len(jobs), len(workers)):
                    if errors:
                        break
                    results[index] = self._ask(worker, jobs[index], limits, deadline)
                healthy = True
            except BaseException as exc:  # re-raised in the caller's thread below
                errors.append(exc)
            finally:
                self._give_back(worker, healthy)

        threads = [threading.Thread(target=serve, args=(slot, worker), daemon=True)
                   for slot, worker in enumerate(workers[1:], start=1)]
        for thread in threads:
            thread.start()
        serve(0, workers[0])
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        return results  # type: ignore[return-value]

    def shutdown(self) -> None:
        with self._cond:
            workers, self._idle = self._idle, []
        for worker in workers:
            worker.kill()


_pool_lock = threading.Lock()
_pool: _Pool | None = None
_pool_pid = 0


def _get_pool() -> _Pool:
    global _pool, _pool_pid
    with _pool_lock:
        if _pool is not None and _pool_pid != os.getpid():
            # We were forked (e.g. gunicorn --preload): the pipes belong to the parent's
            # workers. Leave them alone and start our own.
            _pool = None
        if _pool is None:
            _pool_pid = os.getpid()
            # One worker per core: rendering is CPU-bound and this is a 2-core machine.
            _pool = _Pool(max_workers=max(1, min(2, os.cpu_count() or 1)))
            atexit.register(_pool.shutdown)
        return _pool


def run_job(job: Job, limits: RenderLimits) -> Job:
    """Run one render job in a worker; raise RenderError (Chinese message) on any failure."""
    return _get_pool().run_many([job], limits)[0]


def run_job_if_idle(job: Job, limits: RenderLimits) -> Job | None:
    """Run one job on a worker that is up and idle now; None, having run nothing, if there is
    none (for work the caller can as well do itself: no waiting, no worker started for it)."""
    pool = _get_pool()
    worker = pool.take_idle(limits.memory_mb)
    if worker is None:
        return None
    healthy = False
    try:
        result = pool._ask(worker, job, limits, time.monotonic() + limits.timeout_s)
        healthy = True
        return result
    finally:
        pool._give_back(worker, healthy)


def run_jobs(jobs: list[Job], limits: RenderLimits) -> list[Job]:
    """Run independent jobs at once on the free workers (one after another if only one is)."""
    return _get_pool().run_many(jobs, limits)


def shutdown_renderer() -> None:
    """Stop the idle workers (they are restarted on demand)."""
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown()


def pool_size() -> int:
    return _get_pool().max_workers
