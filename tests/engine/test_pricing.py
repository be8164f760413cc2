"""Rate cards and quotes; layout settings as stored JSON."""

from __future__ import annotations

import json

import pytest

from typesetting import LayoutSettings, PriceRule, RateCard, quote_price, set_notice


@pytest.mark.parametrize("lines, chars, category, cents, text", [
    (5, 60, None, 25000, "共5行，每行¥50，合计¥250"),
    (2, 20, "capital-reduction", 15000, "共2行，不足3行按3行计，每行¥50，合计¥150"),
    (7, 90, "licence", 30000, "按件计价：每则¥300（共7行），合计¥300"),
    (4, 40, "seal", 30000, "按件计价：每则¥300（共4行），合计¥300"),
    (4, 40, "document", 15000, "按件计价：每则¥150（共4行），合计¥150"),
])
def test_default_rate_card(lines, chars, category, cents, text):
    quote = quote_price(lines, chars, category, RateCard())
    assert (quote.amount_cents, quote.lines, quote.explanation) == (cents, lines, text)


def test_block_plus_per_character():
    card = RateCard(default=PriceRule("block", base_cents=38000, base_chars=100,
                                      per_extra_char_cents=180))
    assert quote_price(6, 120, None, card).amount_cents == 38000 + 20 * 180
    assert quote_price(6, 120, None, card).explanation == \
        "共120字：100字以内¥380，超出20字×¥1.80，合计¥416"
    assert quote_price(3, 80, None, card).explanation == "共80字：100字以内¥380，合计¥380"


def test_per_line_of_n_characters_by_count():
    card = RateCard(default=PriceRule("per_line", per_line_cents=5000, chars_per_line=13,
                                      line_basis="characters", min_lines=0))
    quote = quote_price(5, 66, None, card)
    assert quote.amount_cents == 6 * 5000
    assert quote.explanation == "共66字，按每行13字计6行，每行¥50，合计¥300"


def test_quote_from_the_typeset_notice():
    notice = set_notice("遗失声明", "广州雅静服饰有限公司遗失营业执照正本，统一社会信用代码："
                                    "91440111589520091U，编号：S1112015003684，声明作废。",
                        LayoutSettings())
    quote = quote_price(notice.line_count, notice.char_count, "lost-document", RateCard())
    assert quote.lines == notice.line_count
    assert quote.amount_cents == 5000 * max(3, notice.line_count)


def test_rate_card_round_trips_through_json():
    card = RateCard(categories={"licence": PriceRule("flat", flat_cents=25000),
                                "big": PriceRule("block", base_cents=38000, base_chars=100,
                                                 per_extra_char_cents=180)})
    again = RateCard.from_dict(json.loads(json.dumps(card.to_dict())))
    assert again == card


@pytest.mark.parametrize("bad", [
    {"model": "per_word"}, {"model": "flat", "flat_cents": -1},
    {"model": "flat", "flat_cents": 1.5}, {"model": "per_line", "line_basis": "pages"},
])
def test_bad_rules_are_refused(bad):
    with pytest.raises(ValueError):
        PriceRule(**bad)


def test_unknown_rate_card_keys_are_refused():
    with pytest.raises(ValueError, match="未知项"):
        RateCard.from_dict({"default": {"model": "flat"}, "surcharge": 1})


def test_layout_defaults_make_a_13_character_column():
    settings = LayoutSettings()
    assert settings.chars_per_line == 13
    assert settings.body_font == "Noto Serif CJK SC" and settings.body_size_pt == 8
    assert settings.contact_lines == ("欢迎刊登 各类公告", "联系电话：87750217 87133731")
    assert settings.header_text == "分类广告" and settings.bleed_mm == 0
    assert not settings.crop_marks


def test_layout_settings_round_trip_through_json():
    settings = LayoutSettings(columns=5, gutter_mm=5, bleed_mm=3, crop_marks=True,
                              contact_lines=("欢迎刊登", "电话 1"), newspaper_name="新快报")
    again = LayoutSettings.from_dict(json.loads(json.dumps(settings.to_dict())))
    assert again == settings
    assert hash(again) == hash(settings)  # usable as a cache key


@pytest.mark.parametrize("bad, message", [
    ({"columns": 0}, "栏数"),
    ({"columns": 12, "area_width_mm": 200}, "栏宽"),
    ({"leading_pt": 6}, "行距"),
    ({"body_font": 'Noto"; } body { color: red'}, "字体名"),
    ({"bleed_mm": -1}, "非负"),
    ({"area_height_mm": 30}, "版面高度"),
])
def test_bad_layout_settings_are_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        LayoutSettings(**bad)


def test_unknown_layout_keys_are_refused():
    with pytest.raises(ValueError, match="未知项"):
        LayoutSettings.from_dict({"colums": 5})


@pytest.mark.parametrize("bad", [
    {"crop_marks": "yes"}, {"columns": "6"}, {"contact_lines": ["欢迎刊登", 5]},
    {"type_order": "lost-document"}, {"newspaper_name": None},
])
def test_stored_settings_with_wrong_types_are_refused(bad):
    with pytest.raises(ValueError, match="版面设置有误"):
        LayoutSettings.from_dict(bad)
