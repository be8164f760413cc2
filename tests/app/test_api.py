"""JSON API v1: catalogue, identifier checks, notice checks, idempotent submission, status."""
from __future__ import annotations

import json
import re
import threading

import pytest

from notices.catalogue import CATALOGUE
from store.accounts import create_api_key
from tests.conftest import load_samples
from tests.support.apps import auth

SAMPLES = load_samples()
CONTACT = {"name": "王先生", "phone": "13800138000"}


def test_notice_types_lists_every_type_with_fields(client):
    data = client.get("/api/v1/notice-types").get_json()
    codes = [t["code"] for t in data["notice_types"]]
    # Every type the catalogue declares, in its order: a type added there is listed with nothing else changed.
    assert codes == list(CATALOGUE)
    assert codes[:7] == ["lost-document", "revocation", "liquidation", "capital-reduction", "merger", "division",
                         "correction"]
    reduction = next(t for t in data["notice_types"] if t["code"] == "capital-reduction")
    assert {"name": "uscc", "label": "统一社会信用代码", "kind": "uscc"}.items() <= reduction["fields"][1].items()


@pytest.mark.parametrize("kind,value,valid", [
    ("uscc", "91440101MA5ACCGH4P", False), ("uscc", "92440101MA5ACCGH4P", True),
    ("regno", "440126601321994", True), ("regno", "440126601321995", False),
    ("seal-code", "4417810013412", True), ("licence-serial", "S2612019050774G", True),
])
def test_identifier_check_needs_no_key(client, kind, value, valid):
    response = client.post("/api/v1/identifiers/check", json={"kind": kind, "value": value})
    assert response.status_code == 200
    body = response.get_json()
    assert body["valid"] is valid and body["message"]


def test_identifier_check_errors_are_json_in_chinese(client):
    response = client.post("/api/v1/identifiers/check", json={"kind": "passport", "value": "x"})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "unknown_kind"
    response = client.post("/api/v1/identifiers/check", data="not json", content_type="text/plain")
    assert response.get_json()["error"]["code"] == "invalid_json"


def test_check_and_submit_need_a_key(client):
    assert client.post("/api/v1/notices/check", json={}).status_code == 401
    body = client.post("/api/v1/notices", json={}, headers={"Idempotency-Key": "abcdefgh1"}).get_json()
    assert body["error"]["code"] == "unauthorized" and "密钥" in body["error"]["message"]


def test_check_returns_composed_text_lines_and_price(client, api_key):
    sample = SAMPLES["capital-reduction"]
    body = client.post("/api/v1/notices/check", json={**sample, "publication_date": "2026-11-28"},
                       headers=auth(api_key)).get_json()
    assert body["ok"] and body["errors"] == []
    assert body["text"].startswith("广州市示例建材有限公司（统一社会信用代码：91440101D1TJ3Y7L4G）")
    assert body["lines"] >= 5 and body["price"]["amount"] > 0
    assert any(w["label"].startswith("债权人") for w in body["windows"])


def test_submission_is_idempotent_and_status_is_private_to_the_key(app, client, api_key):
    payload = {**SAMPLES["lost-document:licence"], "publication_date": "2026-11-28", "contact": CONTACT}
    first = client.post("/api/v1/notices", json=payload, headers={**auth(api_key), "Idempotency-Key": "order-0001"})
    assert first.status_code == 201
    ref = first.get_json()["reference"]
    again = client.post("/api/v1/notices", json=payload, headers={**auth(api_key), "Idempotency-Key": "order-0001"})
    assert again.status_code == 200 and again.get_json()["reference"] == ref
    changed = dict(payload, fields=dict(payload["fields"], licence_copy="副本"))
    conflict = client.post("/api/v1/notices", json=changed, headers={**auth(api_key), "Idempotency-Key": "order-0001"})
    assert conflict.status_code == 409 and conflict.get_json()["error"]["code"] == "idempotency_key_reused"
    status = client.get(f"/api/v1/notices/{ref}", headers=auth(api_key)).get_json()
    assert status["status"] == "submitted" and status["status_label"] == "待审核"
    with app.app_context():
        other = create_api_key(app.extensions["notice_db"], "另一家代理")
    assert client.get(f"/api/v1/notices/{ref}", headers=auth(other)).status_code == 404


