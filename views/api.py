"""JSON API v1 for agencies. Errors are JSON with a stable code and a Chinese message: raised as
ApiError anywhere below a view and rendered by the one handler below (views/errors.py)."""
from __future__ import annotations

import hashlib
import re
import threading
import time
from dataclasses import dataclass
from functools import wraps

from flask import Blueprint, current_app, g, jsonify, request

from notices import contact as contact_rules
from notices.catalogue import CATALOGUE
from notices.identifiers import CHECKS
from notices.text import forbidden_message
from press import printing
from store import accounts, workflow
from store.accounts import find_api_key
from store.workflow import Advertiser, get_notice, submit_notice
from views import clock
from views.errors import ApiError
from views.extensions import csrf, get_db, limiter, public_publisher, read_session
from views.paperwork import documents_json

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)   # no cookies here: every state change is authenticated by an API key header

IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_.:\-]{8,100}")
# As store.accounts.create_api_key makes them: ggk_, 8 hex digits, _, token_urlsafe(32).
API_KEY_FORMAT = re.compile(r"ggk_[0-9a-f]{8}_[A-Za-z0-9_\-]{43}")
MAX_FIELDS = 60
MAX_VALUE = 2000


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return error.response()


def _api_key_value() -> str:
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.headers.get("X-API-Key", "").strip()


@dataclass(frozen=True)
class ApiClient:
    """Who is calling: what the views need of an API key, detached from any session."""
    id: int
    name: str


class _KeyCache:
    """Valid keys seen in the last `ttl` seconds, by the SHA-256 of the key (never the key).

    An agency's batch sends many requests with one key; this spares each one a query. Only
    valid keys are kept (a stranger's guesses cannot fill it); a key revoked in another worker
    stops working there within `ttl` seconds.
    """

    def __init__(self, ttl: float = 2.0, size: int = 1000):
        self.ttl, self.size = ttl, size
        self._entries: dict[str, tuple[float, ApiClient]] = {}
        self._lock = threading.Lock()
        self._revocations = accounts.revocations

    def lookup(self, value: str) -> ApiClient | None:
        if not API_KEY_FORMAT.fullmatch(value):
            return None    # not a key we issue: no query (a NUL in it was a 500 on PostgreSQL)
        digest = hashlib.sha256(value.encode()).hexdigest()
        now = time.monotonic()
        with self._lock:
            if self._revocations != accounts.revocations:   # revoked in this process
                self._entries.clear()
                self._revocations = accounts.revocations
            entry = self._entries.get(digest)
        if entry is not None and entry[0] > now:
            return entry[1]
        row = find_api_key(read_session(), value)
        if row is None:
            return None
        client = ApiClient(row.id, row.name)
        with self._lock:
            if len(self._entries) >= self.size:
                self._entries.clear()
            self._entries[digest] = (now + self.ttl, client)
        return client


def _keys() -> _KeyCache:
    """This app's key cache (one per app: each app has its own database)."""
    return current_app.extensions.setdefault("api_key_cache", _KeyCache())


