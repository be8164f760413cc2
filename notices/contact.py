"""The advertiser's contact (name, phone, e-mail): the rules the web form and the API both apply.

The contact is not printed; the desk uses it to reach the advertiser about the notice. Each
caller words its own messages (the form next to an input, the API per "contact.phone" key), but
the limits and what counts as well formed are decided here, once.
"""
from __future__ import annotations

import re

from notices.text import ForbiddenCharacter, find_forbidden, normalise_field

# Column sizes of the stored contact (store/models.py), in characters.
NAME_MAX = 60
PHONE_MAX = 30
EMAIL_MAX = 120
# A Chinese number with area code is 10–12 digits, a mobile 11, an extension or +86 more;
# 7 (a local number) to 20 allows all of these and refuses a typo such as "138".
PHONE_DIGITS_MIN, PHONE_DIGITS_MAX = 7, 20
# Deliberately loose (one @, a dot after it, no blanks): the desk writes to it, it is not verified.
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def clean(value: str) -> tuple[str, list[ForbiddenCharacter]]:
    """The value as stored, and the forbidden characters found in it (none: an empty list).

    Trimmed and normalised as the notice's own fields are (notices/checks.py): "李⼩姐", typed
    with the radical ⼩, is kept as "李小姐". A value with a control character is not normalised:
    the caller refuses it.
    """
    value = value.strip()
    found = find_forbidden(value)
    if found:
        return value, found
    return normalise_field(value).text, []


def phone_digits_ok(phone: str) -> bool:
    """As many digits as a telephone number has (blanks, dashes and brackets are not counted)."""
    return PHONE_DIGITS_MIN <= len(re.sub(r"\D", "", phone)) <= PHONE_DIGITS_MAX


def email_ok(email: str) -> bool:
    """Looks like an address (name@example.com) and fits the stored column."""
    return len(email) <= EMAIL_MAX and EMAIL.fullmatch(email) is not None
