"""Money amounts: parsing what advertisers write, finding amounts in notices, printing them."""

from decimal import Decimal

import cn2an
import pytest

from notices.money import find_amounts, format_amount, format_yuan, parse_amount

# The two 减资公告 texts of the seed page.
SEED_REDUCTION_DIGITS = (
    "广东甘全建材有限公司（统一社会信用代码 91440101340230099E）股东会决议，注册资本由原来"
    "1000万元人民币减少至100万元人民币。请债权人自本公告见报之日起45日内向本公司申报债权，"
    "逾期不申报，视为放弃权利，本公司将向公司登记机关申请变更登记。"
)
SEED_REDUCTION_UPPERCASE = (
    "广州往洋国际货运代理有限公司（统一社会信用代码：914401013045899779）股东会决定，"
    "注册资本由原来伍佰万元人民币减少至壹拾万元人民币。…"
)


@pytest.mark.parametrize("text, value", [
    ("1000万元", "10000000"),
    ("100万元人民币", "1000000"),
    ("人民币伍佰万元整", "5000000"),
    ("壹拾万元", "100000"),
    ("伍佰萬", "5000000"),
    ("5,000,000元", "5000000"),
    ("1.5亿元", "150000000"),
    ("500万", "5000000"),
    ("三百万元", "3000000"),
    ("１０００万元", "10000000"),  # full-width digits
    ("5，000，000元", "5000000"),  # full-width commas
    ("￥1,000.50", "1000.5"),
    ("RMB 100万", "1000000"),
    ("1千万元", "10000000"),
    ("1千5百万元", "15000000"),  # mixed: cn2an smart mode
    ("壹仟万元", "10000000"),
    ("贰佰伍拾万元整", "2500000"),
    ("壹佰万零伍仟元", "1005000"),
    ("两百万元", "2000000"),
    ("1234.5元", "1234.5"),
    ("0元", "0"),
])
def test_parse_amount(text, value):
    assert parse_amount(text) == Decimal(value)


@pytest.mark.parametrize("digits, chinese", [
    ("1000万元", "壹仟万元"),
    ("1000万元", "一千万元"),
    ("500万元人民币", "伍佰万元人民币"),
    ("500万元", "伍佰萬元"),
    ("10万元", "壹拾万元"),
    ("10万元", "拾万元"),
    ("300万元", "叁佰万元整"),
    ("1.5亿元", "壹亿伍仟万元"),
    ("1005000元", "壹佰万零伍仟元"),
    ("8500元", "捌仟伍佰元"),
])
def test_digits_and_financial_uppercase_parse_to_the_same_value(digits, chinese):
    # docs/law.md §2: both forms must parse to the same number as the form's fields.
    value = parse_amount(digits)
    assert value is not None
    assert parse_amount(chinese) == value


@pytest.mark.parametrize("text", [
    "", "元", "万元", "整", "abc", "2024年", "45日", "2024-05-01", "020-12345678",
    "91440101340230099E", "100万美元", "50万港元", "1,00元",
])
def test_parse_amount_returns_none_for_what_is_not_an_amount_in_yuan(text):
    assert parse_amount(text) is None


def test_digit_amounts_are_exact_where_cn2an_is_not():
    # Why parse_amount reads digits itself: cn2an's smart mode truncates digit+unit decimals
    # to whole 元 and returns floats for long plain numbers.
    assert cn2an.cn2an("1.23456万", "smart") == 12345
    assert parse_amount("1.23456万元") == Decimal("12345.6")
    assert parse_amount("100000000000000001元") == Decimal("100000000000000001")


@pytest.mark.parametrize("text, amounts", [
    (SEED_REDUCTION_DIGITS, [("1000万元人民币", 10_000_000), ("100万元人民币", 1_000_000)]),
    (SEED_REDUCTION_UPPERCASE, [("伍佰万元人民币", 5_000_000), ("壹拾万元人民币", 100_000)]),
    ("注册资本由人民币伍佰万元整减少至人民币壹拾万元整。",
     [("人民币伍佰万元整", 5_000_000), ("人民币壹拾万元整", 100_000)]),
    ("注册资本由１０００万元减少至５，０００，０００元",
     [("１０００万元", 10_000_000), ("５，０００，０００元", 5_000_000)]),
    ("注册资本由1.5亿元减至5000万人民币", [("1.5亿元", 150_000_000), ("5000万人民币", 50_000_000)]),
])
def test_find_amounts_in_reduction_notices(text, amounts):
    found = find_amounts(text)
    assert [(text[start:end], value) for start, end, value in found] == [
        (phrase, Decimal(value)) for phrase, value in amounts]


def test_both_seed_reduction_notices_state_the_same_kind_of_change():
    (_, _, before1), (_, _, after1) = find_amounts(SEED_REDUCTION_DIGITS)
    (_, _, before2), (_, _, after2) = find_amounts(SEED_REDUCTION_UPPERCASE)
    assert after1 < before1 and after2 < before2


@pytest.mark.parametrize("text", [
    "请债权人自本公告见报之日起45日内向本公司申报债权。",
    "统一社会信用代码 91440101340230099E，注册号 440126601321994",
    "联系电话：020-12345678，手机13800138000。",
    "2024年5月1日股东会决议，二〇二四年五月一日见报，第3版。",
    "地址：广州市白云区三元里大道1号3单元。",
    "广州百元汇商贸有限公司遗失营业执照正本，编号：S2612019050774G，声明作废。",
    "注册资本由100万美元减少至50万美元。",
    "公告三次，九十日内，三十日内。",
])
def test_find_amounts_ignores_dates_phones_codes_and_periods(text):
    assert find_amounts(text) == []


@pytest.mark.parametrize("value, text", [
    ("10000000", "1000万元"),
    ("100000", "10万元"),
    ("1234.5", "1234.5元"),
    ("150000000", "1.5亿元"),
    ("100000000", "1亿元"),
    ("12345600", "1234.56万元"),
    ("123456789", "123456789元"),
    ("5000", "5000元"),
    ("0", "0元"),
    ("10000000.00", "1000万元"),
    ("1E+7", "1000万元"),
])
def test_format_amount(value, text):
    assert format_amount(Decimal(value)) == text


@pytest.mark.parametrize("value", [
    "1", "99.99", "10000", "12345", "50000", "1000000", "2500000", "10000000", "12345678.9",
    "100000000", "150000000", "1234567800", "1000000000000",
])
def test_format_amount_parses_back_to_the_same_value(value):
    assert parse_amount(format_amount(Decimal(value))) == Decimal(value)


@pytest.mark.parametrize("text", ["5²万元", "①百万元", "٥٠٠万元"])
def test_digits_other_than_0_to_9_are_not_amounts(text):
    assert parse_amount(text) is None


@pytest.mark.parametrize("cents, shown", [
    (25000, "¥250"), (180, "¥1.80"), (5, "¥0.05"), (0, "¥0"), (105050, "¥1050.50"),
    (-150, "¥-1.50"),                       # a refund shown as the template filter showed it
    (10**17 + 1, "¥1000000000000000.01"),   # exact: cents / 100 as a float gave ¥1000000000000000.00
])
def test_format_yuan_is_how_the_pages_show_an_amount(cents, shown):
    assert format_yuan(cents) == shown
