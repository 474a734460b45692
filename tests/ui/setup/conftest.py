"""The set-up wizard ends by showing the one-time recovery code in a message box; here it is
recorded instead, so a test can check it was shown (a modal box would wait for a click)."""

from __future__ import annotations

from typing import Any

import pytest

from cqc_desktop.ui.setup import wizard


@pytest.fixture(autouse=True)
def recovery_code_shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []

    def record(_parent: Any, _title: str, text: str) -> None:
        shown.append(text)

    monkeypatch.setattr(wizard, "inform", record)
    return shown
