"""Advertisers: choose a notice type, fill the form, preview, confirm, follow the notice."""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; types-WTForms 3.2 lacks it

from forms.notice import notice_form_class
from notices.catalogue import CATALOGUE, VARIANT, entries
from notices.checks import CheckResult, check_notice
from notices.deadlines import format_date_cn, open_issue_dates
from notices.money import format_yuan
from notices.wording import compose_text
from press import printing
from store.workflow import (
    Advertiser,
    check_status_secret,
    clean_reference,
    get_notice,
    order_fields,
    status_secret,
    submit_notice,
    text_hash,
)
from views import clock, documents, errors
from views.extensions import get_db, limiter, public_publisher, read_session

bp = Blueprint("submit", __name__)


@bp.get("/")
def index():
    # The catalogue's entries as the advertiser sees them: 遗失声明 once per variant.
    return render_template("submit/index.html", entries=entries())


def _type_and_variant(code: str):
    notice_type = CATALOGUE.get(code)
    if notice_type is None:
        abort(404)
    variant = None
    if notice_type.variants:
        variant = request.values.get(VARIANT)
        if notice_type.variant(variant) is None:
            variant = notice_type.variants[0].code
    return notice_type, variant


def _form(notice_type, variant, publisher, formdata=None):
    form = notice_form_class(notice_type, variant)(formdata=formdata)
    dates = open_issue_dates(publisher.calendar, clock.now(), count=30)
    form.publication_date.choices = [
        SelectChoice(d.isoformat(), f"{format_date_cn(d)}（周{'一二三四五六日'[d.weekday()]}）") for d in dates]
    if not form.publication_date.data and dates:
        form.publication_date.data = dates[0].isoformat()
    form.more_dates.choices = list(form.publication_date.choices)
    form.ensure_submission_key()
    return form


# One order for several dates from the form, as POST /api/v1/orders takes it (at most that many).
MAX_ORDER_DATES = 10


@dataclass(frozen=True)
class OrderDate:
    """One further date ticked on the form: the notice checked and priced for that issue."""
    day: date
    result: CheckResult
    quote: Any          # printing.Quote; None when the check found errors


def _ticked(form) -> list[str]:
    """The further dates ticked, without 刊登日期 itself, in order."""
    return sorted(set(form.more_dates.data or ()) - {form.publication_date.data})


def _order_date_field(form) -> None:
    """A type printed more than once by law (环评公示: second_date) names its other printing in a
    field: with further dates ticked, 刊登日期's notice gets the order's nearest other date there,
    as POST /api/v1/orders does (store/workflow.py order_fields), unless the advertiser named a
    printing outside the order. The input shows the date so filled."""
    name = form.notice_type.order_date_field
    ticked = _ticked(form) if name and name in form else []
    if not ticked or not form.publication_date.data:
        return
    filled = order_fields(form.notice_type.code, form.field_values(), form.publication_date.data,
                          [form.publication_date.data, *ticked])
    form[name].data = filled[name]


def _more_dates(form, notice_type, publisher, result: CheckResult) -> list[OrderDate]:
    """The further dates ticked (besides 刊登日期), each checked for its own issue with the text as
    it stands and priced on its own. A date not open or a check's error is put under the dates'
    input (form.more_dates.errors), which stops a confirmation."""
    offered = [c.value for c in form.publication_date.choices]
    ticked = _ticked(form)
    form.more_dates.data = ticked
    errors: list[str] = []
    closed = [d for d in ticked if d not in offered]
    if closed:
        errors.append(f"{'、'.join(closed)} 不能选（已过截稿时间或不出报），请在下面的日期中另选。")
    ticked = [d for d in ticked if d in offered]
    if len(ticked) + 1 > MAX_ORDER_DATES:
        errors.append(f"一次最多预订 {MAX_ORDER_DATES} 期（现选了 {len(ticked) + 1} 期），请减少几期，"
                      "其余日期可以见报后再订。")
    order: list[OrderDate] = []
    if not errors and result.ok:
        every = [form.publication_date.data, *ticked]
        for day in ticked:
            fields = order_fields(notice_type.code, form.field_values(), day, every)
            other = check_notice(notice_type.code, fields, result.text, day, calendar=publisher.calendar,
                                 now=clock.now(), missing_glyphs=printing.missing_glyphs,
                                 print_id_numbers=publisher.print_id_numbers)
            label = format_date_cn(date.fromisoformat(day))
            if not other.ok:
                errors += [f"{label}：{f.message}" for f in other.errors]
                continue
            order.append(OrderDate(date.fromisoformat(day), other,
                                   printing.quote_notice(publisher, other, notice_type, with_png=False)))
    form.more_dates.errors = errors
    return order if not errors else []