def test_accepted_with_warnings_says_so(client, api_key):
    """A seal code of an unusual length is not an error (a bureau may issue one), but the agency
    hears of it, once, as the web form shows it; an unknown field is not silently dropped."""
    sample = SAMPLES["lost-document:seal"]
    fields = dict(sample["fields"], seal_code="123", bogus="x")
    payload = {**sample, "fields": fields, "publication_date": "2026-11-28", "contact": CONTACT}
    check = client.post("/api/v1/notices/check", json=payload, headers=auth(api_key)).get_json()
    seal = [w["message"] for w in check["warnings"] if w["field"] == "seal_code"]
    assert seal and seal[0].startswith("印章编码通常为13位") and seal[0].count("印章编码") == 1
    r = client.post("/api/v1/notices", json=payload, headers={**auth(api_key), "Idempotency-Key": "warn-0001"})
    assert r.status_code == 201
    warnings = {w["field"]: w["message"] for w in r.get_json()["warnings"]}
    assert warnings["seal_code"] == seal[0] and "bogus" in warnings["bogus"]
    clean = client.post("/api/v1/notices", json={**sample, "publication_date": "2026-11-28", "contact": CONTACT},
                        headers={**auth(api_key), "Idempotency-Key": "warn-0002"})
    assert clean.status_code == 201 and clean.get_json()["warnings"] == []


def test_concurrent_retries_store_one_notice(app, api_key):
    payload = {**SAMPLES["correction"], "publication_date": "2026-11-28", "contact": CONTACT}
    codes, refs = [], set()

    def post():
        with app.test_client() as c:
            r = c.post("/api/v1/notices", json=payload, headers={**auth(api_key), "Idempotency-Key": "retry-storm-1"})
            codes.append(r.status_code)
            refs.add(r.get_json().get("reference"))
    threads = [threading.Thread(target=post) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes).count(201) == 1 and set(codes) <= {200, 201}
    assert len(refs) == 1
    from sqlalchemy import func, select

    from store.models import Notice
    with app.extensions["notice_db"].session() as s:
        assert s.scalar(select(func.count()).select_from(Notice)) == 1


def test_invalid_notice_is_422_with_errors_per_field(client, api_key):
    fields = dict(SAMPLES["capital-reduction"]["fields"], uscc="91440101D1TJ3Y7L4F", capital_after="2000万元")
    response = client.post("/api/v1/notices", json={"type": "capital-reduction", "fields": fields,
                                                     "publication_date": "2026-11-28", "contact": {}},
                           headers={**auth(api_key), "Idempotency-Key": "bad-order-1"})
    assert response.status_code == 422
    errors = response.get_json()["error"]["errors"]
    assert set(errors) >= {"uscc", "capital_after", "contact.name", "contact.phone"}
    assert "第18位" in errors["uscc"][0]


def test_missing_idempotency_key_is_refused(client, api_key):
    response = client.post("/api/v1/notices", json={}, headers=auth(api_key))
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "idempotency_key_required"
    short = client.post("/api/v1/notices", json={}, headers={**auth(api_key), "Idempotency-Key": "rev-001"})
    assert short.status_code == 400 and short.get_json()["error"]["code"] == "idempotency_key_invalid"
    # Chinese stays readable in the raw body (UTF-8, not \uXXXX escapes).
    assert "须为8–100个字母" in short.get_data(as_text=True)


def test_extra_fields_cannot_set_status_or_price(app, client, api_key):
    payload = {**SAMPLES["correction"], "publication_date": "2026-11-28", "contact": CONTACT,
               "status": "published", "price": 0}
    payload["fields"] = dict(payload["fields"], status="published", price_cents="0")
    body = client.post("/api/v1/notices", json=payload,
                       headers={**auth(api_key), "Idempotency-Key": "extra-0001"}).get_json()
    assert body["status"] == "submitted" and body["price"]["amount"] > 0


