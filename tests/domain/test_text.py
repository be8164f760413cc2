"""Text hygiene: forbidden characters are refused with a clear message; the normaliser prints
the way a Chinese newspaper does, reports every kind of change and is idempotent."""
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from notices.text import (
    ForbiddenCharacter,
    Normalised,
    find_forbidden,
    forbidden_message,
    normalise_field,
    normalise_text,
)

# ---- forbidden characters --------------------------------------------------------------------

@pytest.mark.parametrize("char, label", [
    ("\u202e", "从右向左覆盖符（U+202E）"),
    ("\u202d", "从左向右覆盖符（U+202D）"),
    ("\u202a", "从左向右嵌入符（U+202A）"),
    ("\u202c", "方向格式结束符（U+202C）"),
    ("\u2066", "从左向右隔离符（U+2066）"),
    ("\u2069", "方向隔离结束符（U+2069）"),
    ("\u200e", "从左向右标记（U+200E）"),
    ("\u200f", "从右向左标记（U+200F）"),
    ("\u061c", "阿拉伯字母标记（U+061C）"),
    ("\u200b", "零宽空格（U+200B）"),
    ("\u200c", "零宽不连字（U+200C）"),
    ("\u200d", "零宽连字（U+200D）"),
    ("\u2060", "零宽词连接符（U+2060）"),
    ("\ufeff", "字节顺序标记（零宽不换行空格）（U+FEFF）"),
    ("\u00ad", "软连字符（U+00AD）"),
    ("\u0007", "控制字符（U+0007）"),
    ("\u0000", "控制字符（U+0000）"),
    ("\u001c", "控制字符（U+001C）"),
    ("\u0085", "控制字符（U+0085）"),
    ("\u007f", "控制字符（U+007F）"),
    ("\u000b", "控制字符（U+000B）"),
    ("\ufe0f", "异体字选择符（U+FE0F）"),
    ("\U000e0100", "异体字选择符（U+E0100）"),
    ("\u180b", "蒙古文自由变体选择符（U+180B）"),
    ("\u034f", "组合字形连接符（U+034F）"),
    ("\u3164", "韩文填充符（U+3164）"),
    ("\U000e0041", "标签字符（U+E0041）"),
    ("\u0600", "格式控制字符（U+0600）"),
    ("\ue000", "私用区字符（U+E000）"),
    ("\U000f0000", "私用区字符（U+F0000）"),
    ("\ud800", "代理项（不完整的字符）（U+D800）"),
    ("\ufdd0", "非字符（U+FDD0）"),
    ("\uffff", "非字符（U+FFFF）"),
    ("\U0010fffe", "非字符（U+10FFFE）"),
    ("\u0378", "未分配的字符（U+0378）"),
    ("\ufffc", "对象占位符（通常是从 Word 复制来的图片或对象）（U+FFFC）"),
    ("\ufffd", "替换字符（通常表示乱码）（U+FFFD）"),
])
def test_forbidden_in_field_and_body(char, label):
    text = f"本公司{char}遗失"
    for multiline in (False, True):
        assert find_forbidden(text, multiline=multiline) == [ForbiddenCharacter(3, char, label)]


@pytest.mark.parametrize("char, label", [
    ("\n", "换行符（U+000A）"),
    ("\r", "回车符（U+000D）"),
    ("\t", "制表符（U+0009）"),
    ("\u2028", "行分隔符（U+2028）"),
    ("\u2029", "段落分隔符（U+2029）"),
])
def test_line_breaks_and_tab_refused_in_fields_only(char, label):
    assert find_forbidden(f"张{char}三") == [ForbiddenCharacter(1, char, label)]
    assert find_forbidden(f"张{char}三", multiline=True) == []


@pytest.mark.parametrize("text", [
    "广州市某某有限公司遗失营业执照正本，统一社会信用代码：91440101340230099E，声明作废。",
    "Guangzhou XX Co., Ltd. 电话：020-87750217 邮箱：a.b@x.com.cn http://www.gsxt.gov.cn",
    "ＡＢＣ１２３　，．＂％",          # full-width forms and ideographic space are normalised, not refused
    "\u00a0\u2002\u3000\u202f",        # special spaces: normalised
    "é e\u0301 Ünïcödé ÅÉÎ ß",          # accented Latin, combining marks
    "𠀀𪚥𬺰 〇 々 ①②③ ㎡ ℃ ￥ ™ ©",       # CJK extension B+, symbols
    "约翰·史密斯 ・ 《广州日报》 〔2026〕 【】 「」 ——……",
    "😀",                               # an emoji without variation selector is assigned
])
def test_ordinary_text_not_forbidden(text):
    assert find_forbidden(text) == []
    assert find_forbidden(text, multiline=True) == []