def _confirm_label(dates: int, total_cents: int) -> str:
    """确认提交's words: the price, or for an order the number of dates and the total."""
    if dates == 1:
        return f"确认提交（{format_yuan(total_cents)}）"
    return f"确认提交（{dates}期，合计{format_yuan(total_cents)}）"


def _preview_token(result, quote, order: Sequence[OrderDate] = ()) -> str:
    """Binds a confirmation to exactly what was previewed: text, title, dates and prices."""
    message = "|".join([result.title, result.text, str(result.publication_date), str(quote.price_cents)]
                       + [f"{o.day}:{o.quote.price_cents}" for o in order])
    return hmac.new(current_app.config["SECRET_KEY"].encode(), message.encode(), hashlib.sha256).hexdigest()[:32]


def _render(form, notice_type, variant, *, result=None, quote=None, messages=(), status=200, revising=None,
            order=()):
    entry_title = notice_type.entry(variant).title
    if revising:
        entry_title = f"修改{entry_title} {revising['notice'].reference}"
    contact_errors = [(field.id, error) for field in (form.advertiser_name, form.advertiser_phone,
                                                      form.advertiser_email) for error in field.errors]
    return render_template("submit/form.html", form=form, notice_type=notice_type, variant=variant,
                           entry_title=entry_title, result=result, quote=quote, messages=messages,
                           contact_errors=contact_errors, order=order,
                           order_rows=sorted([(result.publication_date, quote)] + [(o.day, o.quote) for o in order],
                                             key=lambda row: row[0]) if order else [],
                           order_total=(quote.price_cents + sum(o.quote.price_cents for o in order)) if quote else 0,
                           variants=notice_type.entries() if notice_type.variants else (), revising=revising), status


@bp.get("/submit/<code>")
def notice_form(code):
    notice_type, variant = _type_and_variant(code)
    publisher = public_publisher()
    form = _form(notice_type, variant, publisher)
    return _render(form, notice_type, variant)


def _check(form, publisher, action):
    _order_date_field(form)
    text = form.text.data
    if action == "compose" or (form.composed_hash.data and text_hash((text or "").strip()) == form.composed_hash.data):
        text = None   # the advertiser did not touch the composed text: compose it again from the fields
    result = form.run_checks(text, calendar=publisher.calendar, now=clock.now(),
                             missing_glyphs=printing.missing_glyphs, print_id_numbers=publisher.print_id_numbers)
    form.text.data = result.text
    form.composed_hash.data = text_hash(result.text) if result.composed else ""
    return result


@bp.post("/submit/<code>")
@limiter.limit("120/minute")
def submit_form(code):
    notice_type, variant = _type_and_variant(code)
    publisher = public_publisher()
    form = _form(notice_type, variant, publisher, formdata=request.form)
    return _check_preview_confirm(form, notice_type, variant, publisher, file=_file_new, contact=True)


Filer = Callable[..., Any]     # (form, result, quote, messages[, order]) → a response or None


