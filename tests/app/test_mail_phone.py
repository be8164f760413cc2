"""The paper's telephone numbers in a progress mail dial from anywhere (review of issue 14): the
pages write the paper's local numbers with its area code (notices/phones.py), because a mobile
phone or a caller in another city needs it; a mail is read on a phone more than anywhere, so it
says them the same way."""
from __future__ import annotations

import pytest

from tests.support.desk import submit
from tests.support.smtp import smtp_server


@pytest.fixture
def smtp():
    with smtp_server() as (inbox, port):
        inbox.port = port
        yield inbox


@pytest.fixture
def app(desk_test_app, smtp):
    desk_test_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp.port),
                                MAIL_DEFAULT_SENDER="测试日报 <notice@gonggao.example.test>",
                                PUBLIC_BASE_URL="https://gonggao.example.test")
    return desk_test_app


def test_the_mails_footer_gives_the_papers_numbers_with_their_area_code(app, client, smtp):
    submit(app, email="chen@example.com")
    result = app.test_cli_runner().invoke(args=["send-mail", "--once"])
    assert result.exit_code == 0, result.output
    mail = smtp.wait_for(1)[0]
    assert "电话：020-87750217 020-87133731" in mail.body      # the default settings: 87750217 87133731, 020