def test_find_forbidden_reports_every_occurrence_in_order():
    text = "a\u200bb\u202ec\u200b"
    assert [(f.index, f.char) for f in find_forbidden(text)] == [(1, "\u200b"), (3, "\u202e"), (5, "\u200b")]


def test_the_pay_1000_attack_is_refused():
    # docs/reliability.md: "Pay \u202e0001\u202c" prints as "Pay 1000"
    found = find_forbidden("Pay \u202e0001\u202c")
    assert [f.index for f in found] == [4, 9]


def test_forbidden_message_single():
    found = find_forbidden("本公司遗失营业执照正本\u202e，声明作废")
    assert forbidden_message(found, "公告正文") == (
        "公告正文第12个字符是看不见的“从右向左覆盖符（U+202E）”，它会让文字显示顺序与实际不同，请删除后重新输入。")


@pytest.mark.parametrize("text, field, expected", [
    ("张\u00ad三", "联系人", "联系人第2个字符是看不见的“软连字符（U+00AD）”，它平时不显示，"
                           "排版换行时却可能印出一个连字符，请删除后重新输入。"),
    ("张\n三", "联系人", "联系人第2个字符是“换行符（U+000A）”，此栏只能填写一行，请删除后重新输入。"),
    ("\ue000", "名称", "名称第1个字符是无法印刷的“私用区字符（U+E000）”，报纸字库印不出它，请删除后重新输入。"),
])
def test_forbidden_message_kinds(text, field, expected):
    assert forbidden_message(find_forbidden(text), field) == expected


def test_forbidden_message_several_gives_count_and_positions():
    found = find_forbidden("a\u200bb\u200b\u202ec\ue000")
    message = forbidden_message(found, "联系人")
    assert message.startswith("联系人有4个不能接受的字符：")
    assert "第2、4个字符是看不见的“零宽空格（U+200B）”" in message
    assert "第5个字符是看不见的“从右向左覆盖符（U+202E）”" in message
    assert "第7个字符是无法印刷的“私用区字符（U+E000）”" in message
    assert "请删除后重新输入" in message


def test_forbidden_message_many_is_bounded():
    found = find_forbidden("字\u200b" * 200)
    message = forbidden_message(found, "公告正文")
    assert "第2、4、6、8、10个字符等共200处" in message
    assert len(message) < 300


def test_forbidden_message_needs_something():
    with pytest.raises(ValueError):
        forbidden_message([], "公告正文")