def _check_preview_confirm(form, notice_type, variant, publisher, *, file: Filer, contact: bool,
                           revising=None):
    """The one flow of a posted notice form, new or revised: check → preview (price and picture)
    → confirm. A confirmation files the notice only if it is exactly what was previewed (the
    preview token); `file` does the filing and answers with the redirect, or None after adding
    its message (the form is then shown again). `contact`: the form carries the advertiser's
    contact (a revision keeps the one on file)."""
    action = request.form.get("action", "check")
    # The documents a new notice asks for (views/documents.py): a refused file stops a confirmation.
    uploads = documents.take_uploads(notice_type, variant, publisher) if revising is None else None
    refused = uploads is not None and uploads.refused
    result = _check(form, publisher, action)
    advertiser_ok = form.check_advertiser(required=action == "confirm") if contact else True
    quote = None
    order: list[OrderDate] = []
    messages: list[tuple[str, str]] = []
    if result.ok:
        try:
            # A confirmation that goes through needs the price, not the picture (it redirects).
            quote = printing.quote_notice(publisher, result, notice_type, with_png=action != "confirm")
            if revising is None:      # a revision keeps its one date (its order is already filed)
                order = _more_dates(form, notice_type, publisher, result)
        except printing.RenderError as exc:
            messages.append(("error", f"排版预览未能生成：{exc}。请稍后再试，或联系报社。"))
    if uploads is not None and refused:
        messages.append(documents.refusal_message(uploads))
    dates_ok = not form.more_dates.errors
    if action == "confirm" and result.ok and quote is not None and advertiser_ok and not refused and dates_ok:
        if not hmac.compare_digest(form.preview_token.data or "", _preview_token(result, quote, order)):
            messages.append(("warning", "公告内容、刊登日期或价格与您上次预览时不同，"
                                        "请核对下面新的预览和价格后再点“确认提交”。"))
        else:
            response = file(form, result, quote, messages, order) if order else file(form, result, quote, messages)
            if response is not None:
                return response
    if quote is not None:
        form.preview_token.data = _preview_token(result, quote, order)
        if not quote.png_data_uri:    # a confirmation sent back to the page: show the picture again
            quote = printing.quote_notice(publisher, result, notice_type)
    status = 422 if (not result.ok or not advertiser_ok or refused or not dates_ok) and action == "confirm" else 200
    return _render(form, notice_type, variant, result=result, quote=quote, messages=messages, status=status,
                   revising=revising, order=order)


def _file_new(form, result: CheckResult, quote, messages: list[tuple[str, str]], order: Sequence[OrderDate] = ()):
    """A new notice: filed once per form (its submission key), then the receipt. With further
    dates, one order (store/selfservice.py order_key_for, as POST /api/v1/orders files it): a
    notice per date, each under the form's key and its number, so a retry files none twice."""
    advertiser = Advertiser(form.advertiser_name.data, form.advertiser_phone.data, form.advertiser_email.data)
    key = "web:" + form.ensure_submission_key()
    if order:
        from store import selfservice
        dated = sorted([(result.publication_date, result, quote)] + [(o.day, o.result, o.quote) for o in order],
                       key=lambda item: str(item[0]))
        filed = [submit_notice(get_db(), r, advertiser, f"{key}#{number}", lines=q.lines, price_cents=q.price_cents,
                               author="advertiser", order_key=selfservice.order_key_for(key))
                 for number, (_day, r, q) in enumerate(dated, start=1)]
        submitted = next(f for f in filed if f.notice.requested_date == result.publication_date)
    else:
        submitted = submit_notice(get_db(), result, advertiser, key, lines=quote.lines, price_cents=quote.price_cents,
                                  author="advertiser")
        filed = [submitted]
    ref = submitted.notice.reference
    if all(f.created or f.same_content for f in filed):
        for f in filed:       # each notice of an order gets the documents: an editor checks each
            documents.attach_uploads(f.notice.id)
        secret = status_secret(current_app.config["SECRET_KEY"], ref)
        return redirect(url_for("submit.receipt", reference=ref, secret=secret), code=303)
    # This form was confirmed before with other content: Back to an old page (without
    # JavaScript, which would have replaced it), then a new notice. Keep everything typed,
    # give the form a key of its own, and let one more click file it.
    form.submission_key.data = ""
    form.ensure_submission_key()
    messages.append(("warning", f"这张表单此前已经提交过（受理编号 {ref}），这次的内容与那次不同。"
                                "如要再刊登这一则，请核对下面的预览和价格后再点“确认提交”。"))
    return None


def _reshow(status: int, message: tuple[str, str]) -> tuple[str, int]:
    """The posted form again with everything typed (and a new CSRF token) and one message: for
    an expired CSRF token, or a database that cannot save right now (views/errors.py)."""
    code = (request.view_args or {}).get("code", "")
    notice_type, variant = _type_and_variant(code)
    publisher = public_publisher()
    form = _form(notice_type, variant, publisher, formdata=request.form)
    return _render(form, notice_type, variant, status=status, messages=[message])


@bp.record_once
def _register_reshow(state):
    errors.register_reshow(state.app, "submit.submit_form", _reshow)


