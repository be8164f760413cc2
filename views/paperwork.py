"""What the status page, the desk and the API say about a notice's payment, documents and 发票
(issue 14), and where the files are kept; read-only. The posts are views/documents.py; the API's
notice answer (views/api.py) takes `documents_json` from here, which imports no view."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from notices.catalogue import CATALOGUE
from notices.documents import TRANSFER_SLIP, DocumentKind, requested_documents
from notices.payment import payment_deadline, transfer_memo
from store import documents as store_documents
from store.documents import TYPE_LABELS, DocumentStore, size_text
from store.models import CHANGES_REQUESTED, PUBLISHED, REJECTED, SUBMITTED, WITHDRAWN, Notice
from store.settings import Publisher
from views import clock
from views.extensions import public_publisher, read_session

# Documents are sent while the notice can still be checked; the slip while money is owed.
DOCUMENT_STATUSES = (SUBMITTED, CHANGES_REQUESTED, "approved", "scheduled")
NO_PAPERWORK = (REJECTED, WITHDRAWN)


def store() -> DocumentStore:
    """Outside the web root: DOCUMENTS_DIR, or the instance folder's documents/."""
    return DocumentStore(store_documents.documents_root(current_app.config, current_app.instance_path))


@dataclass
class Paperwork:
    """What the status page shows about payment, documents and the invoice."""
    notice: Notice
    requested: list[DocumentKind]
    received: dict[str, list]           # kind → NoticeDocument rows
    missing: list[DocumentKind]
    slips: list
    invoice: object | None
    payee: Publisher
    deadline: datetime | None
    deadline_passed: bool
    memo: str
    can_send_documents: bool
    can_send_slip: bool
    can_request_invoice: bool

    def describe(self, document) -> str:
        pages = f"，{document.pages} 页" if document.pages else ""
        return f"{TYPE_LABELS.get(document.media_type, document.media_type)}，{size_text(document.size)}{pages}"


def paperwork(notice: Notice, publisher: Publisher) -> Paperwork:
    s = read_session()
    notice_type = CATALOGUE.get(notice.type_code)
    variant = notice_type.variant_of(notice.revision.fields) if notice_type and notice_type.variants else None
    requested = requested_documents(publisher.documents, notice.type_code, variant)
    rows = store_documents.notice_documents(s, notice.id)
    received: dict[str, list] = {}
    for row in rows:
        received.setdefault(row.kind, []).append(row)
    issue = notice.issue_date or notice.requested_date
    deadline = payment_deadline(publisher.calendar, issue, publisher.payment_hours_before) if issue else None
    open_ = notice.status not in NO_PAPERWORK
    return Paperwork(
        notice=notice, requested=requested, received=received,
        missing=[k for k in requested if k.code not in received],
        slips=received.get(TRANSFER_SLIP, []), invoice=store_documents.invoice_request(s, notice.id),
        payee=publisher, deadline=deadline, deadline_passed=bool(deadline and clock.now() >= deadline),
        memo=transfer_memo(notice.reference),
        can_send_documents=notice.status in DOCUMENT_STATUSES and bool(requested),
        can_send_slip=open_ and notice.status != PUBLISHED and notice.owed_cents > 0,
        can_request_invoice=open_)



def documents_json(notice: Notice, publisher: Publisher | None = None) -> dict:
    """The documents part of a notice's API answer: asked for, received, missing (by kind)."""
    info = paperwork(notice, publisher or public_publisher())
    return {"requested": [k.code for k in info.requested],
            "received": [{"kind": d.kind, "type": d.media_type, "size": d.size, "pages": d.pages,
                          "purged": d.purged_at is not None}
                         for rows in info.received.values() for d in rows],
            "missing": [k.code for k in info.missing]}
