"""The paper's telephone numbers as an advertiser dials them: with the area code, as tel: links.

A local number (87750217) reaches the paper only from inside its city; on a mobile phone, or
from another city, it needs the area code (020). So the pages show "020-87750217" and link
`tel:+862087750217` (RFC 3966 wants a global number: the country code 86, the area code
without its trunk 0). A mobile number (13800138000) and a 400/800 number have no area code;
a number written with its area code ((020)8775-0217, 020-87750217) keeps what it says.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# A telephone number written without blanks: 87750217, 020-87750217, (020)87750217, 13800138000,
# +86 20 8775 0217 is three pieces, so blanks separate numbers ("87750217 87133731" is two).
PHONE_NUMBER = re.compile(r"\+?\(?\d[\d()\-]{5,18}\d(?![\d()\-])")
AREA_CODE = re.compile(r"0\d{2,3}")
COUNTRY = "86"


@dataclass(frozen=True)
class Dialled:
    start: int
    end: int
    shown: str      # as the page writes it: 020-87750217
    tel: str        # the link: tel:+862087750217


def dial(number: str, area_code: str = "") -> tuple[str, str]:
    """(as shown, tel: URI) of one number as written; `area_code` (020) completes a local one."""
    digits = re.sub(r"\D", "", number)
    if number.startswith("+"):
        return number, f"tel:+{digits}"
    if re.fullmatch(r"1[3-9]\d{9}", digits) or re.fullmatch(r"[48]00\d{7}", digits):
        return number, f"tel:+{COUNTRY}{digits}"                 # mobile, 400/800: no area code
    if digits.startswith("0") and len(digits) >= 10:
        return number, f"tel:+{COUNTRY}{digits[1:]}"            # written with its area code
    if 7 <= len(digits) <= 8 and AREA_CODE.fullmatch(area_code):
        return f"{area_code}-{number}", f"tel:+{COUNTRY}{area_code[1:]}{digits}"
    return number, f"tel:{digits}"                                # area unknown: as written


def phone_numbers(text: str, area_code: str = "") -> list[Dialled]:
    """Every telephone number in the text, where it is, as shown and as dialled."""
    out = []
    for m in PHONE_NUMBER.finditer(text):
        shown, tel = dial(m.group(0), area_code)
        out.append(Dialled(m.start(), m.end(), shown, tel))
    return out


def with_area_code(text: str, area_code: str = "") -> str:
    """The text with each local number completed by the area code, as the pages show it: what a
    mail or any plain text says, read on a mobile phone or in another city, still dials the paper
    ("87750217 87133731" → "020-87750217 020-87133731")."""
    out, last = [], 0
    for number in phone_numbers(text, area_code):
        out += [text[last:number.start], number.shown]
        last = number.end
    return "".join(out) + text[last:]