@bp.post("/submit/<code>/live")
@limiter.limit("240/minute")
def live_check(code):
    """Live checks while the advertiser types (JavaScript); the same checks as the form's button."""
    notice_type, variant = _type_and_variant(code)
    publisher = public_publisher()
    form = _form(notice_type, variant, publisher, formdata=request.form)
    result = _check(form, publisher, request.form.get("action", "check"))
    wants_preview = request.form.get("preview") == "1" and result.ok
    order = _more_dates(form, notice_type, publisher, result) if wants_preview else []
    errors = {}
    for name in [f.name for f, _ in form.type_fields()] + ["text", "publication_date", "more_dates"]:
        if form[name].errors:
            errors[name] = list(form[name].errors)
    answer = {"text": result.text, "composed_hash": form.composed_hash.data, "errors": errors,
              "warnings": [f.as_json() for f in result.warnings],
              "info": [f.as_json() for f in result.infos], "changes": result.changes,
              "ok": result.ok}
    if wants_preview and form.more_dates.errors:
        answer["ok"] = False        # a date of the order cannot be booked: nothing to confirm yet
    elif wants_preview:
        # The page shows a preview already: it follows the typing, and so do the price and the
        # token a confirmation is checked against (what is confirmed is what was last seen).
        try:
            quote = printing.quote_notice(publisher, result, notice_type)
        except printing.RenderError as exc:
            answer["preview_error"] = f"排版预览未能生成：{exc}。请稍后再试。"
        else:
            total = quote.price_cents + sum(o.quote.price_cents for o in order)
            answer["preview"] = {"png": quote.png_data_uri, "price": format_yuan(quote.price_cents),
                                 "explanation": quote.explanation, "lines": quote.lines,
                                 "token": _preview_token(result, quote, order),
                                 # The order's dates, each priced, and what 确认提交 says.
                                 "dates": [{"date": format_date_cn(d), "lines": q.lines,
                                            "price": format_yuan(q.price_cents)}
                                           for d, q in sorted([(result.publication_date, quote)]
                                                              + [(o.day, o.quote) for o in order])],
                                 "total": format_yuan(total), "confirm": _confirm_label(len(order) + 1, total)}
    return jsonify(answer)


@bp.post("/submit/<code>/preview.<kind>")
@limiter.limit("60/minute")
def preview_file(code, kind):
    """The notice as the form stands, larger (png; html: a page showing it, for a browser without
    JavaScript) or as a PDF to keep: the same checks as 检查并预览; with an error the form comes
    back with it, as after 检查并预览."""
    if kind not in ("png", "pdf", "html"):
        abort(404)
    notice_type, variant = _type_and_variant(code)
    publisher = public_publisher()
    form = _form(notice_type, variant, publisher, formdata=request.form)
    result = _check(form, publisher, "check")
    messages: list[tuple[str, str]] = []
    if result.ok:
        try:
            data = printing.notice_file(publisher, result, notice_type, "pdf" if kind == "pdf" else "png")
        except printing.RenderError as exc:
            messages.append(("error", f"排版预览未能生成：{exc}。请稍后再试，或联系报社。"))
        else:
            if kind == "html":
                return render_template("submit/enlarged.html", result=result, entry_title=notice_type.entry(
                    variant).title, png_uri="data:image/png;base64," + base64.b64encode(data).decode("ascii"))
            response = current_app.response_class(data, mimetype="application/pdf" if kind == "pdf" else "image/png")
            if kind == "pdf":
                # RFC 6266: an ASCII name, and the Chinese one as filename* (a header is Latin-1).
                name = quote(f"公告预览-{result.title}.pdf")
                response.headers["Content-Disposition"] = (
                    f"attachment; filename=\"notice-preview.pdf\"; filename*=UTF-8''{name}")
            return response
    return _render(form, notice_type, variant, result=result, messages=messages, status=422)


# ---------------------------------------------------------------------------------------------
def _notice_or_404(reference, secret):
    notice = get_notice(read_session(), reference)
    if notice is None or not check_status_secret(current_app.config["SECRET_KEY"], notice.reference, secret):
        abort(404)   # the same answer for a wrong secret as for no notice: references can't be probed
    return notice


@bp.get("/receipt/<reference>/<secret>")
def receipt(reference, secret):
    notice = _notice_or_404(reference, secret)
    publisher = public_publisher()
    # The text as it will print (ID numbers masked): a status link gets forwarded and bookmarked.
    from store.selfservice import order_notices
    return render_template("submit/receipt.html", notice=notice, secret=secret, publisher=publisher,
                           order=order_notices(read_session(), notice),
                           printed_text=printing.printable_text(publisher, notice.revision.text,
                                                                type_code=notice.type_code,
                                                                fields=notice.revision.fields,
                                                                issue_date=notice.issue_date or notice.requested_date))


