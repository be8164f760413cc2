"""The render worker: a child process that turns our HTML into PDF (and PNG) under limits.

Started by render.py as `python -m typesetting._worker MEMORY_MB`. It caps its own address
space (RLIMIT_AS) before importing WeasyPrint, then serves jobs read from stdin: one pickled
dict per frame, answered with one pickled dict on the original stdout. A job that runs too long
is killed by the parent (wall clock) or by the kernel (RLIMIT_CPU, re-armed per job); a job that
needs too much memory gets MemoryError here, or dies. Either way the caller sees a RenderError and
the next job gets a fresh worker.

Only our own code talks over these pipes (render.py writes, this reads), so pickle is fine.
"""

from __future__ import annotations

import io
import logging
import os
import pickle
import resource
import struct
import sys
import traceback

from . import subset_cache

_HEADER = struct.Struct("!Q")


def read_frame(stream) -> object | None:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        return None
    return pickle.loads(data)


def write_frame(stream, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage()[:500])


def _set_boxes(boxes):
    """A WeasyPrint finisher (public write_pdf API) that writes exact PDF page boxes.

    WeasyPrint puts the BleedBox at most 10 pt outside the TrimBox and has no room for crop
    marks outside the bleed, so the page is laid out at its full media size (trim + slug on each
    side) and the boxes are set here, in PDF points from the lower-left corner.
    """
    import pydyf

    def finisher(document, pdf):
        pages = [obj for obj in pdf.objects
                 if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/Page"]
        for page in pages:
            for name, box in boxes.items():
                page[name] = pydyf.Array([round(v, 4) for v in box])
    return finisher


class Renderer:
    def __init__(self):
        from weasyprint.text.fonts import FontConfiguration
        self.font_config = FontConfiguration()
        subset_cache.install()
        self.log = _Collect()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(self.log)
        logger.setLevel(logging.WARNING)
        logger.propagate = False

    def render(self, job: dict) -> dict:
        from weasyprint import HTML

        from .fetcher import AssetOnlyFetcher

        self.log.messages = []
        fetcher = AssetOnlyFetcher(job["assets"])
        html = HTML(string=job["html"], url_fetcher=fetcher, base_url=None)
        document = html.render(font_config=self.font_config)
        if len(document.pages) != job["pages"]:
            # Every page is one <section> of exactly the page's size; another page means
            # something overflowed, and the pages would not match our placements.
            raise RuntimeError(f"expected {job['pages']} pages, WeasyPrint made "
                               f"{len(document.pages)}")
        options = {"uncompressed_pdf": job.get("uncompressed", False)}
        if job.get("pdf_variant"):
            options["pdf_variant"] = job["pdf_variant"]
        if job.get("shared_subsets"):
            with subset_cache.enabled():
                pdf = document.write_pdf(finisher=_set_boxes(job["boxes"]), **options)
        else:
            pdf = document.write_pdf(finisher=_set_boxes(job["boxes"]), **options)
        result = {"ok": True, "pdf": pdf, "refused": fetcher.refused,
                  "warnings": list(self.log.messages)}
        if job.get("png_dpi"):
            result["png"] = self.rasterize(pdf, job["png_dpi"])
            if not job.get("keep_pdf"):
                del result["pdf"]
        return result

    @staticmethod
    def rasterize(pdf: bytes, dpi: int) -> bytes:
        import pypdfium2

        document = pypdfium2.PdfDocument(pdf)
        try:
            bitmap = document[0].render(scale=dpi / 72, grayscale=True)
            image = bitmap.to_pil()
            out = io.BytesIO()
            image.save(out, format="PNG", dpi=(dpi, dpi))
            return out.getvalue()
        finally:
            document.close()


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _arm_cpu_limit(seconds: float) -> None:
    """Let this job use `seconds` more CPU; beyond that the kernel sends SIGXCPU (fatal)."""
    used = _cpu_seconds()
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = int(used + seconds) + 1
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def lower_priority(nice: int = 10) -> None:
    """This worker yields the CPU to the web server: nice, and its autogroup's nice.

    With the kernel's autogroup scheduling (on by default in desktop and many server kernels),
    nice only ranks processes within one session, and a worker has a session of its own
    (render.py: start_new_session): its group would still get as much CPU as the whole web
    server's. Lowering the group's own priority makes the nice count (measured with the load
    benchmark: the export took 32.7 of 62 CPU-seconds beside 32 submitting connections before).
    Only for a process that leads its own session: the group is the session's, so another
    process would lower its caller's whole login session.
    """
    os.nice(nice)
    if os.getsid(0) != os.getpid():
        return
    try:
        with open("/proc/self/autogroup", "w") as autogroup:
            autogroup.write(str(nice))
    except OSError:   # no autogroup (kernel option off or absent): plain nice applies as it is
        pass


def main() -> None:
    memory_mb = int(sys.argv[1])
    # Cap the address space before anything big is mapped: a runaway layout gets MemoryError
    # instead of taking the web server's memory with it.
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # Renders yield the CPU to the web server's requests: a column export takes seconds of CPU,
    # and page views and submissions must not wait behind it (measured with the load benchmark:
    # page p99 1257 → 953 ms at 32 connections on PostgreSQL while exports ran).
    lower_priority(10)
    # Keep the protocol channel private: fd 1 becomes stderr, so a stray print() in a library
    # cannot corrupt a frame.
    channel = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    requests = sys.stdin.buffer

    renderer = Renderer()
    write_frame(channel, {"ready": True, "pid": os.getpid()})
    while True:
        job = read_frame(requests)
        if job is None:
            return
        started = _cpu_seconds()
        try:
            _arm_cpu_limit(job.get("cpu_seconds", 60))
            # "ping": a health check, and the benchmark's measure of the pipe round trip.
            result = {"ok": True} if job.get("kind") == "ping" else renderer.render(job)
            result["cpu_s"] = _cpu_seconds() - started  # for the benchmark's figures
        except MemoryError:
            result = {"ok": False, "error": "memory"}
        except Exception as exc:  # reported to the caller as RenderError, with the cause
            result = {"ok": False, "error": "exception",
                      "detail": f"{type(exc).__name__}: {exc}"[:2000],
                      "traceback": traceback.format_exc()[-4000:]}
        try:
            write_frame(channel, result)
        except MemoryError:
            write_frame(channel, {"ok": False, "error": "memory"})


if __name__ == "__main__":
    main()
