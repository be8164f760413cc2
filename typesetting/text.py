"""Notice text: normalisation and the character classes the line breaker obeys (禁则)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# 行首禁则: never at the start of a line. Closing brackets and quotes, sentence and clause
# punctuation (full- and half-width), iteration marks, the prolonged sound mark, small kana,
# and units that belong to the number before them.
NO_LINE_START = frozenset(
    "，。、；：？！）」』】》〉〕〗〙〛｝］’”…‥·・‐－﹏～"
    "々〻ー゛゜ゝゞヽヾぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
    ",.;:?!)]}%‰℃°′″"
)
# 行尾禁则: never at the end of a line. Opening brackets and quotes, and currency signs that
# belong to the number after them.
NO_LINE_END = frozenset("（「『【《〈〔〖〘〚｛［‘“([{¥￥$＄#＃")

# 标点挤压: where two punctuation marks meet, the blank half of an em between their glyphs goes.
# A full-width mark whose glyph sits in the left half of its em box (clause and sentence marks,
# closing brackets and quotes, as Simplified Chinese fonts draw them) gives up its empty right
# half when any mark follows it: "），" "。”" "，“" take an em and a half, not two. An opening
# mark sits in the right half: where it follows another opening mark ("（“", "《「") it gives up
# its empty left half - its glyph is drawn half an em to the left (the fonts' "halt" form moves
# it by a glyph offset; linebreak.py models where WeasyPrint puts it).
COMPRESSIBLE = frozenset("，。、；：？！）」』】》〉〕〗〙〛｝］”’")
OPENING_MARKS = frozenset("（「『【《〈〔〖〘〚｛［“‘")
_PUNCTUATION = COMPRESSIBLE | OPENING_MARKS

# Inside a protected run a break may fall only before a letter or digit ("never before
# punctuation": 020-|87750217 is allowed, 020|-87750217 is not).
_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

# Runs that stay whole on one line unless that makes a loose line: credit codes (18), 15-digit
# registration numbers, ID numbers, licence numbers (S2612019050774G), seal codes, phone numbers
# (020-87750217), dates (2020-09-19, 2020年09月19日), amounts with decimals.
PROTECTED_RUN = re.compile(
    r"\d{1,4}年\d{1,2}月(?:\d{1,2}日)?"
    r"|\d{1,2}月\d{1,2}日"
    r"|[0-9A-Za-z]+(?:[-./:·][0-9A-Za-z]+)*"
)

_ZERO_WIDTH_AND_BIDI = dict.fromkeys(
    [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD,  # zero-width, soft hyphen, BOM
     0x200E, 0x200F, 0x061C,                          # direction marks
     *range(0x202A, 0x202F), *range(0x2066, 0x206A)])  # embeddings/isolates (spoofing)


# Line breaks: a run of white space holding one of these separates two paragraphs.
_LINE_BREAKS = frozenset("\n\r\u2028\u2029")


# Cached: a column checks each notice's stored setting against its text (SetNotice.holds) every
# time it is set or exported, some 20 µs a notice each time.
@lru_cache(maxsize=4096)
def normalize_text(text: str) -> str:
    """The text as it will print: NFC, its paragraphs separated by one "\\n" (a run of white
    space that holds a line break; paragraphs.py sets each on its own), every other run of
    whitespace one space, none at the ends of a paragraph, zero-width/bidi/control characters
    dropped. Text without line breaks is one paragraph, as before.

    Deliberately no more than that: the app normalises notice text (full-width digits, Chinese
    punctuation …) in notices/text.py, tells the advertiser what changed, and stores the result;
    the engine prints exactly that. A second normaliser here could print something other than
    what was confirmed (tests/domain/test_text.py checks this one leaves app-normalised text alone).
    The characters dropped here are refused by the app before they get this far; dropping them
    is only the engine's own defence for other callers.
    """
    text = unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH_AND_BIDI)
    chars = []
    for char in text:
        if char in _LINE_BREAKS:
            chars.append("\n")
        elif char.isspace():
            chars.append(" ")
        elif unicodedata.category(char) in ("Cc", "Cs"):
            continue  # control characters and lone surrogates print as nothing useful
        else:
            chars.append(char)
    joined = "".join(chars)
    if "\n" not in joined:
        return re.sub(r" +", " ", joined).strip()
    paragraphs = (re.sub(r" +", " ", line).strip() for line in joined.split("\n"))
    return "\n".join(line for line in paragraphs if line)


def compressed_positions(text: str) -> tuple[int, ...]:
    """Offsets of the marks set half-width: a closing or clause mark another punctuation mark
    follows, and an opening mark that follows another opening mark."""
    return tuple(i for i in range(len(text))
                 if (text[i] in COMPRESSIBLE and i + 1 < len(text) and text[i + 1] in _PUNCTUATION)
                 or (text[i] in OPENING_MARKS and i > 0 and text[i - 1] in OPENING_MARKS))


def count_chars(title: str, body: str) -> int:
    """Characters a per-character rate counts: everything printed but spaces."""
    return sum(1 for char in title + body if not char.isspace())


def protected_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the runs that should stay on one line (codes, numbers, dates)."""
    return [m.span() for m in PROTECTED_RUN.finditer(text) if m.end() - m.start() > 1]


def break_allowed_inside_run(after: str) -> bool:
    """Inside a protected run, may a line start with `after`? Only a letter or digit may."""
    return after in _ALNUM