def test_oversize_body_is_refused_before_parsing(client, api_key):
    response = client.post("/api/v1/notices/check", data="x" * (300 * 1024), content_type="application/json",
                           headers=auth(api_key))
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_issue_dates_and_the_default_publication_date(client, api_key):
    dates = client.get("/api/v1/issue-dates").get_json()["issue_dates"]
    # NOW is 2026-11-26 09:00 Beijing: that day's copy deadline (15:00 the day before) has passed.
    assert dates[0] == {"date": "2026-11-27", "copy_deadline": "2026-11-26T15:00:00+08:00"}
    sample = SAMPLES["correction"]
    body = client.post("/api/v1/notices/check", json=sample, headers=auth(api_key)).get_json()
    assert body["ok"] and body["publication_date"] == "2026-11-27"


# ---------------------------------------------------------------------------------------------
# Idempotency-Key: the WHOLE request is compared on a replay (issue 11)

def _count(app) -> int:
    from sqlalchemy import func, select

    from store.models import Notice
    with app.extensions["notice_db"].session() as s:
        return s.scalar(select(func.count()).select_from(Notice))


def _post(client, key, payload, idem):
    return client.post("/api/v1/notices", json=payload, headers=auth(key, idem))


def test_a_replay_must_be_the_same_request_whole(app, client, api_key):
    """Same request again: 200 with the same notice. Anything different (type, a field, the text,
    the date, the contact's name, phone or e-mail): 409 naming what differs, nothing stored, and
    the first notice unchanged. Before, only the text was compared: a retry with another contact
    or date got a 200 and its changes were silently lost."""
    payload = {**SAMPLES["lost-document:licence"], "publication_date": "2026-11-28",
               "contact": {**CONTACT, "email": "wang@example.com"}}
    first = _post(client, api_key, payload, "whole-0001")
    assert first.status_code == 201
    ref = first.get_json()["reference"]
    again = _post(client, api_key, payload, "whole-0001")
    assert again.status_code == 200 and again.get_json()["reference"] == ref
    composed = first.get_json()["text"]
    changed = {
        "联系人姓名": dict(payload, contact={**payload["contact"], "name": "李先生"}),
        "联系电话": dict(payload, contact={**payload["contact"], "phone": "13900139000"}),
        "电子邮箱": dict(payload, contact={**payload["contact"], "email": "li@example.com"}),
        "刊登日期（原为 2026-11-28，现为 2026-11-29）": dict(payload, publication_date="2026-11-29"),
        "字段“遗失的执照”（licence_copy）": dict(payload, fields={**payload["fields"], "licence_copy": "副本"}),
        "正文": dict(payload, text=composed.replace("声明作废", "特此声明作废")),
        "公告类型（原为 lost-document，现为 correction）": {**SAMPLES["correction"], "publication_date": "2026-11-28",
                                                      "contact": payload["contact"]},
    }
    for named, body in changed.items():
        response = _post(client, api_key, body, "whole-0001")
        error = response.get_json()["error"]
        assert response.status_code == 409, (named, response.get_json())
        assert error["code"] == "idempotency_key_reused" and error["reference"] == ref
        assert any(named in d for d in error["differences"]), (named, error["differences"])
        assert named in error["message"] and ref in error["message"]
    assert _count(app) == 1
    status = client.get(f"/api/v1/notices/{ref}", headers=auth(api_key)).get_json()
    assert status["text"] == composed and status["requested_date"] == "2026-11-28"
    assert _post(client, api_key, payload, "whole-0001").status_code == 200


def test_a_replay_normalised_the_same_way_is_the_same_request(client, api_key):
    """Compared as checked (normalised), not byte for byte: ＧＧ full-width letters or a phone with
    blanks around it are the same notice."""
    payload = {**SAMPLES["lost-document:licence"], "publication_date": "2026-11-28", "contact": CONTACT}
    assert _post(client, api_key, payload, "norm-0001").status_code == 201
    typed = dict(payload, fields={**payload["fields"], "uscc": "９１４４０１０６ＭＡ５ＣＬ１２Ｔ４Ｇ"},
                 contact={"name": " 王先生 ", "phone": " 13800138000"})
    assert _post(client, api_key, typed, "norm-0001").status_code == 200


