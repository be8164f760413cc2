"""The page shown when the database cannot save right now, instead of a 500 traceback.

A full disk (SQLite: SQLITE_FULL "database or disk is full"; PostgreSQL: SQLSTATE 53100
"could not extend file … No space left on device"), a write lock held past the busy timeout, a
database server that went away: SQLAlchemy raises OperationalError for all of them (and its own
TimeoutError when the connection pool is exhausted). None is the advertiser's fault and all pass,
so the answer is 503 with Retry-After, never 500, and never a receipt: the write was one
transaction and was rolled back (tests/test_faults.py proves nothing is half-written).

- The notice form is shown again with everything that was typed (the advertiser presses
  "确认提交" again later: the same submission key makes the retry safe, see store.operations).
- The API answers JSON, telling the client to retry with the same Idempotency-Key.
- Anything else gets the site's error page.

Deliberately NOT handled here: the other DBAPIError subclasses (IntegrityError, DataError,
ProgrammingError). They are bugs, not weather: "try again later" would be a lie, and they must
stay visible as 500s in the logs (e.g. a NUL byte reaching PostgreSQL raises DataError).
"""
from __future__ import annotations

from flask import Flask, current_app, g, render_template, request
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


def init_app(app: Flask) -> None:
    app.register_error_handler(OperationalError, _storage_unavailable)
    app.register_error_handler(PoolTimeoutError, _storage_unavailable)
