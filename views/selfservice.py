"""The advertiser by themselves (issue 14 item 5): the status link mailed again for the reference
and the phone number; on the status page, withdraw, change the date, accept an editor's new
price, and see the order's other dates. The rules are notices/selfservice.py, the writes
store/selfservice.py; the status page itself is views/submit.py's, which includes
templates/submit/_selfservice.html (the panel this module's template global fills)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flask import Blueprint, abort, current_app, g, jsonify, redirect, render_template, request, url_for

from notices.checks import CheckResult
from notices.dates import in_range
from notices.deadlines import copy_deadline_for, open_issue_dates
from notices.selfservice import (
    DateChange,
    Withdrawal,
    date_change_terms,
    date_rules,
    day_cn,
    moment_cn,
    withdrawal_terms,
)
from press.printing import Quote
from store import selfservice, workflow
from store.errors import Conflict, DeskError
from store.models import Notice
from store.workflow import Advertiser, check_status_secret, get_notice
from views import clock
from views.api import require_key
from views.errors import ApiError
from views.extensions import csrf, get_db, limiter, public_publisher, read_session

bp = Blueprint("selfservice", __name__)

# Guessing a reference and a phone number: a few tries an hour from one address (and the
# notice's mail at most once an hour, store/selfservice.py).
LOST_LINK_RATE = "10/hour;3/minute"
STALE = "这则公告在您打开本页之后有了变化（例如编辑作了处理），您的操作没有执行。请看下面的最新状态后再操作。"


@dataclass
class SelfService:
    """What the status page offers the advertiser now."""
    notice: Notice
    day: date | None
    missed: bool
    consent: bool
    withdrawal: Withdrawal
    date_change: DateChange
    date_choices: list[tuple[str, str]]
    order: list[Notice]
    order_total: int
    errors: dict[str, str] = field(default_factory=dict)


def self_service(notice: Notice) -> SelfService:
    publisher = public_publisher()
    calendar, now = publisher.calendar, clock.now()
    day = selfservice.notice_day(notice)
    withdrawal = withdrawal_terms(status=notice.status, day=day, price_cents=notice.price_cents,
                                  paid_cents=notice.paid_cents, calendar=calendar, now=now,
                                  rule=publisher.cancellation_rule, price_unagreed=notice.awaiting_price_consent)
    change = date_change_terms(status=notice.status, day=day, calendar=calendar, now=now)
    choices = []
    if change.allowed:
        # Only the dates the notice stays lawful on (a 减资公告 within its thirty days): the
        # store refuses the others (store/selfservice.py change_date).
        refused = date_rules(notice.type_code, notice.revision.fields, notice.revision.text, day,
                             calendar=calendar, now=now)
        choices = [(d.isoformat(), f"{day_cn(d)}，{moment_cn(calendar, copy_deadline_for(calendar, d))}截稿")
                   for d in open_issue_dates(calendar, now, count=30) if d != day and not refused(d)]
    order = selfservice.order_notices(read_session(), notice)
    return SelfService(notice=notice, day=day, missed=selfservice.missed(notice, calendar, now),
                       consent=notice.awaiting_price_consent, withdrawal=withdrawal, date_change=change,
                       date_choices=choices, order=order,
                       order_total=sum(n.price_cents for n in order if n.status not in ("rejected", "withdrawn")),
                       errors=g.get("selfservice_errors", {}))


@bp.app_template_global("self_service")
def _self_service(notice):
    return self_service(notice)


@bp.app_template_global("order_status_url")
def _order_status_url(notice):
    from store.workflow import status_secret
    return url_for("submit.status", reference=notice.reference,
                   secret=status_secret(current_app.config["SECRET_KEY"], notice.reference))


# ---------------------------------------------------------------------------------------------
# The status link again

@bp.route("/status/lost", methods=["GET", "POST"])
@limiter.limit(LOST_LINK_RATE, methods=["POST"])
def lost_link():
    sent = False
    error = ""
    if request.method == "POST":
        reference = (request.form.get("reference") or "").strip()
        phone = (request.form.get("phone") or "").strip()
        if not reference or not phone:
            error = "请填写受理编号和提交时登记的联系电话，例如：GG-7K3M-9QXP 和 13800138000。"
        else:
            # The same answer whether or not they match: references and phones cannot be probed.
            selfservice.resend_status_link(get_db(), reference[:40], phone[:40], now=clock.now())
            sent = True
    return render_template("submit/lost_link.html", sent=sent, error=error, publisher=public_publisher()), \
        (422 if error else 200)


# ---------------------------------------------------------------------------------------------
# The status page's posts

def _status_notice(reference: str, secret: str) -> Notice:
    notice = get_notice(read_session(), reference)
    if notice is None or not check_status_secret(current_app.config["SECRET_KEY"], notice.reference, secret):
        abort(404)
    return notice


def _day(value: str | None) -> date | None:
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return None
    return day if in_range(day) else None


def _version() -> int:
    value = request.form.get("version", "")
    return int(value) if re.fullmatch(r"\d{1,9}", value) else 0


def _again(notice: Notice, secret: str, where: str, message: str, status: int = 422):
    """The status page again with the message beside the form it belongs to."""
    g.selfservice_errors = {where: message}
    read_session().expire_all()         # the notice as it is now, not as this request first read it
    page = current_app.view_functions["submit.status"](reference=notice.reference, secret=secret)
    body = page[0] if isinstance(page, tuple) else page
    return body, status


def _done(notice: Notice, secret: str, what: str):
    return redirect(url_for("submit.status", reference=notice.reference, secret=secret, done=what,
                            _anchor="self-service"), code=303)


@bp.post("/status/<reference>/<secret>/withdraw")
@limiter.limit("30/minute")
def withdraw(reference, secret):
    notice = _status_notice(reference, secret)
    if request.form.get("confirm") != "1":
        return _again(notice, secret, "withdraw", "请先勾选“我确认撤回这则公告”，再点“撤回”。")
    publisher = public_publisher()
    try:
        selfservice.withdraw(get_db(), notice.reference, _version(), actor="advertiser", now=clock.now(),
                             calendar=publisher.calendar, rule=publisher.cancellation_rule)
    except Conflict:
        return _again(notice, secret, "withdraw", STALE, 409)
    except DeskError as exc:
        return _again(notice, secret, "withdraw", exc.message)
    return _done(notice, secret, "withdrawn")


@bp.post("/status/<reference>/<secret>/date")
@limiter.limit("30/minute")
def change_date(reference, secret):
    notice = _status_notice(reference, secret)
    new = _day(request.form.get("issue_date"))
    if new is None:
        return _again(notice, secret, "date", "请从列表中选择新的刊登日期。")
    publisher = public_publisher()
    try:
        selfservice.change_date(get_db(), notice.reference, _version(), new, actor="advertiser", now=clock.now(),
                                calendar=publisher.calendar)
    except Conflict:
        return _again(notice, secret, "date", STALE, 409)
    except DeskError as exc:
        return _again(notice, secret, "date", exc.message)
    return _done(notice, secret, "date")


@bp.post("/status/<reference>/<secret>/accept-price")
@limiter.limit("30/minute")
def accept_price(reference, secret):
    notice = _status_notice(reference, secret)
    try:
        selfservice.accept_price(get_db(), notice.reference, _version(), actor="advertiser")
    except Conflict:
        return _again(notice, secret, "price", STALE, 409)
    except DeskError as exc:
        return _again(notice, secret, "price", exc.message)
    return _done(notice, secret, "price")


# ---------------------------------------------------------------------------------------------
# The API: agencies withdraw and change the date of their own notices (README, "JSON API v1")

api_bp = Blueprint("api_selfservice", __name__, url_prefix="/api/v1")
csrf.exempt(api_bp)   # authenticated by the API key header, as the rest of the API


@api_bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return error.response()


def _agency_notice(reference: str) -> Notice:
    notice = get_notice(read_session(), reference)
    if notice is None or notice.api_key_id != g.api_key.id:
        raise ApiError(404, "not_found", "没有这个编号的公告（只能操作本密钥提交的公告）。")
    return notice


def _api_version(data: dict) -> int | None:
    """An optional "version" (the notice's, from GET): refused if the notice has changed since."""
    version = data.get("version")
    if version is None:
        return None
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise ApiError(422, "invalid_version", "version 须为整数，即 GET /api/v1/notices/<reference> 返回的 version。")
    return version


def _answer(notice: Notice, **extra):
    s = read_session()
    s.expire_all()
    fresh = get_notice(s, notice.reference) or notice
    return jsonify({"reference": fresh.reference, "status": fresh.status, "status_label": fresh.status_label,
                    "version": fresh.version,
                    "requested_date": fresh.requested_date.isoformat() if fresh.requested_date else None,
                    "issue_date": fresh.issue_date.isoformat() if fresh.issue_date else None,
                    "price": {"amount": fresh.price_cents / 100, "currency": "CNY"},
                    "paid": {"amount": fresh.paid_cents / 100, "currency": "CNY"},
                    "refund_due": {"amount": fresh.refund_due_cents / 100, "currency": "CNY"},
                    "awaiting_price_consent": fresh.awaiting_price_consent, **extra})


def _refused(exc: DeskError):
    if isinstance(exc, Conflict):
        raise ApiError(409, "version_conflict", "公告在您读取之后已有变化，请重新 GET 后再决定。")
    raise ApiError(422, "not_allowed", exc.message)


@api_bp.post("/notices/<reference>/withdraw")
@require_key
@limiter.limit("120/minute")
def api_withdraw(reference):
    """Withdraw an agency's notice: 200 with the refund owed back, or 422 not_allowed (why)."""
    data = _json_body()
    notice = _agency_notice(reference)
    publisher = public_publisher()
    try:
        selfservice.withdraw(get_db(), notice.reference, _api_version(data), actor=f"api:{g.api_key.name}",
                             now=clock.now(), calendar=publisher.calendar, rule=publisher.cancellation_rule)
    except DeskError as exc:
        _refused(exc)
    return _answer(notice)


@api_bp.post("/notices/<reference>/date")
@require_key
@limiter.limit("120/minute")
def api_change_date(reference):
    """Move an agency's notice to another open date: {"publication_date": "2026-12-01"}."""
    data = _json_body()
    notice = _agency_notice(reference)
    value = data.get("publication_date")
    new = _day(value) if isinstance(value, str) else None
    if new is None:
        raise ApiError(422, "invalid_date", "publication_date 须为 YYYY-MM-DD 格式的日期，可选日期见 "
                                            "GET /api/v1/issue-dates，例如：{\"publication_date\": \"2026-12-01\"}。")
    publisher = public_publisher()
    try:
        selfservice.change_date(get_db(), notice.reference, _api_version(data), new,
                                actor=f"api:{g.api_key.name}", now=clock.now(), calendar=publisher.calendar)
    except DeskError as exc:
        _refused(exc)
    return _answer(notice)


@api_bp.post("/notices/<reference>/accept-price")
@require_key
@limiter.limit("120/minute")
def api_accept_price(reference):
    """Accept the price an editor's change gave the notice (awaiting_price_consent: true)."""
    data = _json_body()
    notice = _agency_notice(reference)
    try:
        selfservice.accept_price(get_db(), notice.reference, _api_version(data), actor=f"api:{g.api_key.name}")
    except DeskError as exc:
        _refused(exc)
    return _answer(notice)


# ---------------------------------------------------------------------------------------------
# One order for several dates: each date a notice of its own (checked, priced and decided on
# its own; its own status page), sharing an order key; the answer gives the total.

MAX_DATES = 10


def _distinct_days(dates) -> bool:
    """1 to MAX_DATES dates, each YYYY-MM-DD, none twice."""
    return (isinstance(dates, list) and 1 <= len(dates) <= MAX_DATES
            and all(isinstance(d, str) and _day(d) for d in dates) and len(set(dates)) == len(dates))


@dataclass
class PlannedNotice:
    """One date's notice of an order, checked for its issue; `stored` is the notice filed for it
    by an earlier try of the same order, if any."""
    key: str                        # its submission key: the order's, with "#<n>"
    result: CheckResult
    quote: Quote | None             # None when the check failed
    stored: Notice | None

    def file(self, advertiser: Advertiser, order_key: str) -> workflow.Submitted:
        """Filed under the order (or the notice filed for it before, answered again)."""
        if self.stored is not None:
            return workflow.Submitted(self.stored, False)
        assert self.quote is not None      # OrderRequest.planned: a notice without one has errors
        return workflow.submit_notice(
            get_db(), self.result, advertiser, self.key, lines=self.quote.lines, price_cents=self.quote.price_cents,
            author=f"api:{g.api_key.name}", api_key_id=g.api_key.id, order_key=order_key)


@dataclass
class OrderRequest:
    """POST /api/v1/orders, read and checked. What makes it no order at all is an ApiError at
    once (the Idempotency-Key, the body, the dates, a contact that is not an object); what is
    wrong with the contact or a date's notice is collected in `errors`, as the API names fields."""
    key: str                        # the order's submission key; date n's notice is key#n
    data: dict
    dates: list[str]                # as sent; in order, a date's place is its n
    advertiser: Advertiser
    errors: dict[str, list[str]]    # the contact's ("contact.phone"), each date's ("2026-11-27.holder")

    @classmethod
    def read(cls) -> OrderRequest:
        from views import api
        idem = api.idempotency_key("本次订单")
        data = api._json_body()
        if not _distinct_days(data.get("publication_dates")):
            raise ApiError(422, "invalid_dates", f"publication_dates 须为1到{MAX_DATES}个不重复的 YYYY-MM-DD 日期，"
                                                 "例如：[\"2026-11-27\", \"2026-12-04\"]；"
                                                 "可选日期见 GET /api/v1/issue-dates。")
        contact = data.get("contact") or {}
        if not isinstance(contact, dict):
            raise ApiError(422, "invalid_contact", "contact 须为对象：{\"name\": …, \"phone\": …, \"email\": …}。")
        advertiser, errors = api._contact(contact)
        return cls(f"api:{g.api_key.id}:order:{idem}", data, data["publication_dates"], advertiser, errors)

    def planned(self) -> list[PlannedNotice]:
        """Each date's notice, checked for its issue; the errors of one not filed before join
        `errors` under its date. A retry after a date's copy deadline still gets the notice
        filed for it."""
        from views import api
        planned = []
        for number, day in enumerate(sorted(self.dates), start=1):
            code, fields, text, _ = api._notice_input({**self.data, "publication_date": day})
            # A notice printed twice by law (环评公示) gets the order's other date as its second.
            fields = workflow.order_fields(code, fields, day, self.dates)
            result, quote = api._check(code, fields, text, day)
            stored = None if result.ok else workflow.find_submission(get_db(), f"{self.key}#{number}")
            if not result.ok and stored is None:
                self.errors.update({f"{day}.{name}": found for name, found in result.errors_by_field().items()})
            planned.append(PlannedNotice(f"{self.key}#{number}", result, quote, stored))
        return planned


@api_bp.post("/orders")
@require_key
@limiter.limit("120/minute")
def api_order():
    """The body of POST /api/v1/notices with "publication_dates": [...] instead of one date."""
    order = OrderRequest.read()
    planned = order.planned()
    if order.errors:
        raise ApiError(422, "invalid_notice", "订单未通过检查，请按 errors 逐项改正（以日期开头的是那一期的问题）。",
                       errors=order.errors)
    order_key = selfservice.order_key_for(order.key)
    filed = [notice.file(order.advertiser, order_key) for notice in planned]
    _refuse_a_reused_key(filed, order_key)
    return _order_answer(filed, order_key)


def _refuse_a_reused_key(filed: list[workflow.Submitted], order_key: str) -> None:
    """A 409 when the Idempotency-Key filed an order that differs from this request."""
    reused = next((f for f in filed if not f.created and not f.same_content), None)
    if reused is not None:
        raise ApiError(409, "idempotency_key_reused",
                       f"该 Idempotency-Key 已用于订单 {order_key}，这次的请求与那次不同："
                       f"{'；'.join(reused.differences)}。重试请原样发送那次的请求；新的订单请使用新的键。",
                       order=order_key)


def _order_answer(filed: list[workflow.Submitted], order_key: str):
    """The order's notices and their total: 201 if this request filed one of them, else 200."""
    from views import api
    notices = [f.notice for f in filed]
    total = sum(n.price_cents for n in notices)
    return jsonify({"order": order_key, "notices": [api._notice_json(n) for n in notices],
                    "total": {"amount": total / 100, "currency": "CNY"}}), \
        (201 if any(f.created for f in filed) else 200)


def _json_body() -> dict:
    """The body, if any: these calls need none (withdraw), or a small object."""
    if not request.get_data():
        return {}
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", "请求体须为 UTF-8 编码的 JSON 对象（可以为空），"
                                            "并带请求头 Content-Type: application/json。")
    return data


def init_app(app) -> None:
    from store import webhooks
    webhooks.set_clock(clock.now)       # deliveries written as of the app's clock (tests fix it)
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