def test_a_replay_without_a_date_keeps_the_date_it_was_given(app, client, api_key):
    """No publication_date: the earliest open issue (2026-11-27 at 09:00). A retry after that
    issue's copy deadline (15:00) would get 2026-11-28: it is the same request all the same."""
    from tests.conftest import NOW
    payload = {**SAMPLES["correction"], "contact": CONTACT}
    first = _post(client, api_key, payload, "nodate-0001")
    assert first.status_code == 201 and first.get_json()["requested_date"] == "2026-11-27"
    app.config["NOW"] = NOW.replace(hour=16)
    again = _post(client, api_key, payload, "nodate-0001")
    assert again.status_code == 200 and again.get_json()["reference"] == first.get_json()["reference"]
    other = _post(client, api_key, dict(payload, publication_date="2026-11-29"), "nodate-0001")
    assert other.status_code == 409 and "刊登日期" in other.get_json()["error"]["message"]


@pytest.mark.parametrize("hour,minute", [(14, 59), (15, 0), (16, 0)])
def test_a_retry_after_the_copy_deadline_still_gets_its_notice(app, client, api_key, hour, minute):
    """Accepted at 09:00 for 2026-11-27, whose copy is due 2026-11-26 15:00. The retry (the
    answer was lost) comes just before, at, or after the deadline: it gets the notice (200), not
    a 422 "截稿时间已过" that would leave the agency without its reference. A new key then is
    refused as before."""
    from tests.conftest import NOW
    payload = {**SAMPLES["correction"], "publication_date": "2026-11-27", "contact": CONTACT}
    first = _post(client, api_key, payload, "late-0001")
    assert first.status_code == 201
    app.config["NOW"] = NOW.replace(hour=hour, minute=minute)
    retry = _post(client, api_key, payload, "late-0001")
    assert retry.status_code == 200 and retry.get_json()["reference"] == first.get_json()["reference"]
    changed = _post(client, api_key, dict(payload, contact={**CONTACT, "phone": "13900139000"}), "late-0001")
    assert changed.status_code == 409
    fresh = _post(client, api_key, payload, "late-0002")
    if (hour, minute) < (15, 0):
        assert fresh.status_code == 201
    else:
        assert fresh.status_code == 422 and "截稿时间" in str(fresh.get_json()["error"]["errors"])
    assert _count(app) == (2 if (hour, minute) < (15, 0) else 1)


# ---------------------------------------------------------------------------------------------
# Malformed bodies: a clear 4xx in Chinese, never a 500 (issue 11)

def _surrogate_bodies():
    """JSON texts with a lone surrogate in each place a client can put one."""
    base = {**SAMPLES["correction"], "publication_date": "2026-11-28", "contact": CONTACT}
    text = json.dumps(base, ensure_ascii=False)
    return {
        "contact.name": text.replace("王先生", "王\\ud800先生"),
        "fields.subject": text.replace("广州市示例贸易有限公司", "广州市示例\\udfff贸易有限公司", 1),
        "fields.\\ud800x（字段名）": text.replace('"fields": {', '"fields": {"\\ud800x": "1", '),
        "text": text[:-1] + ', "text": "正文\\ud83d"}',
        "publication_date": text.replace('"2026-11-28"', '"2026-11-28\\udc00"'),
        "type": text.replace('"correction"', '"correction\\ud800"'),
    }


