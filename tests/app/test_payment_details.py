"""Payment as it is done (issue 14): the 对公转账 account and deadline on the status page, the
transfer slip sent from there, the 发票 request with its 税号 checked; the desk sees both."""
from __future__ import annotations

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from notices.payment import check_tax_number
from tests.support.desk import desk_app, editor_client, secret, submit
from views.extensions import get_db

BEIJING = ZoneInfo("Asia/Shanghai")
ACCOUNT = {"payee_name": "测试日报社", "payee_bank": "中国工商银行广州某某支行",
           "payee_account": "3602 0001 0900 1234 567", "payment_hours_before": "2",
           "document_retention_days": "90"}


@pytest.fixture
def app(database_url, tmp_path):
    app = desk_app(database_url, DOCUMENTS_DIR=str(tmp_path / "documents"))
    yield app
    app.extensions["notice_db"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def set_account(app, **changes):
    admin = editor_client(app, "admin1", role="admin")
    html = admin.get("/desk/settings/paperwork").get_data(as_text=True)
    data = dict(ACCOUNT, **changes)
    for key, kind in re.findall(r'name="docs__([^"]+)" value="([^"]+)" checked', html):
        data.setdefault(f"docs__{key}", []).append(kind)
    return admin.post("/desk/settings/paperwork", data=data)


def status_page(app, client, reference):
    return client.get(f"/status/{reference}/{secret(app, reference)}").get_data(as_text=True)


def test_the_status_page_says_where_and_by_when_to_pay(app, client):
    assert set_account(app).status_code == 303
    reference = submit(app, index=4)               # for 2026-11-27: copy due 26 Nov 15:00
    page = status_page(app, client, reference)
    assert "对公转账" in page and "测试日报社" in page and "中国工商银行广州某某支行" in page
    assert "3602 0001 0900 1234 567" in page
    assert f"<code>{reference}</code>" in page                       # 附言: the reference
    # Two hours before the copy deadline of the issue it is for.
    assert "2026年11月26日 13:00 前到账" in page and "前 2 小时" in page and "已过期限" not in page
    assert "暂不支持在线支付" in page


def test_the_deadline_passed_is_said(app, client):
    set_account(app)
    reference = submit(app, index=4)
    app.config["NOW"] = datetime(2026, 11, 26, 12, 59, tzinfo=BEIJING)
    assert "已过期限" not in status_page(app, client, reference)
    app.config["NOW"] = datetime(2026, 11, 26, 13, 0, tzinfo=BEIJING)      # on the minute
    assert "已过期限" in status_page(app, client, reference)
    app.config["NOW"] = datetime(2026, 11, 26, 16, 0, tzinfo=BEIJING)
    assert "已过期限" in status_page(app, client, reference)


def test_without_an_account_the_page_says_to_call(app, client):
    reference = submit(app, index=4)
    page = status_page(app, client, reference)
    assert "付款方式请联系报社" in page and "对公转账" not in page and reference in page


@pytest.mark.parametrize("changes, message", [
    ({"payee_account": "12-34"}, "账号应为8到32位数字"),
    ({"payee_name": ""}, "要么都填，要么都不填"),
    ({"payment_hours_before": "100"}, "请填写0到72的整数"),
    ({"document_retention_days": "0"}, "请填写1到3650的整数"),
])
def test_the_account_settings_are_checked(app, changes, message):
    refused = set_account(app, **changes)
    assert refused.status_code == 422 and message in refused.get_data(as_text=True)


def test_a_transfer_slip_reaches_the_desk(app, client):
    set_account(app)
    reference = submit(app, index=4)
    out = io.BytesIO()
    Image.new("RGB", (400, 800), "white").save(out, "PNG")
    sent = client.post(f"/status/{reference}/{secret(app, reference)}/documents",
                       data={"kind": "transfer-slip", "file": (io.BytesIO(out.getvalue()), "回单.png", "image/png")},
                       content_type="multipart/form-data")
    assert sent.status_code == 303, sent.get_data(as_text=True)
    assert "已收到转账凭证 1 份" in status_page(app, client, reference)
    desk = editor_client(app).get(f"/desk/notices/{reference}").get_data(as_text=True)
    assert "转账凭证：" in desk and re.search(rf'href="/desk/notices/{reference}/documents/\d+"', desk)
    assert f"附言应为 <code>{reference}</code>" in desk


def test_an_invoice_request_with_its_tax_number(app, client):
    reference = submit(app, index=4)
    url = f"/status/{reference}/{secret(app, reference)}/invoice"
    wrong = client.post(url, data={"title": "广州市示例贸易有限公司", "tax_number": "91440101340230099F"})
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and "第18位校验码应为 E" in page
    assert 'value="广州市示例贸易有限公司"' in page                           # what was typed stays
    assert client.post(url, data={"title": "", "tax_number": ""}).status_code == 422
    ok = client.post(url, data={"title": "广州市示例贸易有限公司", "tax_number": "9144 0101 3402 3009 9e",
                                "email": "caiwu@example.com"})
    assert ok.status_code == 303
    page = status_page(app, client, reference)
    assert "已申请发票" in page and "91440101340230099E" in page
    desk = editor_client(app).get(f"/desk/notices/{reference}").get_data(as_text=True)
    assert "发票抬头" in desk and "广州市示例贸易有限公司" in desk and "91440101340230099E" in desk
    assert "caiwu@example.com" in desk
    # Changed in place: one request per notice.
    assert client.post(url, data={"title": "陈小明", "tax_number": ""}).status_code == 303
    with app.app_context(), get_db().session() as s:
        from sqlalchemy import func, select

        from store.models import InvoiceRequest
        assert s.scalar(select(func.count()).select_from(InvoiceRequest)) == 1


@pytest.mark.parametrize("value, valid", [
    ("91440101340230099E", True),                    # 统一社会信用代码
    ("91440101340230099F", False),                   # its check character wrong
    ("11010519491231002X", True),                    # an individual's ID number
    ("11010519491231002X01", True),                  # 20: ID number and two digits (个体工商户)
    ("11010519491231002Y01", False),
    ("440106123456789", True),                       # 15: the old tax registration number
    ("AB0106123456789", False),
    ("1234567", False),
    ("", True),                                       # an individual's invoice needs none
])
def test_tax_numbers(value, valid):
    assert check_tax_number(value).valid is valid
