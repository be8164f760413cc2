"""How an input names its help and its errors to assistive technology (WCAG 1.3.1, 3.3.1).

An input with errors says so (aria-invalid) and points at the messages under it and at its help
(aria-describedby), by ids the template gives them: `<id>-help`, `<id>-error-0`, `<id>-error-1` …
The template asks for the help id only where it writes the help, so no id points at nothing.
"""
from __future__ import annotations

from typing import Any


def error_id(field: Any, index: int) -> str:
    return f"{field.id}-error-{index}"


def described(field: Any, help: bool = True) -> dict[str, str]:
    """The aria attributes of `field`'s input, for `field(**described(field))`."""
    ids = [f"{field.id}-help"] if help else []
    ids += [error_id(field, i) for i in range(len(field.errors))]
    attrs = {"aria-describedby": " ".join(ids)} if ids else {}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return attrs
