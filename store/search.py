"""Finding notices on the desk by what an editor has at hand: a company's or advertiser's name,
a phone number, a 统一社会信用代码 or other code, the notice's reference.

Codes are typed every which way: ９１４４０１０６ＭＡ５ＣＬ１２Ｔ４Ｇ from a Chinese input method,
91440106ma5cl12t4g in lower case, "138 0013 8000" or "020-8775 0217" with spaces and dashes. Both
sides of the comparison are therefore normalised the same way (`normalise`: NFKC, which folds
full-width letters and digits to ASCII; case folded; spaces and dashes dropped). SQL cannot do
NFKC on both SQLite and PostgreSQL, so each revision stores its fields and text normalised once,
when it is written (NoticeRevision.search_text, migration 0009: a revision never changes, so the
column never goes stale). The notice's own columns (reference, contact name, phone, email) can
change, so they are compared in SQL with only what SQL does alike on both databases (lower(),
replace() of spaces and dashes); they are stored as typed by our forms (ASCII digits, the
reference in capitals).

A search is a substring match (LIKE '%…%', wildcards in the query escaped), every revision of a
notice counted, so that a code an editor corrected still finds the notice. Measured on 10 000
notices: benchmarks/bench_desk_search.py (README, "The editor desk").
"""
from __future__ import annotations

from datetime import date
from typing import Iterable

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from store.search_text import FIELD_SEPARATOR, normalise

QUERY_MAX = 100


def query_text(value: str | None) -> str:
    """The query as compared (normalised), cut to QUERY_MAX characters; empty: no search."""
    return normalise((value or "")[:QUERY_MAX * 2]).replace(FIELD_SEPARATOR, "")[:QUERY_MAX]


def _sql_folded(column) -> ColumnElement:
    # lower() and replace() are the same on SQLite and PostgreSQL (for ASCII, which is what these
    # columns hold where case matters: the reference, a phone number, an email address).
    out = column
    for separator in (" ", "-", "\u3000"):
        out = func.replace(out, separator, "")
    return func.lower(out)


def matches(needle: str) -> ColumnElement[bool]:
    """The WHERE clause: notices whose reference, contact or any revision's fields or text
    contain `needle` (already normalised by query_text)."""
    from store.models import Notice, NoticeRevision  # store.models uses this module's default
    in_revisions = select(NoticeRevision.notice_id).where(
        NoticeRevision.search_text.contains(needle, autoescape=True))
    # The notice's own columns joined into one string (the separator keeps a match inside one):
    # one LIKE instead of four halved the time of a search over 10 000 notices on SQLite.
    sep = FIELD_SEPARATOR
    own = (Notice.reference + sep + Notice.advertiser_name + sep + Notice.advertiser_phone + sep
           + Notice.advertiser_email)
    return or_(_sql_folded(own).contains(needle, autoescape=True), Notice.id.in_(in_revisions))


def queue_notices(session: Session, *, search: str, statuses: Iterable[str] | None, type_code: str = "",
                  issue: date | None = None, limit: int) -> list:
    """The review queue (workflow.queue_notices) narrowed to the notices `search` finds
    (`search` as query_text made it; empty: all)."""
    from store import workflow
    return workflow.queue_notices(session, statuses=statuses, type_code=type_code, issue=issue, limit=limit,
                                  where=matches(search) if search else None)


def status_counts(session: Session, search: str) -> dict[str, int]:
    """How many notices `search` finds in each status (all notices when it is empty)."""
    from store.models import Notice
    stmt = select(Notice.status, func.count()).group_by(Notice.status)
    if search:
        stmt = stmt.where(matches(search))
    return {status: count for status, count in session.execute(stmt).all()}