# ---- normalise_text: tables ------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected, changes", [
    # spaces
    ("本公司 遗失 公章", "本公司遗失公章", ("删除汉字之间的空格（2处）",)),
    ("本公司\u3000\u3000遗失", "本公司遗失", ("删除汉字之间的空格（1处）",)),
    ("本公司\u00a0遗失", "本公司遗失", ("删除汉字之间的空格（1处）",)),
    ("2026 年 12 月 1 日", "2026年12月1日", ("删除汉字与字母、数字之间的空格（5处）",)),
    ("注册资本 1000 万元", "注册资本1000万元", ("删除汉字与字母、数字之间的空格（2处）",)),
    ("遗失 ABC 公司", "遗失ABC公司", ("删除汉字与字母、数字之间的空格（2处）",)),
    ("本公司 ，特此公告 。", "本公司，特此公告。", ("删除标点前后的空格（2处）",)),
    ("Guangzhou  XX   Co., Ltd.", "Guangzhou XX Co., Ltd.", ("连续空格合并为一个（2处）",)),
    ("Guangzhou\u00a0XX", "Guangzhou XX", ("不换行空格、全角空格等特殊空格改为普通空格（1处）",)),
    ("Guangzhou\u3000XX", "Guangzhou XX", ("不换行空格、全角空格等特殊空格改为普通空格（1处）",)),
    ("本公司\t遗失", "本公司遗失", ("删除汉字之间的空格（1处）",)),
    # leading/trailing whitespace: removed, not reported
    ("\u3000\u3000本公司遗失公章一枚，现声明作废。\r\n", "本公司遗失公章一枚，现声明作废。", ()),
    # line breaks: one paragraph
    # A line break in the middle of a sentence joins the lines; one that ends a paragraph stays,
    # as one "\n" (the column sets each paragraph on its own: typesetting/paragraphs.py).
    ("本公司遗失\n营业执照正本，\r\n声明作废。", "本公司遗失营业执照正本，声明作废。",
     ("删除句子中间的换行，前后文字连成一句（2处）",)),
    ("本公司。\r\n\u3000\u3000特此公告。", "本公司。\n特此公告。", ("删除段落之间的空行和空格（1处）",)),
    ("本公司。\n特此公告。", "本公司。\n特此公告。", ()),
    ("Guangzhou\nXX Co., Ltd.", "Guangzhou XX Co., Ltd.", ("删除句子中间的换行，前后文字连成一句（1处）",)),
    ("本公司\u2028遗失", "本公司遗失", ("删除句子中间的换行，前后文字连成一句（1处）",)),
    ("特此声明。\n\n广州某某有限公司\n2026年11月26日", "特此声明。\n广州某某有限公司\n2026年11月26日",
     ("删除段落之间的空行和空格（1处）",)),
    ("证券代码：600000    证券简称：某某银行\n公告编号：2026-001\n一、变更事项\n本公司拟减少注册资本",
     "证券代码：600000 证券简称：某某银行\n公告编号：2026-001\n一、变更事项\n本公司拟减少注册资本",
     ("连续空格合并为一个（1处）",)),
    ("公司特此通知债权人\n申报债权", "公司特此通知债权人申报债权", ("删除句子中间的换行，前后文字连成一句（1处）",)),
    # full-width letters and digits
    ("ＡＢＣ有限公司１２３号", "ABC有限公司123号",
     ("全角字母“ＡＢＣ”改为半角“ABC”（1处）", "全角数字“１２３”改为半角“123”（1处）")),
    ("统一社会信用代码：９１４４０１０１３４０２３００９９Ｅ",
     "统一社会信用代码：91440101340230099E",
     ("全角数字“９１４４０１０１３４０２…”改为半角“914401013402…”（1处）", "全角字母“Ｅ”改为半角“E”（1处）")),
    ("电话：０２０－８７７５０２１７", "电话：020-87750217",
     ("全角数字“０２０”改为半角“020”（2处）", "全角符号“－”改为半角“-”（1处）")),
    ("时间：１５：００", "时间：15:00",
     ("全角数字“１５”改为半角“15”（2处）", "全角符号“：”改为半角“:”（1处）")),
    ("１．５万元", "1.5万元", ("全角数字“１”改为半角“1”（2处）", "全角符号“．”改为半角“.”（1处）")),
    ("持股５０％", "持股50%", ("全角数字“５０”改为半角“50”（1处）", "全角符号“％”改为半角“%”（1处）")),
    # half-width punctuation next to Chinese
    ("本公司,特此公告", "本公司，特此公告", ("半角逗号“,”改为全角“，”（1处）",)),
    ("联系人:张三;电话:020-87750217", "联系人：张三；电话：020-87750217",
     ("半角冒号“:”改为全角“：”（2处）", "半角分号“;”改为全角“；”（1处）")),
    ("是否申报?请联系!", "是否申报？请联系！",
     ("半角问号“?”改为全角“？”（1处）", "半角叹号“!”改为全角“！”（1处）")),
    ("本公司 , 特此公告.", "本公司，特此公告。",
     ("删除标点前后的空格（2处）", "半角逗号“,”改为全角“，”（1处）", "半角句点“.”改为句号“。”（1处）")),
    ("ABC , 中国", "ABC，中国", ("删除标点前后的空格（2处）", "半角逗号“,”改为全角“，”（1处）")),
    ("遗失ABC,声明作废", "遗失ABC，声明作废", ("半角逗号“,”改为全角“，”（1处）",)),
    # brackets
    ("电话(020)87750217", "电话（020）87750217", ("半角括号“( )”改为全角“（ ）”（1处）",)),
    ("广州XX有限公司(Guangzhou XX Co., Ltd.)", "广州XX有限公司（Guangzhou XX Co., Ltd.）",
     ("半角括号“( )”改为全角“（ ）”（1处）",)),
    ("(房号:某花园1栋101房)", "（房号：某花园1栋101房）",
     ("半角括号“( )”改为全角“（ ）”（1处）", "半角冒号“:”改为全角“：”（1处）")),
    ("公司 (ABC)", "公司（ABC）", ("删除标点前后的空格（1处）", "半角括号“( )”改为全角“（ ）”（1处）")),
    ("（统一社会信用代码：91440101340230099E)", "（统一社会信用代码：91440101340230099E）",
     ("半角括号“( )”改为全角“（ ）”（1处）",)),
    # full stop: only at a sentence end after Chinese
    ("特此公告.", "特此公告。", ("半角句点“.”改为句号“。”（1处）",)),
    ("本公司遗失公章.特此声明.", "本公司遗失公章。特此声明。", ("半角句点“.”改为句号“。”（2处）",)),
    ("（以下简称本公司）.", "（以下简称本公司）。", ("半角句点“.”改为句号“。”（1处）",)),
    ("一.本公司决议减资。二.债权人要求清偿。", "一、本公司决议减资。二、债权人要求清偿。",
     ("序号后的点号改为顿号“、”（2处）",)),
    # quotes, ellipsis, dash
    ('简称"本公司"', "简称“本公司”", ('英文双引号"…"改为中文双引号“…”（1处）',)),
    ("简称'本公司'", "简称‘本公司’", ("英文单引号'…'改为中文单引号‘…’（1处）",)),
    ('“本公司"', "“本公司”", ('英文双引号"…"改为中文双引号“…”（1处）',)),
    ("如下...", "如下……", ("省略号“...”改为“……”（1处）",)),
    ("如下…", "如下……", ("省略号“…”改为“……”（1处）",)),
    ("如下。。。", "如下……", ("省略号“。。。”改为“……”（1处）",)),
    ("本公司--广州", "本公司——广州", ("破折号“--”改为“——”（1处）",)),
    ("本公司―广州", "本公司——广州", ("破折号“―”改为“——”（1处）",)),
    ("本公司——广州", "本公司——广州", ()),
    # Unicode NFC
    ("Cafe\u0301公司", "Café公司", ("统一字符的编码形式（Unicode NFC）（1处）",)),
    # half-width CJK punctuation
    ("本公司｡", "本公司。", ("半角中文标点“｡”改为“。”（1处）",)),
])
def test_normalise_text_table(raw, expected, changes):
    result = normalise_text(raw)
    assert result == Normalised(expected, changes)


