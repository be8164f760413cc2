"""typeset_file and the `flask typeset` command."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pypdf
import pytest
from flask import Flask

from tests.support.pdfread import text_layer
from typesetting import LayoutSettings, RateCard
from typesetting.cli import typeset_command, typeset_file

DATA = Path(__file__).parents[1] / "data"
SEED = json.loads((DATA / "typeset-seed-notices.json").read_text(encoding="utf-8"))

TITLES = {"lost-document": "遗失声明", "revocation": "撤销公告", "liquidation": "清算公告",
          "capital-reduction": "减资公告", "merger": "合并公告", "division": "分立公告",
          "correction": "更正声明"}


def compose(type_code: str, data: dict) -> tuple[str, str]:
    """The tests' stand-in for the notice catalogue."""
    if "text" in data:
        return TITLES[type_code], data["text"]
    return TITLES[type_code], f"{data['company']}遗失{data['document']}，声明作废。"


def items() -> list[dict]:
    out = [{"type": n["type"], "text": n["text"]} for n in SEED]
    out.append({"type": "lost-document", "key": "fields-1",
                "fields": {"company": "广州测试有限公司", "document": "公章一枚"}})
    out.append({"type": "correction", "text": "本报2021年1月5日刊登的遗失声明中“番禺”应为“花都”，特此更正。"})
    return out


def test_typeset_file_reports_every_notice():
    pdf, report = typeset_file(items(), LayoutSettings(), RateCard(), compose,
                               issue_date=dt.date(2021, 1, 8))
    assert pdf.startswith(b"%PDF")
    assert report["issue_date"] == "2021-01-08" and report["pages"] == 1
    assert len(report["notices"]) == len(items()) and report["overflow"] == []
    # Grouped by the publisher's type order; the catalogue order inside a type is kept.
    types = [n["type"] for n in report["notices"]]
    order = LayoutSettings().type_order
    assert types == sorted(types, key=order.index)
    fields = next(n for n in report["notices"] if n["key"] == "fields-1")
    assert fields["title"] == "遗失声明" and fields["index"] == 14
    for notice in report["notices"]:
        assert {"page", "column", "y_mm", "lines", "price_cents", "price"} <= set(notice)
        assert notice["price_cents"] == 5000 * max(3, notice["lines"])
    assert report["total_cents"] == sum(n["price_cents"] for n in report["notices"])
    assert len(report["fill"]) == 1 and len(report["fill"][0]) == 6
    text = "".join("".join(c for c, _, _ in text_layer(pdf)[0]).split())
    assert "广州测试有限公司遗失公章一枚，声明作废。" in text


@pytest.mark.parametrize("bad", [
    {"text": "没有类型"}, {"type": "correction"}, {"type": "correction", "text": "a", "fields": {}},
    {"type": "correction", "text": 5}, "not an object",
])
def test_typeset_file_refuses_bad_items(bad):
    with pytest.raises(ValueError):
        typeset_file([bad], LayoutSettings(), RateCard(), compose)


def test_flask_typeset_command(tmp_path):
    app = Flask(__name__)
    app.extensions["typesetting.provider"] = lambda: (LayoutSettings(newspaper_name="测试晚报"), RateCard(), compose)
    source = tmp_path / "notices.json"
    source.write_text(json.dumps({"issue_date": "2021-01-08", "items": items()},
                                 ensure_ascii=False), encoding="utf-8")
    output, report = tmp_path / "column.pdf", tmp_path / "report.json"
    result = app.test_cli_runner().invoke(
        typeset_command, [str(source), "-o", str(output), "-r", str(report)])
    assert result.exit_code == 0, result.output
    assert "1 页" in result.output and "合计" in result.output
    reader = pypdf.PdfReader(output)
    assert reader.metadata.title == "测试晚报 分类广告 2021年1月8日"
    summary = json.loads(report.read_text(encoding="utf-8"))
    assert len(summary["notices"]) == len(items())


def test_flask_typeset_command_without_compose(tmp_path):
    app = Flask(__name__)
    source = tmp_path / "notices.json"
    source.write_text("[]", encoding="utf-8")
    result = app.test_cli_runner().invoke(typeset_command, [str(source)])
    assert result.exit_code != 0
    assert "typesetting.provider" in result.output
