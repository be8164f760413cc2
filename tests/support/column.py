"""The engine's seed column: the notices of the seed page as column items (tests/data)."""
from __future__ import annotations

import json

from tests.conftest import DATA
from typesetting import ColumnItem

SEED = json.loads((DATA / "typeset-seed-notices.json").read_text(encoding="utf-8"))


def seed_items() -> list[ColumnItem]:
    return [ColumnItem(f"seed-{i}", f"{n['title']}#{i}", n["title"], n["text"], n["type"])
            for i, n in enumerate(SEED)]
