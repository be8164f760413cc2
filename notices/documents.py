"""The documents an advertiser sends with a notice, and which ones each notice needs.

Declared once here: the kinds of document (营业执照, 身份证 …) with their Chinese labels and help,
and the newspaper's starting point of which kinds each notice asks for (`DEFAULT_DOCUMENTS`). An
administrator changes the latter at /desk/settings (stored in the publisher's settings as
`documents`, only what differs from these defaults); `requested_documents` reads both. Why these
defaults: docs/law.md, "Documents, payment, invoices" (what a paper checks before it prints).

No Flask here, and nothing about files: reading, cleaning and keeping the bytes is
store/documents.py.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from notices.catalogue import CATALOGUE, entries

__all__ = [
    "DEFAULT_DOCUMENTS",
    "DOCUMENT_KINDS",
    "NOTICE_DOCUMENT_KINDS",
    "TRANSFER_SLIP",
    "DocumentKind",
    "default_documents",
    "document_key",
    "document_keys",
    "requested_documents",
]


@dataclass(frozen=True)
class DocumentKind:
    code: str
    label: str
    help: str          # what to send, with an example; shown under the upload input


LICENCE, ID_CARD, AUTHORIZATION, RESOLUTION, POLICE_RECEIPT, TRANSFER_SLIP = (
    "licence", "id-card", "authorization", "resolution", "police-receipt", "transfer-slip")

DOCUMENT_KINDS: dict[str, DocumentKind] = {k.code: k for k in (
    DocumentKind(LICENCE, "营业执照复印件",
                 "营业执照副本的照片或扫描件，加盖公章，例如：营业执照副本复印件.pdf；执照已遗失的，可交市场监管部门打印的登记信息"),
    DocumentKind(ID_CARD, "身份证",
                 "经办人（或法定代表人）身份证正反面的照片或扫描件，可分两张上传"),
    DocumentKind(AUTHORIZATION, "授权委托书",
                 "委托他人办理时提供，写明委托事项，加盖公章并由法定代表人签字；本人办理可不交"),
    DocumentKind(RESOLUTION, "股东会决议",
                 "作出减资、合并、分立或解散的股东会决议（或股东决定）的扫描件，例如：股东会决议.pdf"),
    DocumentKind(POLICE_RECEIPT, "报警回执",
                 "遗失公章等印章时，公安机关出具的报警回执或报案证明的照片或扫描件"),
    DocumentKind(TRANSFER_SLIP, "转账凭证",
                 "对公转账的银行回单或网银转账成功页面的截图，例如：转账回单.jpg"),
)}
# The kinds that go with a notice (a setting chooses among them); the transfer slip goes with
# the payment, asked for on the status page whenever something is owed.
NOTICE_DOCUMENT_KINDS: tuple[str, ...] = (LICENCE, ID_CARD, AUTHORIZATION, RESOLUTION, POLICE_RECEIPT)

_COMPANY = (LICENCE, ID_CARD, AUTHORIZATION)
_DECISION = (LICENCE, ID_CARD, AUTHORIZATION, RESOLUTION)
# Per catalogue entry: a type's code, or "code:variant" for a type offered as several kinds.
# A type not named here (a new one) asks for an ID only, until the administrator chooses.
DEFAULT_DOCUMENTS: dict[str, tuple[str, ...]] = {
    "lost-document:licence": (ID_CARD, AUTHORIZATION),
    "lost-document:seal": (LICENCE, ID_CARD, AUTHORIZATION, POLICE_RECEIPT),
    "lost-document:document": (ID_CARD,),
    "lost-document:org-document": _COMPANY,
    "lost-document:invoice": _COMPANY,
    "revocation": _COMPANY,
    "liquidation": _DECISION,
    "capital-reduction": _DECISION,
    "merger": _DECISION,
    "division": _DECISION,
    "correction": (ID_CARD,),
}
FALLBACK_DOCUMENTS: tuple[str, ...] = (ID_CARD,)


def document_key(type_code: str, variant: str | None) -> str:
    notice_type = CATALOGUE.get(type_code)
    if notice_type is not None and notice_type.variants and variant:
        return f"{type_code}:{variant}"
    return type_code


def document_keys() -> list[tuple[str, str]]:
    """(key, title) of every notice the home page offers, in its order: one row of the setting."""
    return [(document_key(e.code, e.variant), e.title) for e in entries()]


def default_documents(key: str) -> tuple[str, ...]:
    return DEFAULT_DOCUMENTS.get(key, FALLBACK_DOCUMENTS)


def requested_documents(setting: Mapping[str, Sequence[str]], type_code: str,
                        variant: str | None) -> list[DocumentKind]:
    """The documents a notice of this type (and variant) asks for: the administrator's choice
    where there is one (an empty list: none), else the default."""
    key = document_key(type_code, variant)
    chosen = setting.get(key)
    codes = default_documents(key) if chosen is None else chosen
    return [DOCUMENT_KINDS[c] for c in NOTICE_DOCUMENT_KINDS if c in codes]