@bp.get("/status/<reference>/<secret>")
def status(reference, secret):
    notice = _notice_or_404(reference, secret)
    publisher = public_publisher()
    # Once published, what the page says was printed comes from the publication's snapshot, as
    # the proof does (a later change of settings does not change it); a withdrawn one is named.
    from store.issues import published_notice
    snapshot = published_notice(read_session(), notice.id, withdrawn=True)
    live = snapshot if snapshot is not None and not snapshot.withdrawn and notice.status == "published" else None
    from store.outbox import notice_mails
    return render_template("submit/status.html", notice=notice, secret=secret, publisher=publisher,
                           type=CATALOGUE[notice.type_code], published=live,
                           mails=notice_mails(read_session(), notice.id),
                           withdrawn=snapshot if snapshot is not None and snapshot.withdrawn else None,
                           printed_text=live.printed_text if live else printing.printable_text(
                               publisher, notice.revision.text, type_code=notice.type_code,
                               fields=notice.revision.fields, issue_date=notice.issue_date or notice.requested_date))


@bp.route("/status", methods=["GET", "POST"])
@limiter.limit("30/minute", methods=["POST"])
def find_status():
    error = None
    if request.method == "POST":
        reference = clean_reference(request.form.get("reference", ""))
        secret = (request.form.get("secret", "") or "").strip()
        notice = get_notice(read_session(), reference)
        if notice and check_status_secret(current_app.config["SECRET_KEY"], notice.reference, secret):
            return redirect(url_for("submit.status", reference=notice.reference,
                                    secret=status_secret(current_app.config["SECRET_KEY"], notice.reference)),
                            code=303)
        error = "编号或查询码不对，请核对回执上的编号和查询码。"
    return render_template("submit/find_status.html", error=error), (400 if error else 200)


# ---------------------------------------------------------------------------------------------
# 需修改: the advertiser revises the notice and sends it back to the desk.
@bp.route("/status/<reference>/<secret>/revise", methods=["GET", "POST"])
@limiter.limit("120/minute", methods=["POST"])
def revise(reference, secret):
    notice = _notice_or_404(reference, secret)
    if notice.status != "changes_requested":
        return redirect(url_for("submit.status", reference=notice.reference, secret=secret), code=303)
    notice_type = CATALOGUE[notice.type_code]
    revision = notice.revision
    variant = notice_type.variant_of(revision.fields)
    publisher = public_publisher()
    revising = {"notice": notice, "secret": secret}
    if request.method == "GET":
        form = _form(notice_type, variant, publisher)
        for f, wt in form.type_fields():
            value = revision.fields.get(f.name, "")
            wt.data = bool(value) if f.kind == "bool" else value
        form.text.data = revision.text
        if compose_text(notice_type, revision.fields) == revision.text:
            # A composed text, as on the first form: corrected fields compose it again.
            form.composed_hash.data = text_hash(revision.text)
        form.advertiser_name.data, form.advertiser_phone.data = notice.advertiser_name, notice.advertiser_phone
        form.advertiser_email.data = notice.advertiser_email
        offered = [c.value for c in form.publication_date.choices]
        if notice.requested_date and notice.requested_date.isoformat() in offered:
            form.publication_date.data = notice.requested_date.isoformat()
        return _render(form, notice_type, variant, revising=revising)
    form = _form(notice_type, variant, publisher, formdata=request.form)

    def file_revision(_form, result, quote, messages):
        from store.errors import DeskError
        from store.workflow import resubmit_after_changes
        try:
            # A version that is not a number (version=abc was a 500) matches no notice: the
            # operation then says the notice changed meanwhile, as for a stale page.
            version = request.form.get("version", "")
            resubmit_after_changes(get_db(), notice.reference,
                                   int(version) if re.fullmatch(r"\d{1,9}", version) else 0,
                                   result, lines=quote.lines, price_cents=quote.price_cents)
        except DeskError as exc:
            messages.append(("error", exc.message))
            return None
        return redirect(url_for("submit.status", reference=notice.reference, secret=secret, resubmitted="1"),
                        code=303)

    return _check_preview_confirm(form, notice_type, variant, publisher, file=file_revision, contact=False,
                                  revising=revising)
