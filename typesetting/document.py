"""The app's other documents, through the same workers, limits and URL policy as the column.

A proof of publication is an HTML document the app writes itself (not a column of set lines),
and the desk shows a column's pages as images: both used to run WeasyPrint and pypdfium2 in the
web process, where nothing could stop them. Here they are jobs of the render workers (render.py):
a time and a memory limit, lower CPU priority, and every fetch refused (fetcher.py).
"""

from __future__ import annotations

from ._worker import Job
from .errors import InputTooLarge, RenderError
from .preview import MAX_DPI, MIN_DPI
from .render import RenderLimits, run_job

# A proof is some 10 KB of HTML (its notice is at most 4 × MAX_BODY_CHARS, linebreak.py); a
# document a hundred times that is no proof, and WeasyPrint's time grows with its input
# (docs/typesetting.md), so it is refused before any work.
MAX_DOCUMENT_CHARS = 1_000_000
DOCUMENT_LIMITS = RenderLimits()


def render_document_pdf(html: str, *, limits: RenderLimits = DOCUMENT_LIMITS) -> bytes:
    """The PDF of an HTML document of the app's own (e.g. the proof of publication), with every
    URL in it refused: its styles are inline and its fonts the system's. Unlike the column's
    documents, WeasyPrint's user-agent stylesheet applies."""
    if len(html) > MAX_DOCUMENT_CHARS:
        raise InputTooLarge(f"文档过长（{len(html)} 字符，上限 {MAX_DOCUMENT_CHARS} 字符），未排版。")
    job: Job = {"kind": "document", "html": html, "assets": {}}
    pdf: bytes = run_job(job, limits)["pdf"]
    return pdf


def render_pdf_pngs(pdf: bytes, dpi: float, *, grayscale: bool = False,
                    limits: RenderLimits = DOCUMENT_LIMITS) -> list[bytes]:
    """Every page of `pdf` as a PNG at `dpi`, by the rasteriser of the preview (pypdfium2)."""
    if not MIN_DPI <= dpi <= MAX_DPI:
        raise RenderError(f"分辨率应在 {MIN_DPI} 到 {MAX_DPI} dpi 之间。")
    job: Job = {"kind": "rasterize", "pdf": pdf, "dpi": dpi, "grayscale": grayscale}
    pngs: list[bytes] = run_job(job, limits)["pngs"]
    return pngs
