"""Public verification (核验): anyone can find a published notice and see it as it printed.

Only notices with status 已刊登 are ever searched or shown. Searches are rate-limited per
address: the page answers "is there a published notice naming X", nothing more.
"""
from __future__ import annotations

import re
import unicodedata

from flask import Blueprint, abort, render_template, request
from sqlalchemy import and_, select

from notices.identifiers import CHECKS
from notices.text import find_forbidden
from store.models import PUBLISHED, Notice, NoticeRevision
from store.operations import REFERENCE_ALPHABET, clean_reference
from store.settings import load_publisher
from views import printing
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


def _published(stmt):
    return stmt.where(Notice.status == PUBLISHED)


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


def search_published(session, kind: str, needle: str, printed) -> tuple[str, list[Notice]]:
    """Published notices matching the query (never any other), in what was printed.

    `printed(text)` is the text as the paper printed it (ID numbers masked): a search must not
    find a notice by digits the paper hid, or "1985" and "1986" would reveal a birth date four
    digits at a time. The database narrows the candidates on the stored text; the printed text
    decides.
    """
    base = _published(select(Notice).join(NoticeRevision, and_(
        NoticeRevision.notice_id == Notice.id, NoticeRevision.number == Notice.current_revision)))
    if kind == "reference":
        return kind, list(session.scalars(base.where(Notice.reference == needle)))
    if kind == "code":
        found = list(session.scalars(base.where(Notice.verification_code == needle)))
        if found:
            return kind, found
        kind = "name"
    stmt = base.where(NoticeRevision.text.contains(needle, autoescape=True))
    stmt = stmt.order_by(Notice.issue_date.desc(), Notice.id.desc())
    results = []
    for notice in session.scalars(stmt.limit(RESULTS_MAX * 10)):
        if needle in printed(notice.revision.text):
            results.append(notice)
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
            error = "查询内容含有看不见的控制字符，请删除后重新输入。"
        elif len(q) < QUERY_MIN:
            error = f"请至少输入{QUERY_MIN}个字，例如单位全称“广州某某有限公司”或个人姓名。"
        elif len(q) > QUERY_MAX:
            error = f"查询内容最多{QUERY_MAX}个字。"
        else:
            kind, needle = _classify(q)
            if kind == "refused":
                error, kind = needle, None
            else:
                kind, results = search_published(
                    s, kind, needle, lambda text: printing.printable_text(publisher, text))
    status = 400 if error else 200
    return render_template("verify/search.html", q=q, error=error, kind=kind, results=results,
                           publisher=publisher, printable=lambda text: printing.printable_text(publisher, text),
                           max_results=RESULTS_MAX), status


@bp.get("/verify/<reference>")
@limiter.limit(SEARCH_RATE)
def notice(reference):
    s = read_session()
    publisher = load_publisher(s)
    ref = clean_reference(reference)
    found = s.scalar(_published(select(Notice).where(Notice.reference == ref)))
    if found is None:
        abort(404)      # unpublished and unknown notices look the same
    code = _normalise(request.args.get("code", "")).replace(" ", "").replace("-", "").upper()
    return render_template("verify/notice.html", notice=found, publisher=publisher, code=code,
                           code_ok=bool(code) and code == found.verification_code,
                           text=printing.printable_text(publisher, found.revision.text))
