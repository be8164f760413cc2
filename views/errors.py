"""Every error answer of the app: the Chinese error pages, JSON errors under /api/, the CSRF
page, and the page shown when the database cannot save right now.

API errors are raised, not returned: a view or a helper raises `ApiError(422, "invalid", "…")`
and the one handler the API registers (views/api.py) renders it as `{"error": {"code", "message",
…}}`, the same body the app-wide handlers below give under /api/ (404, 429, 500, storage …), so
an agency meets one error format everywhere. This module imports no other view: a form that is
shown again after an error (the notice form) is registered here by its own blueprint
(`register_reshow`), which keeps the import graph free of circles (tests/system/test_imports.py).

The database that cannot save:

A full disk (SQLite: SQLITE_FULL "database or disk is full"; PostgreSQL: SQLSTATE 53100
"could not extend file … No space left on device"), a write lock held past the busy timeout, a
database server that went away: SQLAlchemy raises OperationalError for all of them (and its own
TimeoutError when the connection pool is exhausted). None is the advertiser's fault and all pass,
so the answer is 503 with Retry-After, never 500, and never a receipt: the write was one
transaction and was rolled back (tests/app/test_faults.py proves nothing is half-written).

- The notice form is shown again with everything that was typed (the advertiser presses
  "确认提交" again later: the same submission key makes the retry safe, see store/workflow.py).
- The API answers JSON, telling the client to retry with the same Idempotency-Key.
- Anything else gets the site's error page.

Deliberately NOT handled here: the other DBAPIError subclasses (IntegrityError, DataError,
ProgrammingError). They are bugs, not weather: "try again later" would be a lie, and they must
stay visible as 500s in the logs (e.g. a NUL byte reaching PostgreSQL raises DataError). But the
500 page itself must still render: on PostgreSQL a failed statement leaves the request's read
session in an aborted transaction, and the page's context processors read the publisher's
settings through that session ("current transaction is aborted"): the error page then failed
too and the client got the server's bare 500. `_forget_failed_session` drops that session
first (the signal Flask sends before it calls the 500 handler).

Input that cannot be decoded at all (raw bytes that are not UTF-8 in the query string, or in a
urlencoded body, percent-encoded or not) is refused up front with 400 and a Chinese message:
`_refuse_undecodable_input`. Werkzeug 3.1 keeps an invalid %-sequence as literal "%FF" text and
drops a whole urlencoded body with raw invalid bytes without a word (an empty form: "请填写…"
for every field), and a raw byte in the query string made request.args raise (a 500; gunicorn
refuses such a request line itself, a server that passes it on did not).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Flask, current_app, g, got_request_exception, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError, TimeoutError as PoolTimeoutError
from werkzeug.exceptions import SecurityError


class ApiError(Exception):
    """An answer of the JSON API that is an error: raised anywhere below an API view."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.extra = status, code, message, extra

    def response(self) -> tuple[Any, int]:
        return api_error_response(self.status, self.code, self.message, **self.extra)


def api_error_response(status: int, code: str, message: str, **extra: Any) -> tuple[Any, int]:
    """The API's error body: a stable code for programs, a Chinese message for people."""
    return jsonify({"error": {"code": code, "message": message, **extra}}), status


def _is_api() -> bool:
    return request.path.startswith("/api/")


# A form shown again with everything typed and a message, instead of an error page: endpoint →
# reshow(status, (kind, message)) giving the page (HTML) and its status. Registered by the
# blueprint that owns the form (views/submit.py), so this module never imports it.
Reshow = Callable[[int, tuple[str, str]], tuple[str, int]]
_RESHOW = "form_reshow"


def register_reshow(app: Flask, endpoint: str, reshow: Reshow) -> None:
    app.extensions.setdefault(_RESHOW, {})[endpoint] = reshow


def _reshow_for(endpoint: str | None) -> Reshow | None:
    reshows: dict[str, Reshow] = current_app.extensions.get(_RESHOW, {})
    return reshows.get(endpoint or "")


# Nobody meets Werkzeug's English pages: a Chinese page, or JSON with a stable code under /api/.
# status: (API code, API message, page title, page message)
ERROR_PAGES = {
    # Only the desk refuses a logged-in editor a page (the administrator's ones).
    403: ("forbidden", "没有权限进行此操作。", "没有权限",
          "这一页只有管理员可以使用。如需修改报社设置或编辑账号，请联系管理员。"),
    404: ("not_found", "没有这个地址。", "找不到页面", "您访问的页面不存在，或链接已失效。"),
    405: ("method_not_allowed", "这个地址不支持此请求方法，请查阅接口说明。", "无法这样打开此页",
          "这个地址用于提交表单，不能直接打开。请返回上一页重新操作。"),
    413: ("too_large", "提交的内容过大。", "内容过大", "提交的内容超过了允许的大小，请删减后重试。"),
    429: ("rate_limited", "请求过于频繁，请稍后再试。", "请求过于频繁", "请稍等一分钟后再试。"),
    500: ("internal_error", "服务器出错，请稍后重试；如仍不行，请联系报社。", "服务器出错",
          "服务器出错，您的操作可能没有完成。请稍后重试；如仍不行，请联系报社技术人员。"),
}


