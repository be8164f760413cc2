"""Documents, transfer slips and 发票 requests on the desk (issue 14): beside each notice, the
files only editors may open; and the administrator's payment and documents settings
(/desk/settings/paperwork: the 对公转账 account, the payment deadline, which documents each
notice asks for, how long the files are kept)."""
from __future__ import annotations

from urllib.parse import quote

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from notices.documents import DOCUMENT_KINDS, NOTICE_DOCUMENT_KINDS, default_documents, document_keys
from notices.selfservice import CANCELLATION_RULES
from store import documents as store_documents
from store.documents import EXTENSIONS
from store.settings import Publisher, load_publisher, save_settings
from store.workflow import clean_reference, load_notice
from views.auth import admin_required
from views.desk.common import bp
from views.extensions import get_db, read_session
from views.paperwork import paperwork, store


@bp.app_template_global("desk_paperwork")
def _desk_paperwork(notice, publisher):
    return paperwork(notice, publisher)


@bp.get("/notices/<reference>/documents/<int:document_id>")
def notice_document(reference, document_id):
    """One file, to an editor (the desk's login guard: anyone else is sent to the login page)."""
    notice = load_notice(read_session(), clean_reference(reference))
    row = store_documents.document(read_session(), notice.id, document_id) if notice else None
    if row is None or row.purged_at is not None or not store().exists(row.sha256):
        abort(404)
    response = make_response(store().read(row.sha256))
    response.mimetype = row.media_type
    label = DOCUMENT_KINDS[row.kind].label if row.kind in DOCUMENT_KINDS else row.kind
    ascii_name = f"{notice.reference}-{row.kind}-{row.id}.{EXTENSIONS.get(row.media_type, 'bin')}"
    response.headers["Content-Disposition"] = (
        f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(notice.reference + label)}"
        f"-{row.id}.{EXTENSIONS.get(row.media_type, 'bin')}")
    # Private: never kept by a shared cache or the browser's disk cache; an image opened on its
    # own cannot run anything (sandbox); PDFs go to the browser's viewer, which a sandbox blocks.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
        + ("" if row.media_type == "application/pdf" else "; sandbox"))
    return response


# ---------------------------------------------------------------------------------------------
# Settings

RETENTION_MIN, RETENTION_MAX = 1, 3650
HOURS_MAX = 72


def _int(value: str | None, low: int, high: int) -> int | None:
    text = (value or "").strip()
    if not text.isdigit() or not low <= int(text) <= high:
        return None
    return int(text)


def _in_order(kinds) -> tuple[str, ...]:
    return tuple(k for k in NOTICE_DOCUMENT_KINDS if k in kinds)


def _form_values(publisher: Publisher) -> dict:
    chosen = {key: list(publisher.documents.get(key, default_documents(key))) for key, _t in document_keys()}
    return {"payee_name": publisher.payee_name, "payee_bank": publisher.payee_bank,
            "payee_account": publisher.payee_account, "payment_hours_before": str(publisher.payment_hours_before),
            "document_retention_days": str(publisher.document_retention_days), "documents": chosen,
            "late_withdrawal": publisher.late_withdrawal, "late_refund_percent": str(publisher.late_refund_percent)}


@bp.route("/settings/paperwork", methods=["GET", "POST"])
@admin_required
def paperwork_settings():
    before = load_publisher(read_session())
    errors: dict[str, str] = {}
    if request.method == "GET":
        values = _form_values(before)
    else:
        form = request.form
        values = {name: (form.get(name) or "").strip() for name in
                  ("payee_name", "payee_bank", "payee_account", "payment_hours_before", "document_retention_days",
                   "late_withdrawal", "late_refund_percent")}
        values["documents"] = {key: [k for k in form.getlist(f"docs__{key}") if k in NOTICE_DOCUMENT_KINDS]
                               for key, _t in document_keys()}
        for name, limit in (("payee_name", 100), ("payee_bank", 100)):
            if len(values[name]) > limit:
                errors[name] = f"不超过{limit}字。"
        account = "".join(values["payee_account"].split())
        if account and not (account.isdigit() and 8 <= len(account) <= 32):
            errors["payee_account"] = "账号应为8到32位数字（可用空格分组），例如：3602 0001 0900 1234 567。"
        if bool(values["payee_name"]) != bool(account):
            errors.setdefault("payee_account", "收款单位和账号要么都填，要么都不填"
                                               "（不填时，客户看到的是“请联系报社”）。")
        hours = _int(values["payment_hours_before"], 0, HOURS_MAX)
        if hours is None:
            errors["payment_hours_before"] = f"请填写0到{HOURS_MAX}的整数，例如：2（截稿前2小时须到账）；0 即截稿时间。"
        days = _int(values["document_retention_days"], RETENTION_MIN, RETENTION_MAX)
        if days is None:
            errors["document_retention_days"] = f"请填写{RETENTION_MIN}到{RETENTION_MAX}的整数，例如：90。"
        # The cancellation rule (notices/selfservice.py): refuse, or refund a share of the price.
        # A form without these inputs (a page from before they existed) keeps the rule as it is.
        values["late_withdrawal"] = values["late_withdrawal"] or before.late_withdrawal
        values["late_refund_percent"] = values["late_refund_percent"] or str(before.late_refund_percent)
        if values["late_withdrawal"] not in CANCELLATION_RULES:
            errors["late_withdrawal"] = "请选择截稿后能否撤回：“截稿后不能撤回”或“按比例退款”。"
        percent = _int(values["late_refund_percent"], 0, 100)
        if percent is None:
            errors["late_refund_percent"] = "请填写0到100的整数，例如：50（退还价格的一半）。"
        if not errors:
            after = Publisher(**before.as_dict())
            after.late_withdrawal, after.late_refund_percent = values["late_withdrawal"], percent or 0
            after.payee_name, after.payee_bank, after.payee_account = (
                values["payee_name"], values["payee_bank"], account)
            after.payment_hours_before = hours or 0
            after.document_retention_days = days or before.document_retention_days
            # Only what differs from notices/documents.py is stored: a better default reaches
            # every notice the administrator never chose for.
            after.documents = {key: kinds for key, kinds in values["documents"].items()
                               if tuple(kinds) != _in_order(default_documents(key))}
            changed = save_settings(get_db(), before, after, actor=current_user.actor)
            flash("付款与材料设置已保存。" if changed else "没有改动。", "success" if changed else "info")
            return redirect(url_for("desk.paperwork_settings"), code=303)
    return render_template("desk/paperwork_settings.html", values=values, errors=errors,
                           rows=document_keys(), kinds=[DOCUMENT_KINDS[k] for k in NOTICE_DOCUMENT_KINDS],
                           hours_max=HOURS_MAX, cancellation_rules=CANCELLATION_RULES), (422 if errors else 200)
