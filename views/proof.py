"""Proof of publication (见报证明): a PDF the advertiser downloads with the status-page secret.

Everything it states comes from the publication's snapshot (store.models.PublishedNotice, made
when the issue was marked published): the newspaper, date, page label, column, the text as
printed and the verification code. Its last page is the notice CUT FROM THE STORED PRINTED
PAGE (views/pagecut.py, the rectangles stored at export time), never set again: a later change
of the newspaper's name, page labels, layout or fonts cannot change a proof.

The statement pages are written by WeasyPrint from a Jinja template (autoescaped: every notice
character is text, never markup) with the typesetting engine's deny-by-default URL fetcher, so
nothing in a notice can make the renderer fetch a file or an address (typesetting.md → Safety).
"""
from __future__ import annotations

import io
import json
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, render_template, url_for
from sqlalchemy import select

from store.desk_ops import local_time_text, published_notice
from store.models import PUBLISHED, Publication, PublishedNotice
from store.operations import check_status_secret, get_notice
from views.extensions import limiter, read_session

bp = Blueprint("desk_public", __name__)

PROOF_RATE = "20 per minute"


def url_fetcher():
    """The engine's deny-by-default fetcher with no assets at all: the proof needs no file, so
    every URL (http, file:, data:, asset:) is refused."""
    from typesetting.fetcher import AssetOnlyFetcher
    return AssetOnlyFetcher({})


# The cut page (templates/proof/proof.html, its .cut section): A4 in PDF points, the area
# between the page's heading and its bottom margin; the seal box sits in its lower right corner.
MM = 72 / 25.4
A4_WIDTH_PT, A4_HEIGHT_PT = 595.28, 841.89
MARGIN_PT = 20 * MM
CUT_TOP_PT = 52 * MM                      # from the top edge: below the heading and caption
CUT_BOTTOM_PT = 22 * MM                   # from the bottom edge
SEAL_PT = 48 * MM                         # the seal box and its caption, a square in the corner
GAP_PT = 6 * MM
CUT_SCALE_MAX = 2.0                       # twice the printed size: 8 pt type is small on screen


@dataclass(frozen=True)
class CutLayout:
    """Where each cut goes on the proof's last page: (box, scale, x, y) with x, y the lower-left
    corner of the placed cut in points from the page's lower-left corner."""
    header: tuple | None
    parts: tuple
    scale: float


def cut_layout(boxes: dict) -> CutLayout | None:
    """The header band across the top, then the notice's parts side by side (as they ran in the
    columns), as large as fits (at most CUT_SCALE_MAX), beside or above the seal box."""
    parts = boxes.get("notice") or []
    if not parts:
        return None
    width = A4_WIDTH_PT - 2 * MARGIN_PT
    top = A4_HEIGHT_PT - CUT_TOP_PT
    header = None
    if boxes.get("header"):
        hb = boxes["header"]
        h_scale = min(1.0, width / (hb[3] - hb[1]))
        h_height = (hb[4] - hb[2]) * h_scale
        header = (hb, h_scale, MARGIN_PT, top - h_height)
        top -= h_height + GAP_PT
    widths = [b[3] - b[1] for b in parts]
    heights = [b[4] - b[2] for b in parts]
    total_w = sum(widths) + GAP_PT * (len(parts) - 1)
    tall = max(heights)
    full_h = top - CUT_BOTTOM_PT
    # Beside the seal box (the whole height) if narrow enough, else above it (the whole width).
    beside = min(CUT_SCALE_MAX, (width - SEAL_PT - GAP_PT) / total_w, full_h / tall)
    above = min(CUT_SCALE_MAX, width / total_w, (full_h - SEAL_PT - GAP_PT) / tall)
    scale = max(beside, above)
    x = MARGIN_PT
    placed = []
    for box, w, h in zip(parts, widths, heights):
        placed.append((box, scale, x, top - h * scale))
        x += w * scale + GAP_PT
    return CutLayout(header, tuple(placed), round(scale, 4))


