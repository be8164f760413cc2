"""The page shown when the database cannot save right now, instead of a 500 traceback.

A full disk (SQLite: SQLITE_FULL "database or disk is full"; PostgreSQL: SQLSTATE 53100
"could not extend file … No space left on device"), a write lock held past the busy timeout, a
database server that went away: SQLAlchemy raises OperationalError for all of them (and its own
TimeoutError when the connection pool is exhausted). None is the advertiser's fault and all pass,
so the answer is 503 with Retry-After, never 500, and never a receipt: the write was one
transaction and was rolled back (tests/test_faults.py proves nothing is half-written).

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

from urllib.parse import unquote_to_bytes

from flask import Flask, current_app, g, got_request_exception, render_template, request
from sqlalchemy.exc import OperationalError, TimeoutError as PoolTimeoutError

# Long enough for a lock or a failover to pass; short enough that a person waits for it.
RETRY_AFTER_SECONDS = 30
TITLE = "暂时无法保存"
SAVE_MESSAGE = "暂时无法保存，请稍后再试，您填写的内容仍在。"
FORM_AGAIN = "请稍后点“检查并预览”，核对后再确认提交（同一张表单不会重复提交）。"
READ_MESSAGE = "暂时无法打开此页，请稍后刷新重试。"
API_MESSAGE = "暂时无法保存，请稍后用同一个 Idempotency-Key 重试（不会重复提交）。"

# Endpoints whose form is shown again with what was posted (the advertiser's notice form).
_RESHOW_FORMS = ("submit.submit_form",)


def _drop_read_session() -> None:
    # The request's read session may be the one that failed (connection lost): a re-shown form
    # needs a fresh one, or it would fail the same way.
    session = g.pop("db_session", None)
    if session is not None:
        try:
            session.close()
        except Exception:  # noqa: BLE001 - closing a broken session must not mask the real error
            current_app.logger.warning("could not close the failed read session", exc_info=True)


def _reshow_notice_form():
    from views import submit
    code = (request.view_args or {}).get("code", "")
    notice_type, variant = submit._type_and_variant(code)
    publisher = submit.public_publisher()
    form = submit._form(notice_type, variant, publisher, formdata=request.form)
    page, _status = submit._render(form, notice_type, variant, status=503,
                                   messages=[("error", SAVE_MESSAGE + FORM_AGAIN)])
    return page


def _storage_unavailable(error):
    current_app.logger.error("database unavailable during %s %s: %s", request.method, request.path,
                             getattr(error, "orig", None) or error)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    _drop_read_session()
    if request.path.startswith("/api/"):
        from views.api import api_error
        body, status = api_error(503, "storage_unavailable", API_MESSAGE)
        return body, status, headers
    if request.method == "POST" and request.endpoint in _RESHOW_FORMS:
        try:
            return _reshow_notice_form(), 503, headers
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
    if request.path.startswith("/api/"):
        from views.api import api_error
        return api_error(400, "invalid_encoding", UNDECODABLE_MESSAGE)
    return render_template("error.html", title="无法识别的字符", message=UNDECODABLE_MESSAGE), 400


BAD_REQUEST_MESSAGE = "请求不完整或格式不对（例如页面停留过久或来自旧的书签）。请返回上一页，刷新后重试。"


def _bad_request(_error):
    """abort(400) and Werkzeug's own 400s in Chinese (they were Werkzeug's English page)."""
    if request.path.startswith("/api/"):
        from views.api import api_error
        return api_error(400, "bad_request", "请求格式不对，请对照接口说明（README：JSON API v1）改正后重试。")
    return render_template("error.html", title="请求有误", message=BAD_REQUEST_MESSAGE), 400


def init_app(app: Flask) -> None:
    app.register_error_handler(400, _bad_request)
    app.register_error_handler(OperationalError, _storage_unavailable)
    app.register_error_handler(PoolTimeoutError, _storage_unavailable)
    got_request_exception.connect(_forget_failed_session, app)
    # First of all before_request functions: the CSRF check and the login throttle read the form.
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_undecodable_input)