@pytest.mark.parametrize("text", [
    # codes, numbers, phone numbers, times, decimals, dates, percentages, URLs, e-mails
    "S2612019050774G",
    "91440101340230099E",
    "4417810013412",
    "020-87750217",
    "电话：020-87750217",
    "联系电话：13800138000，020-87750217",
    "截止时间15:00",
    "2026年12月1日下午3:30至5:00",
    "注册资本由1,000万元减少至500.5万元",
    "1.5万元",
    "2020.09.19",
    "持股50%",
    "网址：http://www.gsxt.gov.cn/index.html?a=1,b;c:d!",
    "详见https://example.com/a(b)c。",
    "邮箱：a.b-c@x.com.cn。",
    "No.1",
    "域名：广州日报.com",
    "1.本公司",
    "Guangzhou XX Co., Ltd.",
    "Hello, world! Is it 3:00? Yes; it is (roughly).",
    "company's",
    "A--B",
    "3...5",
    "本公司于2026年11月1日经股东会决议，注册资本由1000万元减少至500万元。",
    "约翰·史密斯",
    "《广州日报》2026年12月1日A12版",
    "“ABC”",
    "（1）本公司",
    "广州市天河区某路1号之一101房",
])
def test_normalise_text_leaves_alone(text):
    assert normalise_text(text) == Normalised(text, ())


def test_body_from_word_paste():
    raw = ("\u3000\u3000广州市ＸＸ贸易有限公司(统一社会信用代码:"
           "９１４４０１０１３４０２３００９９Ｅ)经股东会决议,注册资本由1000万元减少至500万元.\r\n"
           "\u3000\u3000请债权人自本公告刊登之日起45日内,要求本公司清偿债务或者提供相应的担保.\r\n"
           "\u3000\u3000特此公告.\r\n")
    result = normalise_text(raw)
    assert result.text == (
        "广州市XX贸易有限公司（统一社会信用代码：91440101340230099E）经股东会决议，"
        "注册资本由1000万元减少至500万元。\n请债权人自本公告刊登之日起45日内，"
        "要求本公司清偿债务或者提供相应的担保。\n特此公告。")
    # Three paragraphs, as typed (each ends a sentence); their indents are the column's own.
    assert "删除段落之间的空行和空格（2处）" in result.changes
    assert "半角逗号“,”改为全角“，”（2处）" in result.changes
    assert "半角句点“.”改为句号“。”（3处）" in result.changes
    assert "半角括号“( )”改为全角“（ ）”（1处）" in result.changes