def render_proof_pdf(html: str, column_pdf: bytes | None = None, layout: CutLayout | None = None) -> bytes:
    """The proof: the pages written from `html`, and on the last one the cuts of the stored
    column PDF (vector drawings, text kept), where `layout` puts them."""
    from pypdf import PdfReader, PdfWriter
    from weasyprint import HTML

    from typesetting.subset_tags import rename_subsets
    from views.pagecut import PageCutter
    pdf = HTML(string=html, base_url=None, url_fetcher=url_fetcher()).write_pdf(
        finisher=lambda document, pdf: rename_subsets(pdf))
    if not column_pdf or layout is None:
        return pdf
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    last = writer.pages[-1]
    cutter = PageCutter(column_pdf, writer)
    for box, scale, x, y in ((layout.header,) if layout.header else ()) + layout.parts:
        cutter.place(last, cutter.cut(*box), scale=scale, x=x, y=y)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _withdrawn_answer(snapshot: PublishedNotice, status_url: str):
    pub = snapshot.publication
    return render_template(
        "error.html", title="刊登记录已撤回",
        message=(f"这则公告（{snapshot.reference}）{snapshot.issue_date.year}年{snapshot.issue_date.month}月"
                 f"{snapshot.issue_date.day}日的刊登记录已于 {local_time_text(pub.withdrawn_at)} 由报社撤回，"
                 f"原因：{pub.withdrawal_reason}。撤回的记录不再出具见报证明；报社重新刊登后，可在进度页下载新的证明。"
                 f"如有疑问，请联系报社。"),
        link=status_url, link_text="查看办理进度"), 410


@bp.get("/status/<reference>/<secret>/proof.pdf")
@limiter.limit(PROOF_RATE)
def proof(reference, secret):
    s = read_session()
    notice = get_notice(s, reference)
    if notice is None or not check_status_secret(current_app.config["SECRET_KEY"], notice.reference, secret):
        abort(404)      # the same answer for a wrong secret as for no notice
    status_url = url_for("submit.status", reference=notice.reference, secret=secret)
    snapshot = published_notice(s, notice.id, withdrawn=True)
    if snapshot is not None and snapshot.publication.withdrawn:
        # The record no longer vouches for it: no proof (the one downloaded before says what
        # /verify now contradicts: 已撤回).
        return _withdrawn_answer(snapshot, status_url)
    if snapshot is None or notice.status != PUBLISHED:
        # The advertiser's own link, a little early: say so (the secret was right).
        return render_template(
            "error.html", title="尚未刊登",
            message=f"这则公告（{notice.reference}，{notice.status_label}）还没有见报，见报证明在刊登后才能下载。",
            link=status_url, link_text="查看办理进度"), 409
    pdf = proof_pdf(snapshot)
    filename = f"proof-{notice.reference}.pdf"
    return current_app.response_class(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"})


def proof_pdf(snapshot: PublishedNotice) -> bytes:
    """The proof of one published notice, from its snapshot and its publication's stored PDF."""
    s = read_session()
    column_pdf = s.scalar(select(Publication.pdf).where(Publication.id == snapshot.publication_id))
    boxes = json.loads(snapshot.crop_json or "{}")
    layout = cut_layout(boxes) if column_pdf and isinstance(boxes, dict) else None
    html = render_template(
        "proof/proof.html", pn=snapshot, publication=snapshot.publication, layout=layout,
        verify_url=public_url("verify.notice", reference=snapshot.reference),
        verify_search_url=public_url("verify.search"))
    return render_proof_pdf(html, column_pdf, layout)


def public_url(endpoint: str, **values) -> str:
    """An address printed on paper must be the site's public one (PUBLIC_BASE_URL, e.g.
    https://gonggao.example.cn), not whatever host name the request happened to use."""
    base = current_app.config.get("PUBLIC_BASE_URL") or ""
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
