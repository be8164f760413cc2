"""Proof of publication (见报证明): a PDF the advertiser downloads with the status-page secret.

Everything it states comes from the publication's snapshot (store.models.PublishedNotice, made
when the issue was marked published): the newspaper, date, page label, column, the text as
printed and the verification code. The page is written from a Jinja template (autoescaped: every
notice character is text, never markup); press/proof.py makes the PDF, and cuts the notice out of
the stored printed page for its last page.
"""
from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, render_template, url_for
from sqlalchemy import select

from press.printing import RenderError
from press.proof import cut_layout, render_proof_pdf
from store.issues import issued_proof, published_notice
from store.models import PUBLISHED, Publication, PublishedNotice, local_time_text
from store.workflow import check_status_secret, get_notice
from views.extensions import get_db, limiter, read_session

bp = Blueprint("desk_public", __name__)

PROOF_RATE = "20 per minute"
PROOF_RETRY_AFTER_SECONDS = 60


def _withdrawn_answer(snapshot: PublishedNotice, status_url: str):
    pub = snapshot.publication
    assert pub.withdrawn_at is not None      # proof() calls this for a withdrawn publication only
    return render_template(
        "error.html", title="刊登记录已撤回",
        message=(f"这则公告（{snapshot.reference}）{snapshot.issue_date.year}年{snapshot.issue_date.month}月"
                 f"{snapshot.issue_date.day}日的刊登记录已于 {local_time_text(pub.withdrawn_at)} 由报社撤回，"
                 f"原因：{pub.withdrawal_clause}。撤回的记录不再出具见报证明；报社重新刊登后，可在进度页下载新的证明。"
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
    try:
        # Rendered at the first download and kept: every later download is the same bytes.
        pdf = issued_proof(get_db(), snapshot, lambda: proof_pdf(snapshot))
    except RenderError as exc:
        # The render workers are busy or the render passed its limits and was stopped: nothing
        # is wrong with the notice or its record, so "later", not an error of the advertiser's.
        return render_template(
            "error.html", title="见报证明暂时无法生成",
            message=f"见报证明暂时未能生成（{exc}）。请过几分钟再下载；仍不行请联系报社。",
            link=status_url, link_text="查看办理进度"), 503, {"Retry-After": str(PROOF_RETRY_AFTER_SECONDS)}
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
