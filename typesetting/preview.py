"""The advertiser's preview: one notice as a PNG, set exactly as the column will print it."""

from __future__ import annotations

from ._worker import Job
from .errors import RenderError
from .linebreak import set_notice
from .markup import PRINT_CSS, preview_geometry, render_template
from .render import PREVIEW_LIMITS, RenderLimits, choose_renderer, run_job
from .settings import LayoutSettings

MIN_DPI, MAX_DPI = 50, 600


def notice_pdf_job(title: str, body: str, settings: LayoutSettings) -> Job:
    notice = set_notice(title, body, settings)
    g = preview_geometry(settings, notice.height_pt)
    html = render_template(
        "notice.html", settings=settings, g=g, lines=notice.lines, all_lines=notice.lines,
        icc=False,
        doc_title=f"{settings.newspaper_name} 公告预览", doc_description=notice.title)
    # The preview PDF is rasterised and thrown away: skip compressing it (saves ~20 ms).
    return {"kind": "preview", "html": html, "assets": {"print.css": str(PRINT_CSS)},
            "boxes": g["boxes"], "pages": 1, "uncompressed": True}


def notice_draw_job(title: str, body: str, settings: LayoutSettings) -> Job:
    """The preview as the direct drawer's job (draw.py): the set lines themselves, no HTML."""
    notice = set_notice(title, body, settings)
    return {"kind": "draw-notice", "lines": notice.lines, "height_pt": notice.height_pt,
            "settings": settings, "description": notice.title, "uncompressed": True}


def _notice_job(title: str, body: str, settings: LayoutSettings, renderer: str | None) -> Job:
    if choose_renderer(renderer) == "direct":
        return notice_draw_job(title, body, settings)
    return notice_pdf_job(title, body, settings)


def render_notice_png(title: str, body: str, settings: LayoutSettings, dpi: int = 200, *,
                      limits: RenderLimits = PREVIEW_LIMITS, renderer: str | None = None) -> bytes:
    """PNG (grayscale, `dpi`) of the notice set at the column width, rendered via the PDF.
    renderer: "direct" or "weasyprint" (render.RENDERERS); None: the process's default."""
    if not MIN_DPI <= dpi <= MAX_DPI:
        raise RenderError(f"预览分辨率应在 {MIN_DPI} 到 {MAX_DPI} dpi 之间。")
    job = _notice_job(title, body, settings, renderer)
    job["png_dpi"] = dpi
    # The PDF is only rasterised: its fonts may be the worker's shared subsets (subset_cache.py).
    job["shared_subsets"] = True
    png: bytes = run_job(job, limits)["png"]
    return png


def render_notice_pdf(title: str, body: str, settings: LayoutSettings, *,
                      limits: RenderLimits = PREVIEW_LIMITS, renderer: str | None = None) -> bytes:
    """The preview as a PDF (compressed, fonts subset exactly), e.g. for a proof sent to the
    advertiser."""
    job = _notice_job(title, body, settings, renderer)
    job["uncompressed"] = False
    pdf: bytes = run_job(job, limits)["pdf"]
    return pdf