def _error_page(status: int, code: str, api_message: str, title: str, message: str):
    def handler(_error):
        if _is_api():
            return api_error_response(status, code, api_message)
        return render_template("error.html", title=title, message=message), status
    return handler


CSRF_RESHOW_MESSAGE = "页面停留时间较长，安全校验已过期。您填写的内容都还在，请核对后再点一次按钮。"


def _csrf_error(_error):
    # A form whose token expired must never lose what was typed: its own view shows it again.
    reshow = _reshow_for(request.endpoint)
    if reshow is not None:
        return reshow(400, ("warning", CSRF_RESHOW_MESSAGE))
    return render_template("error.html", title="页面已过期",
                           message="页面停留时间过长或来源不明，安全校验未通过。请返回上一页刷新后重试。"), 400


def _untrusted_host(_error):
    # A Host not in TRUSTED_HOSTS: Flask built no URL adapter for it, so no template with
    # url_for can be rendered (the 400 page answered 500). Plain text, built from nothing.
    return current_app.response_class("400 本站不接受这个主机名，请用报社公布的网址访问，例如 https://gonggao.example.cn/。\n",
                                      400, mimetype="text/plain")

# Long enough for a lock or a failover to pass; short enough that a person waits for it.
RETRY_AFTER_SECONDS = 30
TITLE = "暂时无法保存"
SAVE_MESSAGE = "暂时无法保存，请稍后再试，您填写的内容仍在。"
FORM_AGAIN = "请稍后点“检查并预览”，核对后再确认提交（同一张表单不会重复提交）。"
READ_MESSAGE = "暂时无法打开此页，请稍后刷新重试。"
API_MESSAGE = "暂时无法保存，请稍后用同一个 Idempotency-Key 重试（不会重复提交）。"

def _drop_read_session() -> None:
    # The request's read session may be the one that failed (connection lost): a re-shown form
    # needs a fresh one, or it would fail the same way.
    session = g.pop("db_session", None)
    if session is not None:
        try:
            session.close()
        except Exception:  # noqa: BLE001 - closing a broken session must not mask the real error
            current_app.logger.warning("could not close the failed read session", exc_info=True)


def _storage_unavailable(error):
    current_app.logger.error("database unavailable during %s %s: %s", request.method, request.path,
                             getattr(error, "orig", None) or error)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    _drop_read_session()
    if _is_api():
        body, status = api_error_response(503, "storage_unavailable", API_MESSAGE)
        return body, status, headers
    reshow = _reshow_for(request.endpoint)
    if request.method == "POST" and reshow is not None:
        try:
            page, _status = reshow(503, ("error", SAVE_MESSAGE + FORM_AGAIN))
            return page, 503, headers
        except Exception:  # noqa: BLE001 - e.g. the database cannot even be read: plain page below
            current_app.logger.warning("could not re-show the form after a storage error", exc_info=True)
            _drop_read_session()
    message = SAVE_MESSAGE if request.method == "POST" else READ_MESSAGE
    return render_template("error.html", title=TITLE, message=message), 503, headers


def _forget_failed_session(sender, exception, **_extra):
    _drop_read_session()


UNDECODABLE_MESSAGE = ("提交的内容含有无法识别的字符编码（不是有效的 UTF-8），未被接受。"
                       "请在浏览器中重新打开页面后再填写；程序提交请按 UTF-8 编码。")
_FORM = "application/x-www-form-urlencoded"


def _decodes(raw: bytes) -> bool:
    """Whether a query string or urlencoded body is UTF-8 once its %-escapes are decoded."""
    try:
        unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _refuse_undecodable_input():
    raw_query = request.environ.get("QUERY_STRING", "").encode("latin-1", "replace")
    bad = not _decodes(raw_query)
    if not bad and request.method == "POST" and request.mimetype == _FORM:
        bad = not _decodes(request.get_data(cache=True))     # cached: the form parser reads it again
    if not bad:
        return None
    if _is_api():
        return api_error_response(400, "invalid_encoding", UNDECODABLE_MESSAGE)
    return render_template("error.html", title="无法识别的字符", message=UNDECODABLE_MESSAGE), 400


BAD_REQUEST_MESSAGE = "请求不完整或格式不对（例如页面停留过久或来自旧的书签）。请返回上一页，刷新后重试。"


def _bad_request(_error):
    """abort(400) and Werkzeug's own 400s in Chinese (they were Werkzeug's English page)."""
    if _is_api():
        return api_error_response(400, "bad_request", "请求格式不对，请对照接口说明（README：JSON API v1）改正后重试。")
    return render_template("error.html", title="请求有误", message=BAD_REQUEST_MESSAGE), 400


def init_app(app: Flask) -> None:
    for status, (code, api_message, title, message) in ERROR_PAGES.items():
        app.register_error_handler(status, _error_page(status, code, api_message, title, message))
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(SecurityError, _untrusted_host)
    app.register_error_handler(400, _bad_request)
    app.register_error_handler(OperationalError, _storage_unavailable)
    app.register_error_handler(PoolTimeoutError, _storage_unavailable)
    got_request_exception.connect(_forget_failed_session, app)
    # First of all before_request functions: the CSRF check and the login throttle read the form.
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_undecodable_input)
