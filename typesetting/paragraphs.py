"""A notice of several paragraphs: what each paragraph is, in what order it prints, how it is set.

The body's paragraphs are separated by "\\n" (text.normalize_text keeps a line break as one; the
app decides which of the advertiser's line breaks are paragraph breaks, notices/text.py). A
notice without one is a single paragraph and is set exactly as before: the title run in, every
line but the last justified.

With several, each paragraph is set on its own (its last line flush left, unjustified), by role:

- a **header** (证券代码：600000 证券简称：某某 公告编号：2026-001, a listed company's): first,
  before the title, each item on a line of its own, flush left: a 13-character column has no
  room for two, and the items must not run into the title or into each other;
- the **title's paragraph**: the first paragraph that is not a header; the title runs into it
  (no indent), as in a notice of one paragraph. Unless that paragraph is a heading (the notice's
  own name: a company's name and 关于…的公告): the bold title must not run into it, so it stands
  on a line of its own (role **title**, flush left, where a run-in title starts), and the
  heading follows, centred;
- a **heading** (a line of its own that names the notice: "关于…的公告", and the company's name
  directly above it): centred, unjustified, its lines balanced (as many as set greedily, of
  nearly equal length, not broken inside one of HEADING_WORDS where that can be avoided);
- a **section** heading (一、通知债权人的原因 / （一）债权申报所需材料 / 1. 申报方式: a short
  paragraph, at most MAX_SECTION_CHARS, that starts with a section number and has no sentence
  punctuation after it): indented like a body paragraph, unjustified, its wrapped part flush
  left (a title, not a sentence: never letter-spaced to the column edge);
- the **signature** (落款: the names and the date after 特此公告/特此声明, or a last date line and
  the names directly above it): flush right, unjustified;
- every other paragraph: justified, its first line indented by LayoutSettings.paragraph_indent_em.

The roles are read from the text alone (the engine knows no notice types): a wrong guess sets
a paragraph flush left or centred instead, never drops or reorders its words (the header is the
only paragraph moved, and only to the top, where it was typed in every notice seen).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BODY, HEADER, HEADING, SECTION, SIGNATURE, TITLE = ("body", "header", "heading", "section", "signature",
                                                   "title")

# The header items, the closing and the date line are read by notices/text.py too (where it
# decides which line breaks are paragraph breaks; the engine imports nothing of notices/):
# a change to one is made to both.
# An item of a listed company's header line, where it starts.
HEADER_ITEM = re.compile(r"(?:证券|股票|债券|基金)(?:代码|简称)[：:]|公告编号[：:]")
# The closing sentence after which a signature follows.
CLOSING = re.compile(r"特此(?:公告|声明|通知|说明|公示|通告|函告|告知)[。！!]?$")
# A date line of a signature: 2026年11月26日, 二〇二六年十一月二十六日, 2026-11-26.
DATE_LINE = re.compile(r"(?:\d{4}年\d{1,2}月\d{1,2}日|\d{4}[-./]\d{1,2}[-./]\d{1,2}"
                       r"|[〇零○一二三四五六七八九]{4}年[〇一二三四五六七八九十]{1,2}月[〇一二三四五六七八九十]{1,3}日)")
# Sentence punctuation: a line that has it is prose, not a name, a heading or a date.
_SENTENCE = re.compile(r"[，。；！？,;!?：:]")
_HEADING_END = re.compile(r"(?:公告|声明|通知|启事|公示|通告)$")
MAX_HEADING_CHARS = 60
# Words a heading's lines do not break inside ("…的公 / 告") wherever another break keeps them as
# few (linebreak balances a heading, and evenness comes after this): the notice's name, how its
# name starts, a company's name's ending, and words of the notices the desk takes (减资, 合并).
# No dictionary: any other word may be broken where that makes the lines more even.
HEADING_WORDS = re.compile(r"关于|股份有限公司|有限责任公司|有限公司|公司|公告|声明|通知|启事|公示|通告"
                           r"|注册资本|债权人|限制性股票|吸收合并")
# A section heading's number, where it starts: 一、 十二、 （一） 1. 1、 （1） 第一章 第二节 第三部分
# (1.5亿元 is a number, not a section: no digit after its point).
SECTION_NUMBER = re.compile(r"(?:[一二三四五六七八九十]{1,3}[、．]|[（(][一二三四五六七八九十]{1,3}[）)]"
                            r"|\d{1,2}(?:[、．]|\.(?!\d))|[（(]\d{1,2}[）)]"
                            r"|第[一二三四五六七八九十百零〇\d]{1,4}(?:章|节|部分))\s*(?=\S)")
MAX_SECTION_CHARS = 30
MAX_SIGNATURE_CHARS = 40
MAX_SIGNATURE_PARAGRAPHS = 5


@dataclass(frozen=True)
class Paragraph:
    text: str               # TITLE: the title itself (no part of the body)
    role: str               # BODY, HEADER, HEADING, SECTION, SIGNATURE or TITLE
    title: bool = False     # the title runs into it


def is_header(text: str) -> bool:
    return HEADER_ITEM.match(text) is not None


def header_items(text: str) -> list[str]:
    """A header paragraph cut into its items (证券代码：600000 / 证券简称：某某 / …), each stripped."""
    starts = [m.start() for m in HEADER_ITEM.finditer(text)]
    if not starts or starts[0] != 0:
        starts = [0, *starts]
    pieces = [text[a:b].strip() for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    return [piece for piece in pieces if piece]


def inside_words(text: str) -> frozenset[int]:
    """Offsets in a heading where a line cannot start without cutting one of HEADING_WORDS
    (公|告: the offset of 告)."""
    return frozenset(at for match in HEADING_WORDS.finditer(text)
                     for at in range(match.start() + 1, match.end()))


def _is_name_or_date(text: str) -> bool:
    return len(text) <= MAX_SIGNATURE_CHARS and not _SENTENCE.search(text.rstrip("。"))


def is_section(text: str) -> bool:
    """A numbered section heading: short, a section number, then no sentence punctuation (一、公司
    于…召开董事会，审议通过…。 is a sentence that starts with a number: body text)."""
    number = SECTION_NUMBER.match(text)
    return number is not None and len(text) <= MAX_SECTION_CHARS \
        and not _SENTENCE.search(text, number.end())


def _is_heading(text: str) -> bool:
    return len(text) <= MAX_HEADING_CHARS and not _SENTENCE.search(text) \
        and _HEADING_END.search(text) is not None and not is_section(text)


def _signature_start(texts: list[str]) -> int:
    """Index of the first paragraph of the signature (len(texts) when there is none)."""
    n = len(texts)
    closings = [i for i, text in enumerate(texts) if CLOSING.search(text)]
    if closings:
        start = closings[-1] + 1
        if start < n and n - start <= MAX_SIGNATURE_PARAGRAPHS and \
                all(_is_name_or_date(text) for text in texts[start:]):
            return start
        return n
    if n < 2 or not DATE_LINE.fullmatch(texts[-1].rstrip("。")):
        return n
    start = n - 1
    while start > 1 and n - start < MAX_SIGNATURE_PARAGRAPHS and _is_name_or_date(texts[start - 1]) \
            and not DATE_LINE.fullmatch(texts[start - 1]):
        start -= 1
    return start


def paragraphs(title: str, body: str) -> list[Paragraph]:
    """The notice's paragraphs in the order they print, each with its role. body: normalised
    (text.normalize_text), paragraphs separated by "\\n"."""
    texts = body.split("\n")
    headers = 0
    while headers < len(texts) - 1 and is_header(texts[headers]):
        headers += 1
    signature = max(_signature_start(texts), headers + 1 if title else 0)

    def heading(index: int) -> bool:
        return _is_heading(texts[index]) or (index + 1 < signature and _is_heading(texts[index + 1])
                                             and _is_name_or_date(texts[index]))

    # The title runs into the first paragraph after the header, unless that is a heading: then
    # it stands on a line of its own, between the header and the heading.
    titled = headers if title and not heading(headers) else -1
    out = []
    for index, text in enumerate(texts):
        if index == headers and title and titled < 0:
            out.append(Paragraph(title, TITLE))
        if index < headers:
            role = HEADER
        elif index == titled:
            role = BODY
        elif index >= signature:
            role = SIGNATURE
        elif is_section(text):
            role = SECTION
        elif heading(index):
            role = HEADING
        else:
            role = BODY
        out.append(Paragraph(text, role, index == titled))
    return out


def printed_text(title: str, body: str, gap: str) -> str:
    """What the lines of a notice spell, in order: title, gap and body for one paragraph; with
    several, the paragraphs separated by "\\n" and the title (and gap) at the start of its own,
    or the title alone as a paragraph before a heading."""
    if "\n" not in body:
        return (title + gap if title else "") + body
    return "\n".join((title + gap + p.text) if p.title else p.text for p in paragraphs(title, body))
