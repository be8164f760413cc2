"""The web layer's part in the progress mails (store/mails.py, store/outbox.py): the MailContext
the store composes them with (the app's clock, the publisher's settings, the links), installed
for the app's database at start.

Links are built on PUBLIC_BASE_URL, as proofs of publication are (views/proof.py public_url): a
mail is read far from the request that caused it. Without PUBLIC_BASE_URL (development) a mail
written in a request takes that request's address, and one written by `flask send-mail`'s sweep
for missed dates takes DEVELOPMENT_BASE_URL (`make run`'s address).
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, request, url_for

from store import outbox
from store.mails import MailContext
from store.settings import load_publisher
from store.workflow import status_secret
from views import clock
from views.extensions import get_db, public_publisher

DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


def _base_url() -> str:
    base = current_app.config.get("PUBLIC_BASE_URL") or ""
    if not base:
        base = request.host_url if has_request_context() else DEVELOPMENT_BASE_URL
    return base.rstrip("/")


def _path(endpoint: str, **values) -> str:
    if has_request_context():
        return url_for(endpoint, **values)
    # A command (the sender's sweep) has no request: build the path from the app's URL map.
    return current_app.url_map.bind("localhost", script_name="/").build(endpoint, values)


def mail_context() -> MailContext:
    app = current_app
    base = _base_url()
    key = app.config["SECRET_KEY"]

    def link(endpoint: str):
        def build(reference: str) -> str:
            return base + _path(endpoint, reference=reference, secret=status_secret(key, reference))
        return build

    if has_request_context():
        publisher = public_publisher()
    else:
        # No request's session to borrow: a short read of its own (a command runs for days).
        with get_db().session() as s:
            publisher = load_publisher(s)
    return MailContext(now=clock.now(), publisher=publisher, status_url=link("submit.status"),
                       revise_url=link("submit.revise"), proof_url=link("desk_public.proof"),
                       message_domain=urlsplit(base).hostname or "localhost")


def init_app(app: Flask) -> None:
    outbox.set_context_factory(app.extensions["notice_db"], mail_context)
