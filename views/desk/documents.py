"""Documents, transfer slips and 发票 requests on the desk (issue 14): beside each notice, the
files only editors may open; and the administrator's payment and documents settings
(/desk/settings/paperwork: the 对公转账 account, the payment deadline, which documents each
notice asks for, how long the files are kept)."""
from __future__ import annotations

from urllib.parse import quote

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from forms.paperwork import paperwork_form_class
from notices.documents import DOCUMENT_KINDS
from store import documents as store_documents
from store.documents import EXTENSIONS
from store.settings import load_publisher, save_settings
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
    store_documents.record_viewed(get_db(), notice, row, actor=current_user.actor)
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

@bp.route("/settings/paperwork", methods=["GET", "POST"])
@admin_required
def paperwork_settings():
    """The payment and documents settings: shown, or saved (forms/paperwork.py reads and checks them)."""
    before = load_publisher(read_session())
    if request.method == "GET":
        form = paperwork_form_class().from_publisher(before)
    else:
        form = paperwork_form_class().posted(request.form, before)
        if form.validate():
            changed = save_settings(get_db(), before, form.to_publisher(before), actor=current_user.actor)
            flash("付款与材料设置已保存。" if changed else "没有改动。", "success" if changed else "info")
            return redirect(url_for("desk.paperwork_settings"), code=303)
    return render_template("desk/paperwork_settings.html", form=form), (422 if form.errors else 200)
