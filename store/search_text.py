"""The normalised text a desk search compares (store/search.py): NFKC, case folded, without
spaces, dashes and control characters. Apart from store/search.py because store/models.py fills
NoticeRevision.search_text with it, and the search itself reads the models: one module imported
by both keeps the store free of import circles (tests/system/test_imports.py)."""
from __future__ import annotations

import json
import unicodedata

# Dropped from both sides: what people put between the groups of a code or a phone number.
_SEPARATORS = frozenset("-‐‑‒–—―﹣")
# Between two fields in search_text: kept by `normalise`, so that a query never matches across
# the end of one field and the start of the next.
FIELD_SEPARATOR = "|"


def normalise(value: str) -> str:
    """What a search compares: NFKC (full-width → ASCII), case folded, without spaces, dashes
    and control characters."""
    folded = unicodedata.normalize("NFKC", value or "").casefold()
    # Control and format characters dropped too: a NUL typed into the box reached PostgreSQL,
    # which refuses it in text (a 500), and a zero-width space must not hide a match.
    return "".join(c for c in folded if not c.isspace() and c not in _SEPARATORS
                   and unicodedata.category(c) not in ("Cc", "Cf"))


def revision_search_text(fields_json: str | None, text: str | None) -> str:
    """The normalised fields and text of one revision, as stored in NoticeRevision.search_text."""
    try:
        fields = json.loads(fields_json or "{}")
    except ValueError:
        fields = {}
    values: list[str] = []
    if isinstance(fields, dict):
        for value in fields.values():
            if isinstance(value, str) and value.strip():
                values.append(value)
            elif isinstance(value, (list, tuple)):
                values.extend(str(v) for v in value if isinstance(v, (str, int)))
    values.append(text or "")
    return FIELD_SEPARATOR + FIELD_SEPARATOR.join(normalise(v) for v in values) + FIELD_SEPARATOR


def search_default(context) -> str:
    """Column default of NoticeRevision.search_text: made from the row's own fields and text, so
    that every way of inserting a revision (the ORM, a Core insert) fills it."""
    params = context.get_current_parameters()
    return revision_search_text(params.get("fields_json"), params.get("text"))
