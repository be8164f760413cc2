"""Public verification (核验): anyone can find a published notice and see it as it printed.

Only publications are ever searched or shown, and only what their snapshots state (what was
printed, where, under which name: store.models.PublishedNotice), never today's settings. A
withdrawn publication is shown as withdrawn (date and reason) however it is asked for (reference,
verification code, name or credit code), never as published. Searches are rate-limited per address: the
page answers "is there a published notice naming X", nothing more.
"""
from __future__ import annotations

import re
import unicodedata

from flask import Blueprint, abort, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from notices.identifiers import CHECKS
from notices.text import find_forbidden, forbidden_message
from store.models import Publication, PublishedNotice
from store.settings import load_publisher
from store.workflow import REFERENCE_ALPHABET, clean_reference
from views.extensions import limiter, read_session

bp = Blueprint("verify", __name__)

SEARCH_RATE = "30 per minute"      # a person checks a few notices; a scraper gets slowed down
QUERY_MIN, QUERY_MAX = 2, 60
RESULTS_MAX = 20
REFERENCE = re.compile(r"GG-[0-9A-Z]{4}-[0-9A-Z]{4}")
CODE = re.compile(rf"[{REFERENCE_ALPHABET}]{{10}}")
USCC = re.compile(r"[0-9A-Z]{18}")
REGNO = re.compile(r"\d{15}")                   # 注册号 of an old licence
DIGIT_RUN = re.compile(r"\d{6,}")              # ID numbers and the like: never a search key


def _normalise(q: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", q or "")).strip()


def _snapshots():
    return (select(PublishedNotice).join(Publication)
            .options(selectinload(PublishedNotice.publication))
            .order_by(PublishedNotice.issue_date.desc(), Publication.id.desc(), PublishedNotice.id.desc()))


def _classify(q: str) -> tuple[str, str]:
    """(kind, needle): reference, code, uscc, regno or name — or ("refused", message)."""
    compact = q.replace(" ", "").replace("-", "").upper()
    ref = clean_reference(q)
    if REFERENCE.fullmatch(ref):
        return "reference", ref
    if USCC.fullmatch(compact) and CHECKS["uscc"](compact).valid and not CHECKS["id-card"](compact).valid:
        return "uscc", compact
    if REGNO.fullmatch(compact) and CHECKS["regno"](compact).valid:
        return "regno", compact
    if CODE.fullmatch(compact):
        return "code", compact
    if DIGIT_RUN.search(q):
        # ID numbers print masked; the search must not confirm who a number belongs to.
        return "refused", ("不能用身份证号码等长串数字查询。请用单位名称或个人姓名、统一社会信用代码、"
                           "受理编号或见报证明上的核验码查询。")
    return "name", q


def search_published(session, kind: str, needle: str) -> tuple[str, list[PublishedNotice]]:
    """Publications' snapshots matching the query (never anything unpublished), in what was
    printed: the snapshot keeps the text as printed (ID numbers masked), so a search cannot find
    a notice by digits the paper hid, or "1985" and "1986" would reveal a birth date four digits
    at a time. By reference or code a withdrawn publication is found too (shown withdrawn: whoever
    holds its proof must learn that), and by a name or a credit code too: whoever checks a company
    named in a withdrawn record must learn that it was withdrawn, not "没有找到" (issue 11)."""
    base = _snapshots()
    if kind == "reference":
        return kind, list(session.scalars(base.where(PublishedNotice.reference == needle)))
    if kind == "code":
        found = list(session.scalars(base.where(PublishedNotice.verification_code == needle)))
        if found:
            return kind, found
        kind = "name"
    stmt = base.where(PublishedNotice.printed_text.contains(needle, autoescape=True))
    results = []
    for snapshot in session.scalars(stmt.limit(RESULTS_MAX * 10)):
        if needle in snapshot.printed_text:          # LIKE ignores ASCII case; the paper does not
            results.append(snapshot)
            if len(results) == RESULTS_MAX:
                break
    return kind, results


@bp.get("/verify")
@limiter.limit(SEARCH_RATE, exempt_when=lambda: not request.args.get("q"))
def search():
    s = read_session()
    publisher = load_publisher(s)
    q = _normalise(request.args.get("q", ""))[:QUERY_MAX + 20]
    error, kind, results = None, None, []
    if q:
        if find_forbidden(q):
            # Says which character and why (a control character, a radical that is no 汉字 …).
            error = forbidden_message(find_forbidden(q), "查询内容")
        elif len(q) < QUERY_MIN:
            error = f"请至少输入{QUERY_MIN}个字，例如单位全称“广州某某有限公司”或个人姓名。"
        elif len(q) > QUERY_MAX:
            error = f"查询内容最多{QUERY_MAX}个字。"
        else:
            kind, needle = _classify(q)
            if kind == "refused":
                error, kind = needle, None
            else:
                kind, results = search_published(s, kind, needle)
    status = 400 if error else 200
    return render_template("verify/search.html", q=q, error=error, kind=kind, results=results,
                           publisher=publisher, max_results=RESULTS_MAX), status


@bp.get("/verify/<reference>")
@limiter.limit(SEARCH_RATE)
def notice(reference):
    s = read_session()
    ref = clean_reference(reference)
    records = list(s.scalars(_snapshots().where(PublishedNotice.reference == ref)))
    if not records:
        abort(404)      # unpublished and unknown notices look the same
    live = next((r for r in records if not r.withdrawn), None)
    code = _normalise(request.args.get("code", "")).replace(" ", "").replace("-", "").upper()
    withdrawn_match = next((r for r in records if r.withdrawn and code and r.verification_code == code), None)
    return render_template("verify/notice.html", reference=ref, live=live, code=code,
                           code_ok=bool(code) and live is not None and code == live.verification_code,
                           withdrawn_match=withdrawn_match, withdrawn=[r for r in records if r.withdrawn])
