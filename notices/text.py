"""Text hygiene for everything an advertiser types.

Two jobs, in this order:

1. `find_forbidden` — characters that must never reach the page: invisible ones that make the
   text say something other than what the reader sees (`Pay \\u202e0001\\u202c` prints as
   "Pay 1000", see docs/reliability.md), control characters, and code points no
   font can print. They are *refused*, never silently removed: the caller shows
   `forbidden_message(...)` and keeps the advertiser's draft.
2. `normalise_text` (the notice body) / `normalise_field` (one-line fields) — the way Chinese
   newspapers print (GB/T 15834 标点符号用法, GB/T 15835 出版物上数字用法): half-width digits and
   Latin letters, full-width Chinese punctuation, no spaces around Chinese characters. Every kind
   of change is reported in Chinese with a count, so the advertiser can see what was changed.

Decisions (see the tests for the exact behaviour):
- Tab: refused in a one-line field (`multiline=False`); in a body (`multiline=True`) it is
  whitespace and normalised like a space.
- Line breaks (\\n, \\r, U+2028, U+2029): refused in fields. In a body, a line break that ends
  a paragraph is kept, as one "\\n" (the column sets each paragraph on its own: a listed
  company's header line, sections 一、二、, the signature after 特此公告); one in the middle of a
  sentence (text wrapped by hand, or copied from a PDF) joins the lines (reported). A paragraph
  break: after a sentence's end (。！？；, a colon ending a lead-in), before a section (一、 （一）
  1、 第一条), around a header line (证券代码：…), a heading (…的公告) or a date line, and after the
  closing (特此公告). `_paragraph_break` decides; the normaliser's fixed point makes it
  idempotent: a kept break is one the rule keeps again.
- Every format character (Cf), every other control (Cc), private use, surrogates,
  noncharacters, unassigned code points (as of the running Python's Unicode version), the other
  Default_Ignorable code points (Hangul fillers, combining grapheme joiner…), U+FFFC (object
  placeholder left by Word) and U+FFFD (a decoding error: the text is already garbled) are refused.
- Variation selectors (U+FE00–FE0F, U+E0100–E01EF, Mongolian U+180B–180F) are refused too: the
  print fonts do not carry the variant glyphs, so what the advertiser sees is not what prints.
- Normalisation never removes a forbidden character: call `find_forbidden` first.
- The normaliser applies its rules until nothing changes (a fixed point), so it is idempotent by
  construction: `normalise_text(normalise_text(x).text)` changes nothing and reports nothing.
- Curly quotes, the dash “—”, the ellipsis “…” and the middle dot “·” count as Chinese
  punctuation (in a Chinese notice they are), so spaces next to them are removed.
- Look-alikes of 汉字 (text copied from PDFs often carries them: “⼴州市⽇⽉” prints as 广州市日月)
  hid a notice from /verify, whose query has the ordinary characters. The ones that ARE the
  character they show are normalised to it, and the change is reported like every other:
  Kangxi radicals (U+2F00–2FDF, Unicode's compatibility mapping, NFKC: ⽇ → 日) and the CJK
  compatibility ideographs (U+F900–FAFF, U+2F800–2FA1F; NFC already maps them, reported on
  their own here: they look exactly like the character they become). The CJK Radicals
  Supplement (U+2E80–2EFF) holds mostly component forms that are no character of their own
  (⻏, ⺮): those are refused with a message asking to type the character with the input method;
  the two that Unicode maps to a character (⺟ 母, ⻳ 龟) are normalised.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["ForbiddenCharacter", "Normalised", "find_forbidden", "forbidden_message",
           "normalise_text", "normalise_field"]


# --------------------------------------------------------------------------------------------
# Forbidden characters
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ForbiddenCharacter:
    index: int          # 0-based index in the input
    char: str
    label: str          # Chinese description, e.g. "从右向左覆盖符（U+202E）"


# kinds: each comes with how it is described ("看不见的…") and why it matters to the reader
_BIDI, _INVISIBLE, _SOFT_HYPHEN, _VARIATION, _CONTROL, _LINE_BREAK, _TAB, _UNPRINTABLE, _RADICAL = (
    "bidi", "invisible", "soft-hyphen", "variation", "control", "line-break", "tab", "unprintable", "radical")

_KIND_TEXT = {   # kind -> (adjective before the label, explanation)
    _BIDI: ("看不见的", "它会让文字显示顺序与实际不同"),
    _INVISIBLE: ("看不见的", "它会让屏幕上看到的文字与实际保存、印刷的文字不一致"),
    _SOFT_HYPHEN: ("看不见的", "它平时不显示，排版换行时却可能印出一个连字符"),
    _VARIATION: ("看不见的", "它会改变前一个字的字形，报纸字库无法照样印出"),
    _CONTROL: ("看不见的", "它不是可以印刷的文字"),
    _LINE_BREAK: ("", "此栏只能填写一行"),
    _TAB: ("", "此栏请用空格，不要用制表符"),
    _UNPRINTABLE: ("无法印刷的", "报纸字库印不出它"),
    _RADICAL: ("", "它是部首，看起来像汉字却不是汉字（核验时查不到，字库也可能印不出）"),
}

_NAMED = {
    # bidirectional formatting (Unicode Bidirectional Algorithm, UAX #9)
    0x202A: ("从左向右嵌入符", _BIDI), 0x202B: ("从右向左嵌入符", _BIDI),
    0x202C: ("方向格式结束符", _BIDI), 0x202D: ("从左向右覆盖符", _BIDI),
    0x202E: ("从右向左覆盖符", _BIDI), 0x2066: ("从左向右隔离符", _BIDI),
    0x2067: ("从右向左隔离符", _BIDI), 0x2068: ("首强字符隔离符", _BIDI),
    0x2069: ("方向隔离结束符", _BIDI), 0x200E: ("从左向右标记", _BIDI),
    0x200F: ("从右向左标记", _BIDI), 0x061C: ("阿拉伯字母标记", _BIDI),
    # zero-width and other invisible characters
    0x200B: ("零宽空格", _INVISIBLE), 0x200C: ("零宽不连字", _INVISIBLE),
    0x200D: ("零宽连字", _INVISIBLE), 0x2060: ("零宽词连接符", _INVISIBLE),
    0x2061: ("不可见函数符", _INVISIBLE), 0x2062: ("不可见乘号", _INVISIBLE),
    0x2063: ("不可见分隔符", _INVISIBLE), 0x2064: ("不可见加号", _INVISIBLE),
    0xFEFF: ("字节顺序标记（零宽不换行空格）", _INVISIBLE),
    0x180E: ("蒙古文元音分隔符", _INVISIBLE),
    0x034F: ("组合字形连接符", _INVISIBLE),
    0x115F: ("韩文填充符", _INVISIBLE), 0x1160: ("韩文填充符", _INVISIBLE),
    0x3164: ("韩文填充符", _INVISIBLE), 0xFFA0: ("半角韩文填充符", _INVISIBLE),
    0x17B4: ("高棉文不发音元音符", _INVISIBLE), 0x17B5: ("高棉文不发音元音符", _INVISIBLE),
    0x00AD: ("软连字符", _SOFT_HYPHEN),
    0xFFFC: ("对象占位符（通常是从 Word 复制来的图片或对象）", _UNPRINTABLE),
    0xFFFD: ("替换字符（通常表示乱码）", _UNPRINTABLE),
    # line breaks and tab: allowed in a body only
    0x000A: ("换行符", _LINE_BREAK), 0x000D: ("回车符", _LINE_BREAK),
    0x2028: ("行分隔符", _LINE_BREAK), 0x2029: ("段落分隔符", _LINE_BREAK),
    0x0009: ("制表符", _TAB),
}
_MULTILINE_ALLOWED = frozenset("\n\r\t\u2028\u2029")


def _classify(ch: str) -> tuple[str, str] | None:
    """(Chinese name, kind) of a character that must not be accepted, or None."""
    cp = ord(ch)
    if cp in _NAMED:
        return _NAMED[cp]
    if 0x2E80 <= cp <= 0x2EFF and unicodedata.category(ch) == "So" and unicodedata.normalize("NFKC", ch) == ch:
        return f"汉字部首{ch}", _RADICAL    # no character of its own to normalise it to (see the docstring)
    if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:
        return "异体字选择符", _VARIATION
    if 0x180B <= cp <= 0x180D or cp == 0x180F:
        return "蒙古文自由变体选择符", _VARIATION
    category = unicodedata.category(ch)
    if category == "Cc":
        return "控制字符", _CONTROL
    if category == "Cf":
        if 0xE0000 <= cp <= 0xE007F:
            return "标签字符", _INVISIBLE
        return "格式控制字符", _INVISIBLE
    if category == "Co":
        return "私用区字符", _UNPRINTABLE
    if category == "Cs":
        return "代理项（不完整的字符）", _UNPRINTABLE
    if 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE:
        return "非字符", _UNPRINTABLE
    if category == "Cn":
        # Unassigned as of unicodedata.unidata_version: no font the paper has can print it.
        return "未分配的字符", _UNPRINTABLE
    return None


def find_forbidden(text: str, *, multiline: bool = False) -> list[ForbiddenCharacter]:
    """Every character that must be refused, in order. `multiline=True` for a body: line
    breaks and tab are then allowed (the body normaliser joins lines and turns tabs into spaces)."""
    found = []
    for index, ch in enumerate(text):
        if multiline and ch in _MULTILINE_ALLOWED:
            continue
        kind = _classify(ch)
        if kind is not None:
            name, _ = kind
            found.append(ForbiddenCharacter(index, ch, f"{name}（U+{ord(ch):04X}）"))
    return found


_MAX_POSITIONS = 5   # positions listed per kind of character before "等"
_MAX_GROUPS = 5      # kinds of character listed before "还有…"


def forbidden_message(found: list[ForbiddenCharacter], field_label: str) -> str:
    """What to tell the advertiser, positions 1-based as a person counts.

    e.g. 「公告正文第12个字符是看不见的“从右向左覆盖符（U+202E）”，它会让文字显示顺序与实际不同，请删除后重新输入。」
    """
    if not found:
        raise ValueError("forbidden_message needs at least one forbidden character")
    groups: dict[str, list[ForbiddenCharacter]] = {}
    for f in found:
        groups.setdefault(f.label, []).append(f)

    def describe(items: list[ForbiddenCharacter]) -> str:
        first = items[0]
        named = _classify(first.char)
        assert named is not None, "find_forbidden lists only the characters _classify names"
        adjective, why = _KIND_TEXT[named[1]]
        positions = "、".join(str(f.index + 1) for f in items[:_MAX_POSITIONS])
        more = f"等共{len(items)}处" if len(items) > _MAX_POSITIONS else ""
        return f"第{positions}个字符{more}是{adjective}“{first.label}”，{why}"

    if len(found) == 1:
        return f"{field_label}{describe(found)}，请删除后重新输入。"
    parts = [describe(items) for items in list(groups.values())[:_MAX_GROUPS]]
    if len(groups) > _MAX_GROUPS:
        rest = sum(len(items) for items in list(groups.values())[_MAX_GROUPS:])
        parts.append(f"另有{rest}个其他不能接受的字符")
    return (f"{field_label}有{len(found)}个不能接受的字符：{'；'.join(parts)}。"
            "请删除后重新输入（从 Word、微信复制的文字常带有这类字符，可先粘贴到记事本再复制）。")


# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Normalised:
    text: str
    changes: tuple[str, ...]    # Chinese, one line per kind of change with a count


# Whitespace the normaliser handles. Deliberately not `\s`: that also matches the controls
# U+001C–001F, U+0085, VT and FF, which are refused by find_forbidden, never silently removed.
_SPACES = " \t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
          "\u202f\u205f\u3000"
_LINE_BREAKS = "\n\r\u2028\u2029"
_WS = frozenset(_SPACES + _LINE_BREAKS)
_WS_RUN = re.compile(f"[{re.escape(_SPACES + _LINE_BREAKS)}]+")

# Chinese punctuation (full-width forms and the ambiguous-width ones used in Chinese text).
_CJK_PUNCT = frozenset("，。、；：？！“”‘’（）《》〈〉【】〔〕〖〗「」『』〘〙…—～·・〃￥﹏")
_CLOSING_PUNCT = frozenset("”’）》〉】〕〗」』")


def _is_cjk(ch: str | None) -> bool:
    """Chinese characters (and the kana/hangul/bopomofo a name might carry)."""
    if ch is None:
        return False
    cp = ord(ch)
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x3FFFF
            or 0xF900 <= cp <= 0xFAFF or 0x2E80 <= cp <= 0x2FDF or cp in (0x3005, 0x3007)
            or 0x3040 <= cp <= 0x30FF or 0x3100 <= cp <= 0x312F or 0x31A0 <= cp <= 0x31FF
            or 0xAC00 <= cp <= 0xD7AF)


def _is_cjk_context(ch: str | None) -> bool:
    return ch is not None and (_is_cjk(ch) or ch in _CJK_PUNCT)


def _is_punct(ch: str | None) -> bool:
    return ch is not None and (ch in _CJK_PUNCT or unicodedata.category(ch).startswith("P"))


def _is_ascii_alnum(ch: str | None) -> bool:
    return ch is not None and ch.isascii() and ch.isalnum()


def _is_ascii_digit(ch: str | None) -> bool:
    return ch is not None and "0" <= ch <= "9"


def _prev(s: str, i: int) -> str | None:
    """The nearest non-whitespace character before index i."""
    i -= 1
    while i >= 0 and s[i] in _WS:
        i -= 1
    return s[i] if i >= 0 else None


def _next(s: str, i: int) -> str | None:
    """The nearest non-whitespace character after index i."""
    i += 1
    while i < len(s) and s[i] in _WS:
        i += 1
    return s[i] if i < len(s) else None


def _at(s: str, i: int) -> str | None:
    return s[i] if 0 <= i < len(s) else None


def _strip(s: str) -> str:
    # Leading/trailing whitespace is invisible in print: removed, not reported.
    return s.strip(_SPACES + _LINE_BREAKS)


# URLs and e-mail addresses are left exactly as typed: their punctuation is not Chinese prose.
_URL = re.compile(r"(?:https?://|ftp://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+", re.I)
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_URL_TRAILING = ".,;:!?)'\""


def _protected(s: str) -> list[bool]:
    mask = [False] * len(s)
    for m in _URL.finditer(s):
        end = m.end()
        while end > m.start() and s[end - 1] in _URL_TRAILING:
            end -= 1
        for k in range(m.start(), end):
            mask[k] = True
    for m in _EMAIL.finditer(s):
        for k in range(m.start(), m.end()):
            mask[k] = True
    return mask


class _Changes:
    """Counts per kind of change, with its distinct examples, in order of first occurrence."""

    def __init__(self) -> None:
        # (kind, and the character where one kind has several) -> (count, distinct examples)
        self._kinds: dict[tuple[str, ...], tuple[int, list[tuple[str, str]]]] = {}

    def add(self, key: tuple[str, ...], example: tuple[str, str] | None = None, count: int = 1) -> None:
        seen, examples = self._kinds.get(key, (0, []))
        if example is not None and example not in examples:
            examples.append(example)
        self._kinds[key] = (seen + count, examples)

    def lines(self) -> tuple[str, ...]:
        return tuple(_describe(key, count, examples) for key, (count, examples) in self._kinds.items())


_PUNCT_NAMES = {",": "逗号", ";": "分号", ":": "冒号", "?": "问号", "!": "叹号"}
_PUNCT_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}


def _clip(s: str, limit: int = 12) -> str:
    return s if len(s) <= limit else s[:limit] + "…"


def _code_points(s: str) -> str:
    return "、".join(f"U+{ord(c):04X}" for c in s)


_MAX_LISTED = 8     # distinct look-alikes named in one line; the count covers the rest


def _each_change(examples: list[tuple[str, str]], show: Callable[[str], str] = str) -> str:
    """"⼴→广、⽇→日、⽉→月": every distinct character change, so that the advertiser sees
    what was changed (one example said "⼴→广 (3处)" when ⼴, ⽇ and ⽉ were changed once each)."""
    listed = "、".join(f"“{show(a)}”→“{show(b)}”" for a, b in examples[:_MAX_LISTED])
    return listed + ("等" if len(examples) > _MAX_LISTED else "")


def _describe(key: tuple[str, ...], n: int, examples: list[tuple[str, str]]) -> str:
    kind = key[0]
    a, b = examples[0] if examples else ("", "")
    if kind in ("radical", "compat-ideograph") and len(examples) > 1:
        if kind == "radical":
            return f"部首改为同形的汉字：{_each_change(examples)}（{n}处）"
        return (f"兼容区汉字改为标准编码的同一个字："
                f"{_each_change(examples, lambda c: f'{c}（{_code_points(c)}）')}（{n}处）")
    texts = {
        "nfc": "统一字符的编码形式（Unicode NFC）",
        "radical": f"部首“{a}”改为同形的汉字“{b}”",
        "compat-ideograph": f"兼容区汉字“{a}”（{_code_points(a)}）改为标准编码的同一个字（{_code_points(b)}）",
        "fw-digit": f"全角数字“{_clip(a)}”改为半角“{_clip(b)}”",
        "fw-letter": f"全角字母“{_clip(a)}”改为半角“{_clip(b)}”",
        "fw-symbol": f"全角符号“{a}”改为半角“{b}”",
        "hw-cjk": f"半角中文标点“{a}”改为“{b}”",
        "stop-fw": "全角句点“．”改为句号“。”",
        "space-cjk": "删除汉字之间的空格",
        "space-punct": "删除标点前后的空格",
        "space-mixed": "删除汉字与字母、数字之间的空格",
        "space-collapse": "连续空格合并为一个",
        "space-special": "不换行空格、全角空格等特殊空格改为普通空格",
        "linebreak": "删除句子中间的换行，前后文字连成一句",
        "paragraph": "删除段落之间的空行和空格",
        "linebreak-field": "删除换行",
        "punct": f"半角{_PUNCT_NAMES.get(a, '')}“{a}”改为全角“{b}”",
        "stop": "半角句点“.”改为句号“。”",
        "ordinal": "序号后的点号改为顿号“、”",
        "paren": "半角括号“( )”改为全角“（ ）”",
        "dquote": "英文双引号\"…\"改为中文双引号“…”",
        "squote": "英文单引号'…'改为中文单引号‘…’",
        "ellipsis": f"省略号“{_clip(a)}”改为“……”",
        "dash": f"破折号“{_clip(a)}”改为“——”",
    }
    return f"{texts[kind]}（{n}处）"


# ---- the passes ------------------------------------------------------------------------------

def _step_nfc(s: str, rec: _Changes) -> str:
    if unicodedata.is_normalized("NFC", s):
        return s
    # Count the changed clusters (a starter and its combining marks) for the report.
    clusters, current = [], ""
    for ch in s:
        if current and unicodedata.combining(ch) == 0:
            clusters.append(current)
            current = ""
        current += ch
    clusters.append(current)
    n = sum(1 for c in clusters if unicodedata.normalize("NFC", c) != c)
    rec.add(("nfc",), count=max(n, 1))
    return unicodedata.normalize("NFC", s)


# Kangxi radicals, the two Radicals Supplement characters Unicode maps to a 汉字 (⺟ ⻳), and the
# CJK compatibility ideographs: each is replaced by the character it shows (see the docstring).
_LOOK_ALIKE_HAN = re.compile("[\u2e9f\u2ef3\u2f00-\u2fdf\uf900-\ufaff\U0002f800-\U0002fa1f]")


def _step_look_alike_han(s: str, rec: _Changes) -> str:
    def repl(m: re.Match[str]) -> str:
        ch = m.group()
        compat = ord(ch) >= 0xF900
        new = unicodedata.normalize("NFC" if compat else "NFKC", ch)
        if new != ch:
            rec.add(("compat-ideograph",) if compat else ("radical",), (ch, new))
        return new
    return _LOOK_ALIKE_HAN.sub(repl, s)


_FW_ALNUM = re.compile(r"[０-９]+|[Ａ-Ｚａ-ｚ]+")
_TO_HALF = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}


def _step_fullwidth_alnum(s: str, rec: _Changes) -> str:
    def repl(m: re.Match[str]) -> str:
        half = m.group().translate(_TO_HALF)
        kind = "fw-digit" if m.group()[0] in "０１２３４５６７８９" else "fw-letter"
        rec.add((kind,), (m.group(), half))
        return half
    return _FW_ALNUM.sub(repl, s)


_HW_CJK = {"｡": "。", "､": "、", "｢": "「", "｣": "」"}


def _step_fullwidth_symbols(s: str, rec: _Changes, body: bool) -> str:
    """Full-width symbols inside numbers, codes, phone numbers, e-mails → half-width."""
    out = list(s)
    for i, ch in enumerate(s):
        left, right = _at(s, i - 1), _at(s, i + 1)
        new = None
        if ch in "．－／＠＿" and _is_ascii_alnum(left) and _is_ascii_alnum(right):
            new = ch.translate(_TO_HALF)            # １．５, ０２０－８７７５０２１７, ａ＠ｂ．ｃｏｍ
        elif ch == "：" and _is_ascii_digit(left) and _is_ascii_digit(right):
            new = ":"                               # a time: １５：００ → 15:00
        elif ch == "％" and _is_ascii_digit(left):
            new = "%"
        elif ch == "＋" and _is_ascii_digit(right) and not _is_ascii_alnum(left):
            new = "+"                               # ＋86
        elif ch in _HW_CJK:
            out[i] = _HW_CJK[ch]
            rec.add(("hw-cjk", ch), (ch, _HW_CJK[ch]))
            continue
        elif ch == "．" and body and _is_list_marker(s, i):
            out[i] = "、"                                 # 一．本公司 → 一、本公司
            rec.add(("ordinal",))
            continue
        elif (ch == "．" and body and (_is_cjk(_prev(s, i)) or _prev(s, i) in _CLOSING_PUNCT)
              and not _is_ascii_alnum(right)):
            out[i] = "。"
            rec.add(("stop-fw",))
            continue
        if new is not None:
            out[i] = new
            rec.add(("fw-symbol", ch), (ch, new))
    return "".join(out)


# Paragraph breaks in a body (see the module's docstring): what ends the line before, what
# starts the line after, and lines that stand alone.
_SENTENCE_END = re.compile(r"(?:[。！？；!?;]|(?<![0-9A-Za-z])\.)[”’）」』》\]）)]*$")
_LEAD_IN_END = re.compile(r"[：:]$")
_LABEL_BEFORE_COLON = re.compile(r"(?:代码|号码|编号|号|电话|手机|地址|联系人|名称|简称|日期|账号|账户|邮箱|"
                                 r"传真|邮编|开户行)[：:]$")
_SECTION_START = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]"
                            r"|\d{1,2}[、.．](?!\d)|第[一二三四五六七八九十百\d]+[条章节]|特此|附件)")
# The header items, the closing and the date line as typesetting/paragraphs.py reads them too (the
# engine imports nothing of notices/, docs/architecture.md): a change to one is made to both.
_HEADER_ITEM = re.compile(r"(?:(?:证券|股票|债券|基金)(?:代码|简称)|公告编号)[：:]")
_HEADER_LINE = re.compile(r"^(?:(?:证券|股票|债券|基金)(?:代码|简称)|公告编号)[：:]")
_HEADING_LINE = re.compile(r"^[^，。；,;！？!?]{2,60}(?:公告|声明|通知|启事|公示|通告)$")
_DATE_LINE = re.compile(r"^(?:\d{4}年\d{1,2}月\d{1,2}日|\d{4}[-./]\d{1,2}[-./]\d{1,2}"
                        r"|[〇零○一二三四五六七八九]{4}年[〇一二三四五六七八九十]{1,2}月[〇一二三四五六七八九十]{1,3}日)。?$")
_CLOSING = re.compile(r"特此(?:公告|声明|通知|说明|公示|通告|函告|告知)[。！!]?$")
_LINE_SPLIT = re.compile(f"[{_LINE_BREAKS}]")


def _paragraph_break(s: str, start: int, end: int) -> bool:
    """Is the line break in s[start:end] (a run of white space) the end of a paragraph?"""
    before = _LINE_SPLIT.split(s[:start])
    after = _LINE_SPLIT.split(s[end:], maxsplit=1)
    line, following = before[-1].strip(_SPACES), after[0].strip(_SPACES)
    if not line or not following:
        return False
    if _SENTENCE_END.search(line) or (_LEAD_IN_END.search(line) and not _LABEL_BEFORE_COLON.search(line)):
        return True
    if _SECTION_START.match(following) or _DATE_LINE.match(following):
        return True
    if _SECTION_START.match(line) and not re.search(r"[，。；,;]", line):
        return True     # a section's heading: 一、通知债权人的原因
    if any(_HEADER_LINE.match(x) or _HEADING_LINE.match(x) for x in (line, following)):
        return True
    # After a line that is the closing, the signature: every line its own.
    return any(_CLOSING.search(earlier.strip(_SPACES)) for earlier in before)


def _step_whitespace(s: str, rec: _Changes, body: bool) -> str:
    """Spaces next to Chinese characters or punctuation go; between two Latin words one space
    stays; a line break in a body that ends a paragraph stays (one "\\n"), any other joins the
    lines."""
    def repl(m: re.Match[str]) -> str:
        run = m.group()
        # The text is stripped first, so a run always has a character on both sides.
        left, right = _at(s, m.start() - 1), _at(s, m.end())
        keep = not (_is_cjk_context(left) or _is_cjk_context(right))
        new = " " if keep else ""
        if body and not any(c in _LINE_BREAKS for c in run) and _HEADER_ITEM.match(s, m.end()) \
                and _HEADER_LINE.match(_LINE_SPLIT.split(s[:m.start()])[-1]):
            # Between the items of a header line (证券代码：600000 证券简称：某某): one space.
            if run != " ":
                rec.add(("space-collapse",) if set(run) == {" "} else ("space-special",))
            return " "
        if any(c in _LINE_BREAKS for c in run):
            if body and _paragraph_break(s, m.start(), m.end()):
                if run != "\n":
                    rec.add(("paragraph",))
                return "\n"
            rec.add(("linebreak" if body else "linebreak-field",))
        elif new == run:
            pass
        elif not keep:
            if _is_cjk(left) and _is_cjk(right):
                rec.add(("space-cjk",))
            elif _is_punct(left) or _is_punct(right):
                rec.add(("space-punct",))
            else:
                rec.add(("space-mixed",))
        elif set(run) == {" "}:
            rec.add(("space-collapse",))
        else:
            rec.add(("space-special",))
        return new
    return _WS_RUN.sub(repl, s)


_RUNS = re.compile(r"\.{3,}|。{3,}|…+|[-－—―]{2,}|[—―]")


def _step_runs(s: str, rec: _Changes) -> str:
    """Ellipsis → “……”, dash → “——” (GB/T 15834: both take two character widths)."""
    mask = _protected(s)

    def repl(m: re.Match[str]) -> str:
        run = m.group()
        if any(mask[m.start():m.end()]):
            return run
        context = _is_cjk_context(_prev(s, m.start())) or _is_cjk_context(_next(s, m.end() - 1))
        if run[0] in ".。…":
            if run == "……" or (run[0] != "。" and not context):
                return run
            rec.add(("ellipsis",), (run, "……"))
            return "……"
        if set(run) == {"—"} and len(run) >= 2:
            return run                                   # already a Chinese dash
        if not context:
            return run                                   # "--" in Latin text, codes
        rec.add(("dash",), (run, "——"))
        return "——"
    return _RUNS.sub(repl, s)


def _step_parens(s: str, rec: _Changes) -> str:
    """( ) → （ ） when the content or a neighbour is Chinese, or the other half already is full-width."""
    mask = _protected(s)
    out = list(s)
    stack: list[int] = []
    pairs: list[tuple[int, int]] = []
    for i, ch in enumerate(s):
        if mask[i]:
            continue
        if ch in "(（":
            stack.append(i)
        elif ch in ")）":
            if stack:
                pairs.append((stack.pop(), i))
            elif ch == ")" and (_is_cjk_context(_prev(s, i)) or _is_cjk_context(_next(s, i))):
                out[i] = "）"                             # unpaired closing bracket
                rec.add(("paren",))
    for i in stack:                                      # unpaired opening brackets
        if s[i] == "(" and (_is_cjk_context(_prev(s, i)) or _is_cjk_context(_next(s, i))):
            out[i] = "（"
            rec.add(("paren",))
    for o, c in pairs:
        if s[o] == "（" and s[c] == "）":
            continue
        if (s[o] == "（" or s[c] == "）" or any(_is_cjk(ch) for ch in s[o + 1:c])
                or _is_cjk_context(_prev(s, o)) or _is_cjk_context(_next(s, c))):
            out[o], out[c] = "（", "）"
            rec.add(("paren",))
    return "".join(out)


def _step_quotes(s: str, rec: _Changes, straight: str, opening: str, closing: str, key: str) -> str:
    """Straight quotes → curly when they enclose Chinese or stand next to it.

    Pairing: a curly opening quote opens, a curly closing quote closes, a straight quote closes
    an open quote or else opens one. A converted straight quote becomes the curly quote of the
    role it played, so the next pass pairs the same way (idempotence)."""
    mask = _protected(s)
    out = list(s)
    open_at: int | None = None
    pairs: list[tuple[int, int]] = []
    for i, ch in enumerate(s):
        if mask[i] or ch not in straight + opening + closing:
            continue
        if key == "squote" and ch not in opening and _is_ascii_alnum(_at(s, i - 1)) \
                and _is_ascii_alnum(_at(s, i + 1)):
            continue                                     # apostrophe: company's, O'Brien
        if ch == opening:
            open_at = i
        elif ch == closing:
            if open_at is not None:
                pairs.append((open_at, i))
            open_at = None
        elif open_at is not None:
            pairs.append((open_at, i))
            open_at = None
        else:
            open_at = i
    for o, c in pairs:
        if s[o] == opening and s[c] == closing:
            continue
        if (s[o] == opening or s[c] == closing or any(_is_cjk(ch) for ch in s[o + 1:c])
                or _is_cjk_context(_prev(s, o)) or _is_cjk_context(_next(s, c))):
            out[o], out[c] = opening, closing
            rec.add((key,))
    return "".join(out)


_CN_NUMERALS = frozenset("一二三四五六七八九十")


def _is_list_marker(s: str, i: int) -> bool:
    """'.' after a Chinese numeral that starts the text or follows punctuation: 一.  二."""
    j = i - 1
    while j >= 0 and s[j] in _CN_NUMERALS:
        j -= 1
    return j < i - 1 and (j < 0 or _is_punct(s[j]) or s[j] in _WS) and _is_cjk_context(_at(s, i + 1))


def _step_punct(s: str, rec: _Changes, body: bool) -> str:
    """, ; : ? ! → full-width next to Chinese; '.' → '。' at a sentence end after Chinese."""
    mask = _protected(s)
    out = list(s)
    for i, ch in enumerate(s):
        if mask[i]:
            continue
        if ch in _PUNCT_FULL:
            # 1,000 / 15:00 / 020-8775 have digits on both sides: never Chinese context.
            if _is_cjk_context(_prev(s, i)) or _is_cjk_context(_next(s, i)):
                out[i] = _PUNCT_FULL[ch]
                rec.add(("punct", ch), (ch, _PUNCT_FULL[ch]))
        elif ch == "." and body:
            left = _prev(s, i)
            if _is_list_marker(s, i):
                out[i] = "、"                             # GB/T 15834: 一、二、 not 一. 二.
                rec.add(("ordinal",))
                continue
            # Only a sentence end after a Chinese character (or closing bracket/quote):
            # never 1.5万元, 2020.09.19, No.1, abc.com.
            if (_is_cjk(left) or left in _CLOSING_PUNCT) and not _is_ascii_alnum(_at(s, i + 1)) \
                    and _at(s, i + 1) != ".":
                out[i] = "。"
                rec.add(("stop",))
    return "".join(out)


_MAX_PASSES = 20   # each pass only moves text towards the normal form; 2–3 passes are typical


def _normalise(text: str, body: bool) -> Normalised:
    rec = _Changes()
    s = _strip(text)
    for _ in range(_MAX_PASSES):
        before = s
        s = _step_look_alike_han(s, rec)    # before NFC, which would take the compatibility ones unreported
        s = _step_nfc(s, rec)
        s = _step_fullwidth_alnum(s, rec)
        s = _step_fullwidth_symbols(s, rec, body)
        s = _strip(_step_whitespace(s, rec, body))
        s = _step_runs(s, rec)
        s = _step_parens(s, rec)
        s = _step_quotes(s, rec, "\"＂", "“", "”", "dquote")
        s = _step_quotes(s, rec, "'＇", "‘", "’", "squote")
        s = _step_punct(s, rec, body)
        if s == before:
            break
    return Normalised(s, rec.lines())


def normalise_text(text: str) -> Normalised:
    """A notice body as the newspaper prints it: its paragraphs separated by one "\\n" (see
    the module's docstring for which line breaks end one). Idempotent."""
    return _normalise(text, body=True)


def normalise_field(value: str) -> Normalised:
    """A one-line field (name, code, phone, address…): the same rules, except that a final '.'
    is not turned into '。' (a field is not a sentence; the composed text adds its own
    punctuation). Idempotent."""
    return _normalise(value, body=False)
