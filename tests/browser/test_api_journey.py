"""An agency files through the JSON API against the served app (stdlib HTTP only, as a small
agency's script would): key from the CLI, a check, a mistake answered in Chinese per field, the
notice, a retry that changes nothing, and its status by GET."""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import uuid
from datetime import date, timedelta

import pytest

from tests.browser.conftest import flask_cli

pytestmark = pytest.mark.browser


def call(server, method, path, body=None, key=None, headers=None):
    """(status, JSON body) of one API call."""
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    request = urllib.request.Request(server["url"] + path, data=data, method=method, headers={
        "Content-Type": "application/json", "Accept": "application/json", **(headers or {}),
        **({"Authorization": f"Bearer {key}"} if key else {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:                     # an error answer is a response too: read it, close it
            return error.code, json.loads(error.read())


def test_agency_files_a_notice_and_follows_its_status(live_server, samples):
    key = flask_cli(live_server, "create-api-key", "广州某某广告代理").strip().splitlines()[-1]
    assert len(key) >= 20 and " " not in key

    status, body = call(live_server, "GET", "/api/v1/notice-types")
    assert status == 200 and "liquidation" in [t["code"] for t in body["notice_types"]]

    sample = samples["liquidation"]
    notice = {"type": "liquidation", "fields": sample["fields"],
              "contact": {"name": "李女士", "phone": "020-87750000"}}

    # Without a key: refused, in Chinese.
    status, body = call(live_server, "POST", "/api/v1/notices", notice, headers={"Idempotency-Key": "x" * 12})
    assert status == 401 and body["error"]["code"] == "unauthorized" and "密钥" in body["error"]["message"]

    # A check first: composed text, lines, price. The API lists no open issue dates, so the
    # agency's script tries the next days until the date is accepted (a closed one is refused).
    for ahead in range(1, 15):
        day = (date.today() + timedelta(days=ahead)).isoformat()
        status, checked = call(live_server, "POST", "/api/v1/notices/check", {**notice, "publication_date": day},
                               key=key)
        assert status == 200, checked
        if "publication_date" not in checked["errors_by_field"]:
            break
    assert checked["ok"], checked
    notice["publication_date"] = day
    assert checked["price"]["currency"] == "CNY" and checked["price"]["amount"] > 0 and checked["lines"] > 0
    assert sample["fields"]["company"] in checked["text"]

    # A mistake: a wrong check character in the credit code, answered per field in Chinese.
    wrong = dict(notice, fields={**sample["fields"], "uscc": sample["fields"]["uscc"][:-1] + "0"})
    idem = f"order-{uuid.uuid4().hex[:12]}"
    status, body = call(live_server, "POST", "/api/v1/notices", wrong, key=key, headers={"Idempotency-Key": idem})
    assert status == 422 and body["error"]["code"] == "invalid_notice", body
    assert any("第18位校验码应为" in m for m in body["error"]["errors"]["uscc"]), body["error"]["errors"]

    # Corrected, with a new key for the new content: created.
    idem = f"order-{uuid.uuid4().hex[:12]}"
    status, created = call(live_server, "POST", "/api/v1/notices", notice, key=key, headers={"Idempotency-Key": idem})
    assert status == 201, created
    reference = created["reference"]
    assert re.fullmatch(r"GG-[0-9A-Z]{4}-[0-9A-Z]{4}", reference)
    assert created["status"] == "submitted" and created["status_label"] == "待审核"
    assert created["price"] == {"amount": checked["price"]["amount"], "currency": "CNY"}

    # The network dropped the answer: the retry with the same key returns the same notice.
    status, again = call(live_server, "POST", "/api/v1/notices", notice, key=key, headers={"Idempotency-Key": idem})
    assert status == 200 and again["reference"] == reference

    status, found = call(live_server, "GET", f"/api/v1/notices/{reference}", key=key)
    assert status == 200, found
    assert found["reference"] == reference and found["status"] == "submitted" and found["status_label"] == "待审核"
    assert found["text"] == checked["text"] and found["requested_date"] == day
