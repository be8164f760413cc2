"""The render worker: a child process that makes our PDFs (and PNGs) under limits: the column
and the preview drawn directly from the engine's set lines (draw.py), or from our HTML by
WeasyPrint (the reference, and the app's other documents).

Started by render.py as `python -m typesetting._worker MEMORY_MB`. It caps its own address
space (RLIMIT_AS) before importing WeasyPrint, then serves jobs read from stdin: one pickled
dict per frame, answered with one pickled dict on the original stdout. A job that runs too long
is killed by the parent (wall clock) or by the kernel (RLIMIT_CPU, re-armed per job); a job that
needs too much memory gets MemoryError here, or dies. Either way the caller sees a RenderError and
the next job gets a fresh worker.

Only our own code talks over these pipes (render.py writes, this reads), so pickle is fine.
"""

from __future__ import annotations

import gc
import io
import logging
import os
import pickle
import resource
import struct
import sys
import traceback
from typing import IO, Any, Callable

from . import subset_cache, subset_tags

_HEADER = struct.Struct("!Q")

# A job, and its answer: one pickled dict per frame (keys: see Renderer.render and render.py).
Job = dict[str, Any]


def read_frame(stream: IO[bytes]) -> Job | None:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        return None
    job: Job = pickle.loads(data)
    return job


def write_frame(stream: IO[bytes], obj: Job) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage()[:500])