# ---- normalise_field -------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected, changes", [
    ("  广州市ＸＸ有限公司 ", "广州市XX有限公司", ("全角字母“ＸＸ”改为半角“XX”（1处）",)),
    ("９１４４０１０１３４０２３００９９Ｅ", "91440101340230099E",
     ("全角数字“９１４４０１０１３４０２…”改为半角“914401013402…”（1处）", "全角字母“Ｅ”改为半角“E”（1处）")),
    ("０２０－８７７５０２１７", "020-87750217",
     ("全角数字“０２０”改为半角“020”（2处）", "全角符号“－”改为半角“-”（1处）")),
    ("王 先生", "王先生", ("删除汉字之间的空格（1处）",)),
    ("广州市天河区某路1号.", "广州市天河区某路1号.", ()),     # a field is not a sentence
    ("某花园1栋101房(住宅)", "某花园1栋101房（住宅）", ("半角括号“( )”改为全角“（ ）”（1处）",)),
    ("S2612019050774G", "S2612019050774G", ()),
    ("John  Smith", "John Smith", ("连续空格合并为一个（1处）",)),
    ("", "", ()),
    ("   ", "", ()),
])
def test_normalise_field_table(raw, expected, changes):
    assert normalise_field(raw) == Normalised(expected, changes)


def test_normalisation_keeps_forbidden_characters_for_the_caller_to_refuse():
    # Not silently removed: find_forbidden still sees them after normalisation.
    for text in ("本公司\u202e遗失", "a\u200bb", "x\u0007y", "本\u00ad公司"):
        assert find_forbidden(normalise_text(text).text)
        assert find_forbidden(normalise_field(text).text)


# ---- properties (hypothesis) -----------------------------------------------------------------

_PIECES = (list("本公司遗失营业执照广州市天河区万元年月日〇一二") + list("abcXYZ0189")
           + list("ＡＢｚ０９") + list(" \t\n\r\u3000\u00a0\u2028")
           + list(",.;:?!()\"'-/@_%+") + list("，。；：？！（）“”‘’…—―－．／＠＿％＋：｡､「」《》·")
           + ["e\u0301", "\u0301", "\uf900", "http://a.b/c?d=1", "x@y.cn", "www.a.com", "1.5",
              "15:00", "...", "--", "Co., Ltd."])
_MIXED = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)
_ANY = st.one_of(_MIXED, st.text(max_size=40))
_SETTINGS = settings(max_examples=200, database=None, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])


def _strip(s: str) -> str:
    return s.strip(" \t\n\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
                   "\u2009\u200a\u202f\u205f\u3000\u2028\u2029")


@_SETTINGS
@given(_ANY)
def test_normalise_text_is_idempotent(text):
    once = normalise_text(text)
    twice = normalise_text(once.text)
    assert twice == Normalised(once.text, ())


@_SETTINGS
@given(_ANY)
def test_normalise_field_is_idempotent(text):
    once = normalise_field(text)
    assert normalise_field(once.text) == Normalised(once.text, ())


@_SETTINGS
@given(_ANY)
def test_every_change_is_reported(text):
    # Nothing changes silently, and nothing is reported that did not change
    # (leading/trailing whitespace aside).
    result = normalise_text(text)
    assert bool(result.changes) == (result.text != _strip(text))


@_SETTINGS
@given(_ANY)
def test_normalised_body_is_nfc_paragraphs(text):
    result = normalise_text(text).text
    assert unicodedata.is_normalized("NFC", result)
    assert not any(c in result for c in "\r\u2028\u2029\t\u3000\u00a0")
    # Paragraphs separated by one "\n", no white space around it, no empty paragraph.
    assert all(p and p == _strip(p) for p in result.split("\n")) or result == ""
    assert "  " not in result
    assert result == _strip(result)


@_SETTINGS
@given(_ANY)
def test_normalisation_adds_no_forbidden_characters(text):
    # The normalised text keeps paragraph breaks ("\n"): counted as the raw text is, as multiline.
    assert len(find_forbidden(normalise_text(text).text, multiline=True)) <= len(find_forbidden(text, multiline=True))


# The typesetting engine normalises what it is given too (for callers outside the app); for text
# the app has already normalised, it must change nothing, or the print would differ from what was
# confirmed.
from hypothesis import given, settings as hsettings, strategies as hst  # noqa: E402

from typesetting import normalize_text as engine_normalize  # noqa: E402

_NOTICE_CHARS = hst.sampled_from(list("广州市示例有限公司遗失营业执照正副本统一社会信用代码注册号"
                                      "声明作废特此公告债权人四十五日"
                                      "0123456789ABCDEFGHJKLMNPQRTUWXY，。、；：？！（）“”《》 ,.;:?!()-/%"))


@hsettings(max_examples=300, deadline=None, database=None)
@given(hst.lists(_NOTICE_CHARS, min_size=1, max_size=80).map("".join))
def test_engine_normalisation_leaves_app_normalised_text_alone(raw):
    text = normalise_text(raw).text
    assert engine_normalize(text) == text
