"""Agencies' signed status webhooks (issue 14 item 5): each change of an agency's notice is written
to the webhook outbox in the change's own transaction and POSTed later by `flask send-webhooks`
to a real HTTP server of the test (a thread), signed with HMAC-SHA256 over the body; an answer
other than 2xx is tried again after a growing pause; a redirect is never followed."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from store.accounts import find_api_key
from store.models import WebhookDelivery
from tests.conftest import NOW
from tests.support.apps import auth
from tests.support.desk import approve_pay_schedule, editor_client, fetch, submit
from views.extensions import get_db


@pytest.fixture
def app(desk_test_app):
    return desk_test_app


class Receiver:
    """An agency's web server: records every POST, answers with the codes queued (then 200)."""

    def __init__(self):
        self.posts: list[dict] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.posts.append({"headers": dict(self.headers), "body": body})
                code = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(code)
                if 300 <= code < 400:
                    self.send_header("Location", f"http://127.0.0.1:{self.server.server_port}/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def cli(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def key_id(app, api_key):
    with app.app_context():
        with get_db().session() as s:
            return find_api_key(s, api_key).id


def deliveries(app):
    with app.app_context():
        with get_db().session() as s:
            return list(s.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def hook(app, api_key, url) -> str:
    prefix = api_key.split("_")[1]
    out = cli(app, "set-webhook", f"ggk_{prefix}", url)
    assert "X-Gonggao-Signature" in out
    return out.strip().splitlines()[-1]


def test_status_changes_are_posted_signed_after_the_request(app, client, api_key, receiver):
    secret = hook(app, api_key, receiver.url)
    assert len(secret) == 64
    reference = submit(app, api_key_id=key_id(app, api_key))
    untouched = submit(app)                                   # filed by the form: no webhook
    editor = editor_client(app, "admin1", role="admin")
    approve_pay_schedule(app, editor, reference)
    approve_pay_schedule(app, editor, untouched)
    r = client.post(f"/api/v1/notices/{reference}/withdraw", headers=auth(api_key))
    assert r.status_code == 200
    # Written with each change, sent by nobody yet: the requests never wait for the agency.
    assert receiver.posts == [] and len(deliveries(app)) == 4
    assert "已送达 4 个" in cli(app, "send-webhooks", "--once")
    assert len(receiver.posts) == 4 and all(d.status == "sent" for d in deliveries(app))
    statuses = []
    for post in receiver.posts:
        body, headers = post["body"], post["headers"]
        expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        assert headers["X-Gonggao-Signature"] == expected
        assert headers["Content-Type"].startswith("application/json")
        data = json.loads(body)
        assert data["reference"] == reference and data["event"] == "notice.updated"
        statuses.append(data["status"])
    assert statuses == ["approved", "approved", "scheduled", "withdrawn"]
    assert json.loads(receiver.posts[1]["body"])["paid"]["amount"] == fetch(app, reference).paid_cents / 100
    # A body altered on the way does not verify.
    forged = receiver.posts[-1]["body"].replace(b"withdrawn", b"published")
    assert "sha256=" + hmac.new(secret.encode(), forged, hashlib.sha256).hexdigest() != \
        receiver.posts[-1]["headers"]["X-Gonggao-Signature"]
    # Sent once: another pass sends nothing.
    assert "已送达 0 个" in cli(app, "send-webhooks", "--once") and len(receiver.posts) == 4


def test_a_refused_change_posts_nothing_and_no_webhook_no_row(app, client, api_key, receiver):
    reference = submit(app, api_key_id=key_id(app, api_key))
    editor = editor_client(app, "admin1", role="admin")
    editor.post(f"/desk/notices/{reference}/approve", data={"version": str(fetch(app, reference).version)})
    assert deliveries(app) == []                      # no URL set yet
    hook(app, api_key, receiver.url)
    r = client.post(f"/api/v1/notices/{reference}/date", headers=auth(api_key), json={"publication_date": "2026-11-26"})
    assert r.status_code == 422 and deliveries(app) == []     # refused: rolled back, nothing written


def test_an_agency_server_down_is_tried_again_later_and_a_redirect_is_not_followed(app, client, api_key, receiver):
    hook(app, api_key, receiver.url)
    reference = submit(app, api_key_id=key_id(app, api_key))
    editor = editor_client(app, "admin1", role="admin")
    editor.post(f"/desk/notices/{reference}/approve", data={"version": str(fetch(app, reference).version)})
    receiver.answers = [500, 302]
    assert "稍后重试 1 个" in cli(app, "send-webhooks", "--once")
    [row] = deliveries(app)
    assert row.status == "pending" and row.attempts == 1 and "500" in row.last_error
    # Not due again before its pause (1 minute after the first failure).
    assert "已送达 0 个" in cli(app, "send-webhooks", "--once") and len(receiver.posts) == 1
    app.config["NOW"] = NOW + timedelta(minutes=2)
    assert "稍后重试 1 个" in cli(app, "send-webhooks", "--once")
    [row] = deliveries(app)
    assert "302" in row.last_error and len(receiver.posts) == 2        # the Location was not visited
    assert all(p["headers"].get("Host", "").endswith(str(receiver.server.server_port)) for p in receiver.posts)
    app.config["NOW"] = NOW + timedelta(minutes=10)
    assert "已送达 1 个" in cli(app, "send-webhooks", "--once")
    [row] = deliveries(app)
    assert row.status == "sent" and row.attempts == 3
    assert [p["body"] for p in receiver.posts] == [receiver.posts[0]["body"]] * 3     # the same body each time


def test_a_revoked_key_gets_nothing_and_a_bad_url_is_refused(app, api_key, receiver):
    prefix = api_key.split("_")[1]
    result = app.test_cli_runner().invoke(args=["set-webhook", f"ggk_{prefix}", "ftp://example.com/x"])
    assert result.exit_code != 0 and "https://" in result.output
    hook(app, api_key, receiver.url)
    reference = submit(app, api_key_id=key_id(app, api_key))
    editor = editor_client(app, "admin1", role="admin")
    editor.post(f"/desk/notices/{reference}/approve", data={"version": str(fetch(app, reference).version)})
    cli(app, "revoke-api-key", f"ggk_{prefix}")
    assert "放弃 1 个" in cli(app, "send-webhooks", "--once")
    assert receiver.posts == [] and deliveries(app)[0].status == "failed"
