"""Documents and payment, the advertiser's side (issue 14): the documents a notice asks for, sent
with the form or later from the status page; the transfer slip; the 发票 request; the API's
document upload. Files are read, cleaned and kept by store/documents.py; editors see them on the
desk (views/desk/documents.py), advertisers only which kinds were received.

The notice form (views/submit.py) is multipart: a file chosen there is cleaned and kept at once,
and the form carries a signed token for it (a checkbox, 保留) until the notice is confirmed, so
the advertiser chooses each file once, and a refused file costs nothing typed: the form comes
back with everything in it and the refusal under that document.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import Blueprint, current_app, g, jsonify, redirect, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from notices.deadlines import format_date_cn
from notices.documents import DOCUMENT_KINDS, TRANSFER_SLIP, DocumentKind, requested_documents
from store import documents as store_documents
from store.documents import (
    MAX_BYTES,
    MAX_FILES_PER_KIND,
    DocumentRefused,
    HeldFile,
    clean_file,
    held_file,
    hold,
    size_text,
)
from store.errors import DeskError
from store.models import Notice
from store.settings import Publisher
from store.workflow import check_status_secret, get_notice
from views.api import require_key
from views.errors import ApiError
from views.extensions import csrf, get_db, limiter, public_publisher, read_session
from views.paperwork import NO_PAPERWORK, documents_json, paperwork, store

bp = Blueprint("documents", __name__)
api_bp = Blueprint("api_documents", __name__, url_prefix="/api/v1")
csrf.exempt(api_bp)   # authenticated by the API key header, as the rest of the API

# A form with files: up to MAX_FILES_PER_KIND files of 10 MB, and the form's text. Everything
# else keeps the app's 256 KB (MAX_CONTENT_LENGTH), refused before it is read.
FORM_UPLOAD_MAX = MAX_FILES_PER_KIND * MAX_BYTES + 1024 * 1024
UPLOAD_ENDPOINTS = {"submit.submit_form": FORM_UPLOAD_MAX, "documents.upload": FORM_UPLOAD_MAX,
                    "api_documents.upload_api": MAX_BYTES}
FILE_FIELD = "doc__"          # + kind: the file inputs of the notice form
TOKEN_FIELD = "doc_token__"   # + kind: files already kept for this form (checkboxes, 保留)


def _upload_limits():
    # Only a body that can carry files (multipart, or the API's raw file): a urlencoded form
    # post to the same address keeps the 256 KB limit.
    limit = UPLOAD_ENDPOINTS.get(request.endpoint or "")
    if limit is not None and request.method == "POST" and (
            request.mimetype == "multipart/form-data" or request.blueprint == "api_documents"):
        request.max_content_length = limit


@bp.record_once
def _first_of_all(state):
    # Before the CSRF check, which reads the form (and would refuse it at 256 KB).
    state.app.before_request_funcs.setdefault(None, []).insert(0, _upload_limits)


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


# ---------------------------------------------------------------------------------------------
# The notice form

@dataclass
class FormUploads:
    """The documents section of one notice form: what it asks for, the files kept for it, and
    the refusals of this post, per kind."""
    requested: list[DocumentKind]
    held: dict[str, list[HeldFile]] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    received: int = 0            # files accepted in this post

    @property
    def refused(self) -> bool:
        return bool(self.errors)

    def files(self) -> list[HeldFile]:
        return [f for files in self.held.values() for f in files]


def take_uploads(notice_type, variant, publisher: Publisher) -> FormUploads:
    """The files of this post (cleaned and kept) and those kept before (their tokens), for the
    documents this notice asks for. Kept on `g` for the page and for `attach_uploads`."""
    uploads = FormUploads(requested_documents(publisher.documents, notice_type.code, variant))
    for kind in uploads.requested:
        held = [h for h in (held_file(_secret(), t) for t in request.form.getlist(TOKEN_FIELD + kind.code))
                if h is not None and h.kind == kind.code and store().exists(h.sha256)]
        for upload in request.files.getlist(FILE_FIELD + kind.code):
            if not upload.filename:
                continue          # an input left empty (browsers send it without a name)
            try:
                clean = clean_file(upload.read(MAX_BYTES + 1), f"“{kind.label}”")
            except DocumentRefused as exc:
                uploads.errors.setdefault(kind.code, []).append(exc.message)
                continue
            store().put(clean)
            if all(h.sha256 != clean.sha256 for h in held):
                held.append(hold(_secret(), kind.code, clean))
                uploads.received += 1
        if len(held) > MAX_FILES_PER_KIND:
            uploads.errors.setdefault(kind.code, []).append(
                f"“{kind.label}”最多 {MAX_FILES_PER_KIND} 个文件，多出的未保留；可合并成一个 PDF 再上传。")
            held = held[:MAX_FILES_PER_KIND]
        if held:
            uploads.held[kind.code] = held
    g.form_uploads = uploads
    return uploads


def form_uploads(notice_type=None, variant=None) -> FormUploads | None:
    """For the form's template: this post's uploads, or (a first view, a form shown again after
    an expired token) the documents asked for with the files the form carried."""
    uploads = g.get("form_uploads")
    if uploads is None and notice_type is not None:
        uploads = FormUploads(requested_documents(public_publisher().documents, notice_type.code, variant))
        for kind in uploads.requested:
            held = [h for h in (held_file(_secret(), t) for t in request.form.getlist(TOKEN_FIELD + kind.code))
                    if h is not None and h.kind == kind.code]
            if held:
                uploads.held[kind.code] = held
    return uploads


def refusal_message(uploads: FormUploads) -> tuple[str, str]:
    names = "、".join(DOCUMENT_KINDS[k].label for k in uploads.errors)
    return ("error", f"有文件未被接受（{names}），原因写在“证明材料”一节。其余内容都还在，"
                     "请重新选择文件，或不附这份文件直接提交（提交后可在进度页补交）。")


def attach_uploads(notice_id: int) -> None:
    """The form's kept files become the notice's documents (a confirmed form)."""
    uploads: FormUploads | None = g.get("form_uploads")
    if uploads is not None and uploads.files():
        store_documents.attach_quietly(get_db(), notice_id, uploads.files(), actor="advertiser")


# ---------------------------------------------------------------------------------------------
# The status page

@bp.app_template_global("notice_paperwork")
def _notice_paperwork(notice, publisher):
    return paperwork(notice, publisher)


@bp.app_template_global("form_documents")
def _form_documents(notice_type, variant):
    return form_uploads(notice_type, variant)


@bp.app_template_filter("account_groups")
def _account_groups(account: str) -> str:
    """A bank account as it is read out: in groups of four (6222 0212 3456 7890 123)."""
    digits = "".join(account.split())
    return " ".join(digits[i:i + 4] for i in range(0, len(digits), 4))


@bp.app_template_filter("document_label")
def _document_label(kind: str) -> str:
    return DOCUMENT_KINDS[kind].label if kind in DOCUMENT_KINDS else kind


@bp.app_template_filter("cn_datetime")
def _cn_datetime(moment: datetime) -> str:
    return f"{format_date_cn(moment.date())} {moment:%H:%M}"


def _status_notice(reference: str, secret: str) -> Notice:
    from flask import abort
    notice = get_notice(read_session(), reference)
    if notice is None or not check_status_secret(_secret(), notice.reference, secret):
        abort(404)
    return notice


def _status_page_again(reference: str, secret: str, status: int = 422):
    """The status page with this post's problems (views/submit.py's own view renders it)."""
    page = current_app.view_functions["submit.status"](reference=reference, secret=secret)
    body = page[0] if isinstance(page, tuple) else page
    return body, status


def _back(notice: Notice, secret: str, **args):
    return redirect(url_for("submit.status", reference=notice.reference, secret=secret, **args,
                            _anchor="paperwork"), code=303)


@bp.post("/status/<reference>/<secret>/documents")
@limiter.limit("30/minute")
def upload(reference, secret):
    notice = _status_notice(reference, secret)
    info = paperwork(notice, public_publisher())
    kind_code = request.form.get("kind", "")
    allowed = ([k.code for k in info.requested] if info.can_send_documents else []) + \
              ([TRANSFER_SLIP] if info.can_send_slip else [])
    problems: list[str] = []
    if kind_code not in allowed:
        problems.append("这则公告现在不收这种材料：请在下面选择材料种类后再上传。" if allowed
                        else "这则公告现在不再收材料（已刊登、未通过或已撤回）。")
    kind = DOCUMENT_KINDS.get(kind_code)
    files: list[HeldFile] = []
    uploads = [u for u in request.files.getlist("file") if u.filename]
    if not problems and not uploads:
        problems.append("请先选择要上传的文件（JPEG、PNG 图片或 PDF，每个不超过 10 MB）。")
    if len(uploads) > MAX_FILES_PER_KIND:
        problems.append(f"一次最多上传 {MAX_FILES_PER_KIND} 个文件，可合并成一个 PDF 再上传。")
    if not problems and kind is not None:
        for u in uploads:
            try:
                clean = clean_file(u.read(MAX_BYTES + 1), f"“{kind.label}”")
            except DocumentRefused as exc:
                problems.append(exc.message)
                continue
            store().put(clean)
            files.append(hold(_secret(), kind.code, clean))
    if problems:
        g.paperwork_errors = {"documents": problems}
        return _status_page_again(notice.reference, secret)
    try:
        added = store_documents.attach(get_db(), notice.id, files, actor="advertiser")
    except DeskError as exc:
        g.paperwork_errors = {"documents": [exc.message]}
        return _status_page_again(notice.reference, secret)
    return _back(notice, secret, received=str(added))


@bp.post("/status/<reference>/<secret>/invoice")
@limiter.limit("30/minute")
def invoice(reference, secret):
    notice = _status_notice(reference, secret)
    if notice.status in NO_PAPERWORK:
        g.paperwork_errors = {"invoice": ["这则公告未通过或已撤回，不能申请发票。"]}
        return _status_page_again(notice.reference, secret)
    email = (request.form.get("email") or "").strip()
    from notices import contact
    if email and (len(email) > 120 or not contact.email_ok(email)):
        g.paperwork_errors = {"invoice": ["接收电子发票的邮箱格式不对，例如：caiwu@example.com；不填则由报社联系您。"]}
        return _status_page_again(notice.reference, secret)
    try:
        store_documents.request_invoice(get_db(), notice.id, request.form.get("title", ""),
                                        request.form.get("tax_number", ""), email, actor="advertiser")
    except DeskError as exc:
        g.paperwork_errors = {"invoice": [exc.message]}
        return _status_page_again(notice.reference, secret)
    return _back(notice, secret, invoice="1")


# ---------------------------------------------------------------------------------------------
# The API: POST /api/v1/notices/<reference>/documents/<kind>, the file as the body

@api_bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return error.response()


@api_bp.post("/notices/<reference>/documents/<kind>")
@require_key
@limiter.limit("60/minute")
def upload_api(reference, kind):
    notice = get_notice(read_session(), reference)
    if notice is None or notice.api_key_id != g.api_key.id:
        raise ApiError(404, "not_found", "没有这个编号的公告（只能查询本密钥提交的公告）。")
    publisher = public_publisher()
    info = paperwork(notice, publisher)
    allowed = ([k.code for k in info.requested] if info.can_send_documents else []) + \
              ([TRANSFER_SLIP] if info.can_send_slip else [])
    if kind not in allowed:
        raise ApiError(422, "kind_not_accepted",
                       f"这则公告现在不收“{kind}”：可上传 {'、'.join(allowed) or '（无）'}。"
                       "种类见 GET /api/v1/notices/<reference> 的 documents.requested。")
    label = f"“{DOCUMENT_KINDS[kind].label}”"
    try:
        data = request.stream.read(MAX_BYTES + 1)
    except RequestEntityTooLarge as exc:      # Content-Length over MAX_BYTES: refused unread
        raise ApiError(413, "too_large", f"{label}有 {size_text(request.content_length or 0)}，"
                                         "超过了 10 MB 的上限。请缩小后再上传。") from exc
    try:
        clean = clean_file(data, label)
    except DocumentRefused as exc:
        raise ApiError(413 if exc.code == "too_large" else 422, exc.code, exc.message) from exc
    store().put(clean)
    try:
        added = store_documents.attach(get_db(), notice.id, [hold(_secret(), kind, clean)],
                                       actor=f"api:{g.api_key.name}")
    except DeskError as exc:
        raise ApiError(422, "too_many_documents", exc.message) from exc
    return jsonify({"reference": notice.reference, "kind": kind, "type": clean.media_type,
                    "size": len(clean.data), "documents": documents_json(notice, publisher)}), \
        (201 if added else 200)


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