def require_key(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        key = _keys().lookup(_api_key_value())
        if key is None:
            raise ApiError(401, "unauthorized", "缺少或无效的 API 密钥（请在 Authorization: Bearer … 中提供）。")
        g.api_key = key
        return view(*args, **kwargs)
    return wrapper


_SURROGATE = re.compile("[\ud800-\udfff]")


def _lone_surrogate(data) -> str | None:
    """Where the body has a lone UTF-16 surrogate ("\\ud800" in JSON: Python's json accepts
    it, UTF-8 cannot carry it), e.g. "fields.holder"; None if nowhere. Such a notice was stored,
    and then every answer naming it failed to encode: a 500 on every retry, so the agency never
    got its reference. Iterative: the nesting depth is only bounded by the body size."""
    stack = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return path or "请求体"
        elif isinstance(value, dict):
            for key, item in value.items():
                if _SURROGATE.search(key):     # named as JSON writes it: \ud800 itself cannot be sent back
                    shown = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", key)
                    return f"{path}.{shown}（字段名）" if path else f"{shown}（字段名）"
                stack.append((f"{path}.{key}" if path else key, item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
    return None


def _json_body() -> dict:
    try:
        data = request.get_json(silent=True)
    except RecursionError:        # a deeply nested body within the size limit
        data = None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json",
                       "请求体须为 UTF-8 编码的 JSON 对象，并带请求头 Content-Type: application/json。")
    where = _lone_surrogate(data)
    if where:
        raise ApiError(400, "invalid_unicode",
                       f"{where} 含有不完整的字符（孤立的 UTF-16 代理项，如 \\ud800）：JSON 中的 "
                       "\\uD800–\\uDFFF 只能成对出现，合起来表示一个字符。"
                       "请检查程序的文字编码，改正后重新提交。",
                       field=where)
    return data


def _notice_input(data: dict):
    """What the body asks for: (type code, fields as text, text, publication date), each checked
    in that order; the first that is wrong is the ApiError."""
    code = _notice_type(data.get("type"))
    fields = _fields_as_text(data.get("fields") or {})
    text = data.get("text")
    if text is not None and not isinstance(text, str):
        raise ApiError(422, "invalid_text", "text 须为文本。")
    return code, fields, text, _publication_date(data.get("publication_date"))


def _notice_type(code) -> str:
    """The type's code, one the catalogue declares."""
    if not isinstance(code, str) or code not in CATALOGUE:
        raise ApiError(422, "unknown_type", f"没有这种公告类型，可选：{'、'.join(CATALOGUE)}。")
    return code


def _fields_as_text(fields) -> dict[str, str]:
    """The fields as the form sends them: every value text (true "1", false ""). At most
    MAX_FIELDS, each a text, number or switch of at most MAX_VALUE characters."""
    if not isinstance(fields, dict) or len(fields) > MAX_FIELDS or not all(
            isinstance(k, str) and _field_value_ok(v) for k, v in fields.items()):
        raise ApiError(422, "invalid_fields", "fields 须为“字段名: 文本值”的对象，字段和值不能过多过长。")
    return {k: _as_text(v) for k, v in fields.items()}


def _field_value_ok(value) -> bool:
    return isinstance(value, (str, int, float, bool)) and not (isinstance(value, str) and len(value) > MAX_VALUE)


def _as_text(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "1" if value else ""
    return str(value)


def _publication_date(pub) -> str | None:
    """The date asked for, as sent (checked with the notice); without one, the earliest issue
    still open, as the web form preselects (None if the calendar has none)."""
    if pub is None:
        from notices.deadlines import open_issue_dates
        dates = open_issue_dates(public_publisher().calendar, clock.now(), count=1)
        return dates[0].isoformat() if dates else None
    if not isinstance(pub, str):
        raise ApiError(422, "invalid_date", "publication_date 须为 YYYY-MM-DD 格式的文本。")
    return pub


def _contact(contact: dict) -> tuple[Advertiser, dict[str, list[str]]]:
    """The contact as stored, and the errors per field ("contact.phone": […]). A field with an
    error is left empty; the others are kept."""
    values, errors = {}, {}
    for key, label in (("name", "联系人姓名"), ("phone", "联系电话"), ("email", "电子邮箱")):
        value = contact.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and key == "phone":
            value = str(value)             # a phone number sent as a JSON number
        if value is not None and not isinstance(value, str):
            # A list or an object is not text (its Python repr "{'a': 1}" was taken for a name).
            errors[f"contact.{key}"] = [f"contact.{key}（{label}）须为文本，例如：\"13800138000\"。"
                                        if key == "phone" else f"contact.{key}（{label}）须为文本。"]
            value = ""
        # Trimmed and normalised, or refused with a control character (notices/contact.py).
        value, found = contact_rules.clean(value or "")
        if found:
            errors[f"contact.{key}"] = [forbidden_message(found, label)]
            value = ""
        values[key] = value
    name, phone, email = values["name"], values["phone"], values["email"]
    if (not name or len(name) > contact_rules.NAME_MAX) and "contact.name" not in errors:
        errors["contact.name"] = [f"请提供联系人姓名（不超过{contact_rules.NAME_MAX}字）。"]
    if ((not contact_rules.phone_digits_ok(phone) or len(phone) > contact_rules.PHONE_MAX)
            and "contact.phone" not in errors):
        errors["contact.phone"] = ["请提供有效的联系电话，例如：020-87750217。"]
    # The API has never refused a malformed address (agencies' batches carry what they have):
    # only one too long for the stored column.
    if len(email) > contact_rules.EMAIL_MAX:
        errors["contact.email"] = [f"电子邮箱过长（最多{contact_rules.EMAIL_MAX}个字符）。"]
    return Advertiser(name, phone, email), errors


def _check(code, fields, text, pub):
    publisher = public_publisher()
    from notices.checks import check_notice
    result = check_notice(code, fields, text, pub, calendar=publisher.calendar, now=clock.now(),
                          missing_glyphs=printing.missing_glyphs, print_id_numbers=publisher.print_id_numbers)
    quote = None
    if result.ok:
        try:
            quote = printing.quote_notice(publisher, result, CATALOGUE[code], with_png=False)
        except printing.RenderError as exc:
            raise ApiError(503, "render_failed", f"排版失败：{exc}") from exc
    return result, quote


def _check_body(result, quote) -> dict:
    body = result.as_json()
    body["ok"] = result.ok
    body["errors_by_field"] = result.errors_by_field()
    if quote is not None:
        body["lines"] = quote.lines
        body["price"] = {"amount": quote.price_cents / 100, "currency": "CNY", "explanation": quote.explanation}
    return body


@bp.get("/notice-types")
def notice_types():
    return jsonify({"notice_types": [t.as_json() for t in CATALOGUE.values()]})


@bp.get("/issue-dates")
def issue_dates():
    """The issue dates still open for submissions, with their copy deadlines."""
    from notices.deadlines import copy_deadline_for, open_issue_dates
    calendar = public_publisher().calendar
    return jsonify({"issue_dates": [
        {"date": d.isoformat(), "copy_deadline": copy_deadline_for(calendar, d).isoformat()}
        for d in open_issue_dates(calendar, clock.now(), count=30)]})


@bp.post("/identifiers/check")
@limiter.limit("600/minute")
def check_identifier():
    data = _json_body()
    kind, value = data.get("kind"), data.get("value")
    if kind not in CHECKS:
        raise ApiError(422, "unknown_kind", f"kind 须为以下之一：{'、'.join(CHECKS)}。")
    if not isinstance(value, str) or len(value) > 64:
        raise ApiError(422, "invalid_value", "value 须为不超过64个字符的文本。")
    check = CHECKS[kind](value)
    return jsonify({"kind": kind, "value": check.value, "valid": check.valid, "severity": check.severity,
                    "message": check.message, "position": check.position, "expected": check.expected})


@bp.post("/notices/check")
@require_key
@limiter.limit("300/minute")
def check_notice_view():
    parsed = _notice_input(_json_body())
    result, quote = _check(*parsed)
    return jsonify(_check_body(result, quote))


def idempotency_key(what: str) -> str:
    """The request's Idempotency-Key, or an ApiError saying it is missing or malformed (the same
    codes and words for every call that creates something: a notice, an order)."""
    idem = request.headers.get("Idempotency-Key", "")
    if IDEMPOTENCY_KEY.fullmatch(idem):
        return idem
    if idem:
        raise ApiError(400, "idempotency_key_invalid",
                       f"Idempotency-Key 须为8–100个字母、数字或 -_.:（现为{len(idem)}个字符），"
                       "重试时使用同一个键。")
    raise ApiError(400, "idempotency_key_required",
                   f"请在 Idempotency-Key 请求头中提供{what}的唯一键（8–100个字母、数字或 -_.:），"
                   "重试时使用同一个键。")


@bp.post("/notices")
@require_key
@limiter.limit("300/minute")
def create_notice():
    idem = idempotency_key("本次提交")
    data = _json_body()
    parsed = _notice_input(data)
    contact = data.get("contact") or {}
    if not isinstance(contact, dict):
        raise ApiError(422, "invalid_contact", "contact 须为对象：{\"name\": …, \"phone\": …, \"email\": …}。")
    advertiser, contact_errors = _contact(contact)
    result, quote = _check(*parsed)
    key = f"api:{g.api_key.id}:{idem}"
    date_requested = data.get("publication_date") is not None
    if not result.ok or contact_errors:
        # A retry of a notice accepted earlier is answered with that notice even if it would not
        # pass now (its issue's copy deadline has passed since, say): the agency gets its reference.
        stored = workflow.find_submission(get_db(), key) if not contact_errors else None
        if stored is not None:
            submitted = workflow.Submitted(stored, False, workflow.request_differences(
                stored, result, advertiser, date_requested=date_requested))
        else:
            errors = result.errors_by_field()
            errors.update(contact_errors)
            raise ApiError(422, "invalid_notice", "公告未通过检查，请按 errors 逐项改正。", errors=errors,
                           check=_check_body(result, quote))
    else:
        submitted = submit_notice(get_db(), result, advertiser, key, lines=quote.lines,
                                  price_cents=quote.price_cents, author=f"api:{g.api_key.name}",
                                  api_key_id=g.api_key.id, date_requested=date_requested)
    if not submitted.created and not submitted.same_content:
        raise ApiError(409, "idempotency_key_reused",
                       f"该 Idempotency-Key 已用于公告 {submitted.notice.reference}，这次的请求与那次不同："
                       f"{'；'.join(submitted.differences)}。重试请原样发送那次的请求；新的公告请使用新的键。",
                       reference=submitted.notice.reference, differences=list(submitted.differences))
    body = _notice_json(submitted.notice)
    # Accepted, but an editor will look at these (as the web form shows them before confirming).
    body["warnings"] = [{"field": w.field, "message": w.message} for w in result.warnings]
    known = {f.name for f in CATALOGUE[parsed[0]].fields}
    body["warnings"] += [{"field": name, "message": f"没有“{name}”这个字段，已忽略。字段见 GET /api/v1/notice-types。"}
                         for name in sorted(set(parsed[1]) - known)]
    return jsonify(body), (201 if submitted.created else 200)


def _notice_json(notice) -> dict:
    return {"reference": notice.reference, "status": notice.status, "status_label": notice.status_label,
            "type": notice.type_code, "title": notice.title,
            "requested_date": notice.requested_date.isoformat() if notice.requested_date else None,
            "issue_date": notice.issue_date.isoformat() if notice.issue_date else None,
            "text": notice.revision.text, "text_hash": notice.revision.text_hash,
            "lines": notice.lines, "price": {"amount": notice.price_cents / 100, "currency": "CNY"},
            "paid": {"amount": notice.paid_cents / 100, "currency": "CNY"},
            "reason": notice.decision_reason or None,
            "documents": documents_json(notice),
            # Self-service (views/selfservice.py): the version to send back, a price to accept.
            "version": notice.version, "awaiting_price_consent": notice.awaiting_price_consent,
            "order": notice.order_key,
            "refund_due": {"amount": notice.refund_due_cents / 100, "currency": "CNY"}}


@bp.get("/notices/<reference>")
@require_key
def get_notice_view(reference):
    notice = get_notice(read_session(), reference)
    if notice is None or notice.api_key_id != g.api_key.id:
        raise ApiError(404, "not_found", "没有这个编号的公告（只能查询本密钥提交的公告）。")
    return jsonify(_notice_json(notice))