def test_lone_surrogates_are_refused_up_front_and_nothing_is_stored(app, client, api_key):
    """A lone surrogate ("\\ud800": JSON allows it, UTF-8 cannot carry it) was stored, and every
    answer naming it then failed to encode: a 500 on every retry, the reference never known."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    for where, body in _surrogate_bodies().items():
        for attempt in range(2):                      # the retry gets the same clear answer
            for url, headers in (("/api/v1/notices", auth(api_key, f"surrogate-{attempt}-{len(where)}")),
                                 ("/api/v1/notices/check", auth(api_key))):
                r = client.post(url, data=body.encode(), content_type="application/json", headers=headers)
                error = r.get_json()["error"]
                assert r.status_code == 400 and error["code"] == "invalid_unicode", (where, url, r.get_json())
                assert error["field"] == where and "不完整的字符" in error["message"]
    r = client.post("/api/v1/identifiers/check", data=b'{"kind": "uscc", "value": "9144\\ud800"}',
                    content_type="application/json")
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "value"
    assert _count(app) == 0
    # A valid pair is one character (😀), not refused as a surrogate: the check names the emoji.
    pair = json.dumps({**SAMPLES["correction"], "contact": CONTACT}).replace("\\u5e7f", "\\ud83d\\ude00", 1)
    r = client.post("/api/v1/notices/check", data=pair.encode(), content_type="application/json",
                    headers=auth(api_key))
    assert r.status_code == 200


BAD_JSON = {
    "not an object": [1, 2],
    "fields as a list": {"type": "correction", "fields": ["a"]},
    "fields as text": {"type": "correction", "fields": "subject=x"},
    "a field as an object": {"type": "correction", "fields": {"subject": {"a": 1}}},
    "type as a list": {"type": ["correction"], "fields": {}},
    "text as a number": {"type": "correction", "fields": {}, "text": 12},
    "date as a number": {"type": "correction", "fields": {}, "publication_date": 20261128},
    "date 0001-01-01": {**SAMPLES["correction"], "publication_date": "0001-01-01"},
    "date 9999-12-31": {**SAMPLES["correction"], "publication_date": "9999-12-31"},
    "date 2026-02-30": {**SAMPLES["correction"], "publication_date": "2026-02-30"},
    "field date 9999-12-31": {"type": "correction", "fields": {**SAMPLES["correction"]["fields"],
                                                             "original_date": "9999-12-31"}},
    "contact as text": {**SAMPLES["correction"], "contact": "王先生 13800138000"},
    "contact name as an object": {**SAMPLES["correction"], "contact": {"name": {"a": 1}, "phone": "13800138000"}},
    "contact phone as a list": {**SAMPLES["correction"], "contact": {"name": "王先生", "phone": [138, 0]}},
    "contact name with NUL": {**SAMPLES["correction"], "contact": {"name": "王\x00先生", "phone": "13800138000"}},
}
RAW_JSON = {
    "huge integer": b'{"type": "correction", "fields": {"subject": ' + b"9" * 5000 + b"}}",
    "1e999": b'{"type": "correction", "fields": {"subject": 1e999}}',
    "NaN": b'{"type": "correction", "fields": {"subject": NaN}}',
    "not UTF-8": '{"type": "correction", "fields": {"subject": "广州"}}'.encode("gb18030"),
    "deep nesting": b'{"type": "correction", "fields": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
    "truncated": b'{"type": "correction", "fields": {',
}


def test_malformed_json_gets_a_chinese_4xx_and_nothing_is_stored(app, client, api_key):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    bodies = {name: json.dumps(body, ensure_ascii=False).encode() for name, body in BAD_JSON.items()}
    bodies.update(RAW_JSON)
    for name, body in bodies.items():
        for url in ("/api/v1/notices", "/api/v1/notices/check"):
            r = client.post(url, data=body, content_type="application/json",
                            headers=auth(api_key, "bad-json-" + str(abs(hash(name)))))
            assert r.status_code < 500, (name, url, r.status_code)
            payload = r.get_json()
            if r.status_code == 200:          # the check endpoint: 200 with its findings (it ignores contact)
                assert url.endswith("/check") and (not payload["ok"] or name.startswith("contact")), (name, payload)
                continue
            assert 400 <= r.status_code < 500 and re.search(r"[\u4e00-\u9fff]", payload["error"]["message"]), name
    assert _count(app) == 0
    # A contact that is not text is pointed out, not taken as its Python repr ("{'a': 1}").
    r = client.post("/api/v1/notices", json={**BAD_JSON["contact name as an object"], "publication_date": "2026-11-28"},
                    headers=auth(api_key, "contact-obj-1"))
    assert r.status_code == 422 and "须为文本" in r.get_json()["error"]["errors"]["contact.name"][0]


def test_an_api_key_with_nul_or_odd_characters_is_401(app, client):
    """A NUL in the key reached PostgreSQL in the prefix look-up: a 500."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    for key in ("ggk_ab\x00cd_x", "ggk_\x00" + "a" * 50, "ggk_abcdef01_" + "\x00" * 43, "ggk_%00", "x\x00"):
        for headers in ({"Authorization": f"Bearer {key}"}, {"X-API-Key": key}):
            r = client.post("/api/v1/notices/check", json=SAMPLES["correction"], headers=headers)
            assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized", (key, r.status_code)
