"""Where the paper has set its 对公转账 account (/desk/settings/paperwork), the receipt and the
top of the status page send the advertiser to it (review of issue 14). Before, both still said
付款方式请联系报社 with the phone numbers, while the status page's own 付款 section gave the
account, the memo and the deadline: two answers to one question."""
from __future__ import annotations

import re

import pytest

from tests.support.desk import desk_app, editor_client, secret, submit

ACCOUNT = {"payee_name": "测试日报社", "payee_bank": "中国工商银行广州某某支行",
           "payee_account": "3602 0001 0900 1234 567", "payment_hours_before": "2", "document_retention_days": "90"}


@pytest.fixture
def app(database_url, tmp_path):
    app = desk_app(database_url, DOCUMENTS_DIR=str(tmp_path / "documents"))
    yield app
    app.extensions["notice_db"].dispose()


def set_account(app):
    admin = editor_client(app, "admin1", role="admin")
    html = admin.get("/desk/settings/paperwork").get_data(as_text=True)
    data: dict = dict(ACCOUNT)
    for key, kind in re.findall(r'name="docs__([^"]+)" value="([^"]+)" checked', html):
        data.setdefault(f"docs__{key}", []).append(kind)
    assert admin.post("/desk/settings/paperwork", data=data).status_code == 303


def pages(app, client, reference) -> tuple[str, str]:
    path = f"{reference}/{secret(app, reference)}"
    return (client.get(f"/receipt/{path}").get_data(as_text=True),
            client.get(f"/status/{path}").get_data(as_text=True))


def test_with_an_account_the_receipt_and_the_status_page_point_to_it(app, client):
    set_account(app)
    reference = submit(app, index=4)
    receipt, status = pages(app, client, reference)
    assert "付款方式请联系报社" not in receipt and "对公转账" in receipt
    assert f'/status/{reference}/{secret(app, reference)}#paperwork' in receipt
    assert "请联系报社，电话" not in status and 'href="#paperwork"' in status


def test_without_an_account_they_still_give_the_phone(app, client):
    reference = submit(app, index=4)
    receipt, status = pages(app, client, reference)
    assert "付款方式请联系报社" in receipt and "请联系报社，电话" in status
