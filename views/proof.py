"""Proof of publication (见报证明): a PDF the advertiser downloads with the status-page secret.

The PDF is written by WeasyPrint from a Jinja template (autoescaped: every notice character is
text, never markup) with the typesetting engine's deny-by-default URL fetcher, so nothing in a
notice can make the renderer fetch a file or an address (typesetting.md → Safety).
"""
from __future__ import annotations

import typesetting
from flask import Blueprint, abort, current_app, render_template, url_for

from store.models import PUBLISHED
from store.operations import check_status_secret, get_notice
from store.settings import load_publisher
from views import printing
from views.extensions import limiter, read_session

bp = Blueprint("desk_public", __name__)

PROOF_RATE = "20 per minute"


def url_fetcher():
    """The engine's deny-by-default fetcher with no assets at all: the proof needs no file, so
    every URL (http, file:, data:, asset:) is refused."""
    from typesetting.fetcher import AssetOnlyFetcher
    return AssetOnlyFetcher({})


# Where the engine's typeset notice goes on the proof's last page (A4, PDF points from its top).
A4_WIDTH_PT, A4_HEIGHT_PT = 595.28, 841.89
TYPESET_TOP_PT = 45 * 72 / 25.4          # below that page's heading (templates/proof/proof.html)
TYPESET_BOTTOM_PT = 25 * 72 / 25.4
TYPESET_SCALE_MAX = 2.0                   # twice the printed size: 8 pt type is small on screen


def typeset_scale(typeset_pdf: bytes) -> float:
    """How much the typeset notice is enlarged (or, if very long, reduced) to fit the page."""
    import io

    from pypdf import PdfReader
    box = PdfReader(io.BytesIO(typeset_pdf)).pages[0].mediabox
    usable_width = A4_WIDTH_PT - 2 * 20 * 72 / 25.4
    usable_height = A4_HEIGHT_PT - TYPESET_TOP_PT - TYPESET_BOTTOM_PT
    return min(TYPESET_SCALE_MAX, usable_width / float(box.width), usable_height / float(box.height))


def render_proof_pdf(html: str, typeset_pdf: bytes | None = None) -> bytes:
    """The proof: the page written from `html`, and on its last page the notice exactly as the
    engine typeset it for the column (its own PDF, placed as a vector drawing, text kept)."""
    import io

    from pypdf import PdfReader, PdfWriter, Transformation
    from weasyprint import HTML
    from typesetting.subset_tags import rename_subsets
    pdf = HTML(string=html, base_url=None, url_fetcher=url_fetcher()).write_pdf(
        finisher=lambda document, pdf: rename_subsets(pdf))
    if not typeset_pdf:
        return pdf
    proof, notice = PdfReader(io.BytesIO(pdf)), PdfReader(io.BytesIO(typeset_pdf)).pages[0]
    width, height = float(notice.mediabox.width), float(notice.mediabox.height)
    scale = typeset_scale(typeset_pdf)
    writer = PdfWriter(clone_from=proof)
    last = writer.pages[-1]
    x = (A4_WIDTH_PT - width * scale) / 2
    y = A4_HEIGHT_PT - TYPESET_TOP_PT - height * scale
    last.merge_transformed_page(notice, Transformation().scale(scale, scale).translate(x, y))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@bp.get("/status/<reference>/<secret>/proof.pdf")
@limiter.limit(PROOF_RATE)
def proof(reference, secret):
    s = read_session()
    notice = get_notice(s, reference)
    if notice is None or not check_status_secret(current_app.config["SECRET_KEY"], notice.reference, secret):
        abort(404)      # the same answer for a wrong secret as for no notice
    if notice.status != PUBLISHED:
        # The advertiser's own link, a little early: say so (the secret was right).
        status_url = url_for("submit.status", reference=notice.reference, secret=secret)
        return render_template(
            "error.html", title="尚未刊登",
            message=f"这则公告（{notice.reference}，{notice.status_label}）还没有见报，见报证明在刊登后才能下载。",
            link=status_url, link_text="查看办理进度"), 409
    publisher = load_publisher(s)
    layout = printing.layout_settings(publisher)
    verify_url = public_url("verify.notice", reference=notice.reference)
    try:
        text = printing.printable_text(publisher, printing.verified_text(notice.revision))
        typeset = typesetting.render_notice_pdf(notice.title, text, layout)
        scale = typeset_scale(typeset)
        html = render_template(
            "proof/proof.html", notice=notice, publisher=publisher, text=text, typeset_scale=scale,
            verify_url=verify_url,
            verify_search_url=public_url("verify.search"))
        pdf = render_proof_pdf(html, typeset)
    except (printing.RenderError, printing.AlteredText):
        current_app.logger.exception("proof of publication for %s failed", notice.reference)
        return render_template("error.html", title="见报证明暂时无法生成",
                               message="排版服务暂时繁忙或出错，请稍后再试；如仍不行，请联系报社。"), 503
    filename = f"proof-{notice.reference}.pdf"
    return current_app.response_class(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"})


def public_url(endpoint: str, **values) -> str:
    """An address printed on paper must be the site's public one (PUBLIC_BASE_URL, e.g.
    https://gonggao.example.cn), not whatever host name the request happened to use."""
    base = current_app.config.get("PUBLIC_BASE_URL") or ""
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