def _set_boxes(boxes: dict[str, list[float]], x1a: bool = False) -> Callable[[Any, Any], None]:
    """A WeasyPrint finisher (public write_pdf API) that writes exact PDF page boxes, and names
    each font subset by its content (subset_tags.py); with x1a, makes WeasyPrint's PDF/X-1a:2003
    a PDF/X-1a:2001 (pdfx.py).

    WeasyPrint puts the BleedBox at most 10 pt outside the TrimBox and has no room for crop
    marks outside the bleed, so the page is laid out at its full media size (trim + slug on each
    side) and the boxes are set here, in PDF points from the lower-left corner.
    """
    import pydyf

    def finisher(document: Any, pdf: Any) -> None:
        pages = [obj for obj in pdf.objects
                 if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/Page"]
        for page in pages:
            for name, box in boxes.items():
                page[name] = pydyf.Array([round(v, 4) for v in box])
        if x1a:
            from . import pdfx
            pdfx.to_x1a_2001(pdf)
        subset_tags.rename_subsets(pdf)
    return finisher


def _own_documents_html() -> Any:
    """WeasyPrint's HTML class without its user-agent stylesheet, for our own templates only.

    The HTML5 user-agent stylesheet has rules for the pseudo-elements ::marker, ::footnote-call,
    ::footnote-marker, ::note-call, ::note-marker and ::note-callback that match every element,
    so WeasyPrint computed seven styles for each <l>, <d>, <b> and <div> of a column instead of
    one: 6236 style computations for a 200-notice half column where 880 are needed. Our
    documents (templates/print/) use a handful of elements, and static/print/print.css says what
    they need of a user-agent sheet (which elements are blocks, which are hidden). Measured on a
    200-notice column job: 0.686 -> 0.616 s of CPU, pages pixel-identical at 60 dpi.
    `_ua_stylesheets` is an internal method; WeasyPrint is pinned exactly (requirements.txt), and
    tests/engine/test_render_worker.py fails if the override stops taking effect.
    """
    from weasyprint import HTML

    class OwnDocumentHTML(HTML):  # type: ignore[misc]  # WeasyPrint has no type hints: Any
        def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
            return []

    return OwnDocumentHTML


class Renderer:
    def __init__(self) -> None:
        from weasyprint.text.fonts import FontConfiguration
        self.html_class = _own_documents_html()
        self.font_config = FontConfiguration()
        subset_cache.install()
        self.log = _Collect()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(self.log)
        logger.setLevel(logging.WARNING)
        logger.propagate = False

    def render(self, job: Job) -> Job:
        from .fetcher import AssetOnlyFetcher

        self.log.messages = []
        fetcher = AssetOnlyFetcher(job["assets"])
        html = self.html_class(string=job["html"], url_fetcher=fetcher, base_url=None)
        document = html.render(font_config=self.font_config)
        if len(document.pages) != job["pages"]:
            # Every page is one <section> of exactly the page's size; another page means
            # something overflowed, and the pages would not match our placements.
            raise RuntimeError(f"expected {job['pages']} pages, WeasyPrint made "
                               f"{len(document.pages)}")
        options = {"uncompressed_pdf": job.get("uncompressed", False)}
        if job.get("pdf_variant"):
            options["pdf_variant"] = job["pdf_variant"]
        x1a = job.get("pdf_variant") == "pdf/x-1a"
        if x1a:
            from .pdfx import X1A_PDF_VERSION
            options["pdf_version"] = X1A_PDF_VERSION   # WeasyPrint's own is 1.4 (X-1a:2003)
        finisher = _set_boxes(job["boxes"], x1a)
        if job.get("shared_subsets"):
            with subset_cache.enabled():
                pdf = document.write_pdf(finisher=finisher, **options)
        else:
            pdf = document.write_pdf(finisher=finisher, **options)
        result: Job = {"ok": True, "pdf": pdf, "refused": fetcher.refused,
                  "warnings": list(self.log.messages)}
        if job.get("png_dpi"):
            result["png"] = self.rasterize(pdf, job["png_dpi"])[0]
            if not job.get("keep_pdf"):
                del result["pdf"]
        return result

    def answer(self, job: Job) -> Job:
        """The answer to a job, by its kind: "ping", "document", "rasterize", "draw-column" and
        "draw-notice" (the direct drawer, draw.py), else a column or preview by WeasyPrint
        (render)."""
        kind = job.get("kind")
        if kind == "ping":   # a health check, and the benchmark's measure of the pipe round trip
            return {"ok": True}
        if kind in ("draw-column", "draw-notice"):
            return self.draw(job)
        if kind == "set":
            return self.set_notices(job)
        if kind == "document":
            return self.render_document(job)
        if kind == "rasterize":
            return {"ok": True, "pngs": self.rasterize(job["pdf"], job["dpi"], all_pages=True,
                                                       grayscale=job["grayscale"], optimize=True)}
        return self.render(job)

    @staticmethod
    def set_notices(job: Job) -> Job:
        """Notices set at the job's settings (column.py has a worker set some while it sets the
        others): each a SetNotice, or the Chinese reason it cannot be set."""
        from .errors import RenderError
        from .linebreak import set_notice

        out: list[object] = []
        for title, body in job["notices"]:
            try:
                out.append(set_notice(title, body, job["settings"]))
            except RenderError as exc:
                out.append(str(exc))
        return {"ok": True, "set": out}

    def draw(self, job: Job) -> Job:
        """A column or a preview drawn directly from the engine's set lines (draw.py): no HTML,
        no WeasyPrint. The same answer as render: the PDF, and/or a PNG of its first page; with
        "keep_lines", also the column's lines drawn here that the job did not bring, as "drawn"
        (draw.draw_column's kept)."""
        import uharfbuzz

        from . import draw

        compress = not job.get("uncompressed", False)
        try:
            kept: dict[int, dict[int, draw.DrawnLine]] | None = {} if job.get("keep_lines") else None
            if job["kind"] == "draw-column":
                pdf = draw.draw_column(job["drawing"], compress=compress, kept=kept)
            else:
                pdf = draw.draw_notice(job["lines"], job["height_pt"], job["settings"],
                                       job["description"], compress=compress,
                                       shared_subsets=bool(job.get("shared_subsets")))
        except uharfbuzz.HarfBuzzError as exc:
            # HarfBuzz maps a font file; under this worker's address-space cap (RLIMIT_AS) the
            # mapping fails and it says only "Failed to open: PATH". The file being there and
            # readable, what was missing is memory: answer as for any job out of memory.
            path = str(exc).partition(": ")[2]
            if str(exc).startswith("Failed to open") and os.access(path, os.R_OK):
                raise MemoryError(str(exc)) from exc
            raise
        result: Job = {"ok": True, "pdf": pdf, "refused": [], "warnings": []}
        if kept:
            # As the text they are kept as: a string crosses the pipe for the cost of a copy,
            # where 200 notices' lines as objects took some 20 ms to pickle and unpickle.
            settings = job["drawing"].settings
            result["drawn"] = {notice: draw.KeptLines.of([lines[n] for n in range(len(lines))], settings)
                               for notice, lines in kept.items() if sorted(lines) == list(range(len(lines)))}
        if job.get("png_dpi"):
            result["png"] = self.rasterize(pdf, job["png_dpi"])[0]
            if not job.get("keep_pdf"):
                del result["pdf"]
        return result

    def render_document(self, job: Job) -> Job:
        """A document of the app's own that is not set lines (the proof of publication): its
        pages flow, WeasyPrint's stock user-agent stylesheet applies (the document relies on it),
        its fonts are subset exactly and named by content, and every URL but the job's assets is
        refused. Its own FontConfiguration, as when it ran in the web process: no @font-face of
        a column (print.css) can stand in for the fonts it names."""
        from weasyprint import HTML

        from .fetcher import AssetOnlyFetcher

        self.log.messages = []
        fetcher = AssetOnlyFetcher(job["assets"])
        # Tagged (issue 14 item 8): a structure tree from the HTML's elements, the language of
        # <html lang> as /Lang and <title> shown as the window's title (DisplayDocTitle), so a
        # screen reader reads the proof in order and in Chinese. WeasyPrint numbers the tree
        # in document order: the same HTML gives the same bytes.
        pdf = HTML(string=job["html"], url_fetcher=fetcher, base_url=None).write_pdf(
            pdf_tags=True, finisher=lambda document, pdf: subset_tags.rename_subsets(pdf))
        return {"ok": True, "pdf": pdf, "refused": fetcher.refused, "warnings": list(self.log.messages)}

    @staticmethod
    def rasterize(pdf: bytes, dpi: float, *, all_pages: bool = False, grayscale: bool = True,
                  optimize: bool = False) -> list[bytes]:
        """PNGs of the first page (or all pages) at `dpi`: the project's one rasteriser, for the
        advertiser's preview and the desk's page images alike."""
        import pypdfium2

        document = pypdfium2.PdfDocument(pdf)
        try:
            pngs = []
            for index in range(len(document) if all_pages else 1):
                page = document[index]
                image = page.render(scale=dpi / 72, grayscale=grayscale).to_pil()
                out = io.BytesIO()
                # A preview's PNG at zlib level 1: 1.2 ms instead of 5.1 ms at the default
                # level, 14.2 KB instead of 13.0 KB (a notice at 200 dpi). The desk's page
                # images are kept small instead (optimize).
                image.save(out, format="PNG", dpi=(dpi, dpi), optimize=optimize,
                           **({} if optimize else {"compress_level": 1}))
                pngs.append(out.getvalue())
                page.close()
            return pngs
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

    renderer = Renderer()
    # What exists once the worker is up (modules, fonts, caches) is frozen out of every later
    # garbage collection; see serve() for the collector during jobs.
    gc.collect()
    gc.freeze()
    write_frame(channel, {"ready": True, "pid": os.getpid()})
    serve(renderer, sys.stdin.buffer, channel)


FULL_COLLECTION_EVERY = 16


def serve(renderer: Renderer, requests: IO[bytes], channel: IO[bytes]) -> None:
    """Answer jobs until the requests stream ends.

    The cyclic garbage collector is kept off the time a caller waits. A layout builds hundreds
    of thousands of objects that all live until the PDF is written, and each automatic collection
    walked them again: on a 800-notice column job the collector took a third of the CPU
    (2.39 -> 1.65 s with it off; peak memory 235 -> 248 MB). A job leaves cycles behind (about
    5 MB for 200 notices), so the collector is off while a job runs and one collection runs after
    the answer is written, while the caller reads it.

    That collection is of the young generations, where everything the job made is (the collector
    was off): its cycles go, and what the caches keep moves to the old generation. Walking the old
    generation after every job cost what the caches had grown to - kept drawn lines, shaped runs:
    7 ms after the first 200-notice column, 13 ms after the sixth, against 2-3.5 ms for the young
    ones - so the whole heap is collected every FULL_COLLECTION_EVERY jobs only, for cycles that
    a cache let go.
    """
    jobs = 0
    while True:
        job = read_frame(requests)
        if job is None:
            return
        started = _cpu_seconds()
        gc.disable()
        try:
            _arm_cpu_limit(job.get("cpu_seconds", 60))
            result: Job = renderer.answer(job)
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
        del job, result
        gc.enable()
        jobs += 1
        gc.collect() if jobs % FULL_COLLECTION_EVERY == 0 else gc.collect(1)


if __name__ == "__main__":
    main()
