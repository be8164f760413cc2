"""The administrator's payment and documents settings (/desk/settings/paperwork, forms/paperwork.py):
what the page shows, what a post stores, and what it refuses, in Chinese and never with a 500."""
from __future__ import annotations

import re

import pytest

from notices.documents import default_documents
from store.settings import load_publisher
from tests.support.desk import editor_client
from views.extensions import get_db

URL = "/desk/settings/paperwork"
ACCOUNT = {"payee_name": "测试日报社", "payee_bank": "中国工商银行广州某某支行",
           "payee_account": " 3602 0001 0900 1234 567 ", "payment_hours_before": "2",
           "document_retention_days": "90", "late_withdrawal": "refund", "late_refund_percent": "60"}


@pytest.fixture
def app(desk_test_app):
    return desk_test_app


@pytest.fixture
def admin(app):
    return editor_client(app, "admin1", role="admin")


def publisher(app):
    with app.app_context(), get_db().session() as s:
        return load_publisher(s)


def post(admin, **changes):
    """The page's form as it is shown, with `changes` typed over it."""
    html = admin.get(URL).get_data(as_text=True)
    data: dict = dict(ACCOUNT, **changes)
    for key, kind in re.findall(r'name="docs__([^"]+)" value="([^"]+)" checked', html):
        data.setdefault(f"docs__{key}", []).append(kind)
    return admin.post(URL, data={k: v for k, v in data.items() if v is not None})


def test_what_is_saved_is_shown_again(app, admin):
    assert post(admin).status_code == 303
    saved = publisher(app)
    assert saved.payee_account == "3602000109001234567"          # stored without the spaces
    assert (saved.payment_hours_before, saved.document_retention_days) == (2, 90)
    assert (saved.late_withdrawal, saved.late_refund_percent) == ("refund", 60)
    assert saved.documents == {}                                  # the defaults: nothing stored
    html = admin.get(URL).get_data(as_text=True)
    assert 'value="测试日报社"' in html and 'value="3602000109001234567"' in html
    assert re.search(r'<input[^>]*checked[^>]*value="refund"|<input[^>]*value="refund"[^>]*checked', html)
    assert post(admin).status_code == 303
    assert "没有改动。" in admin.get(URL).get_data(as_text=True)


def test_a_page_from_before_the_cancellation_rule_keeps_it(app, admin):
    assert post(admin).status_code == 303
    assert post(admin, late_withdrawal=None, late_refund_percent=None, payment_hours_before="3").status_code == 303
    saved = publisher(app)
    assert (saved.late_withdrawal, saved.late_refund_percent, saved.payment_hours_before) == ("refund", 60, 3)


@pytest.mark.parametrize("name", ["payment_hours_before", "document_retention_days", "late_refund_percent"])
@pytest.mark.parametrize("value", ["²", "3²", "-1", "1.5", "两", "9" * 5000],
                         ids=["²", "3²", "-1", "1.5", "两", "5000位"])
def test_a_number_that_is_not_a_whole_number_is_refused(app, admin, name, value):
    refused = post(admin, **{name: value})
    assert refused.status_code == 422
    assert "请填写" in refused.get_data(as_text=True) and "的整数" in refused.get_data(as_text=True)


def test_full_width_digits_are_numbers(app, admin):
    assert post(admin, payment_hours_before="１２").status_code == 303
    assert publisher(app).payment_hours_before == 12


def test_one_problem_of_the_account_at_a_time_and_what_was_typed_stays(app, admin):
    refused = post(admin, payee_account="12-34", payee_name="某" * 101)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "不超过100字。" in html and "账号应为8到32位数字" in html and "要么都填" not in html
    assert 'value="12-34"' in html and "设置未保存" in html
    alone = post(admin, payee_account="")
    assert alone.status_code == 422 and "要么都填，要么都不填" in alone.get_data(as_text=True)
    assert post(admin, payee_name="", payee_account="", payee_bank="").status_code == 303
    assert publisher(app).payee_name == ""


def test_a_rule_that_does_not_exist_is_refused(app, admin):
    refused = post(admin, late_withdrawal="maybe")
    assert refused.status_code == 422 and "请选择截稿后能否撤回" in refused.get_data(as_text=True)


def test_a_document_kind_that_does_not_exist_is_left_out(app, admin):
    key = "capital-reduction"
    r = admin.post(URL, data={**ACCOUNT, f"docs__{key}": ["licence", "../../etc/passwd"]})
    assert r.status_code == 303
    documents = publisher(app).documents
    assert documents[key] == ["licence"]
    # Every other notice posted with none ticked asks for none.
    assert all(kinds == [] for k, kinds in documents.items() if k != key and default_documents(k))
