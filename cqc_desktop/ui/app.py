"""Starting the desktop app (and the offscreen screenshot mode used by tests and the README)."""

from __future__ import annotations

import os
import re
import sys
from datetime import date
from pathlib import Path

from .. import APP_NAME
from ..config import DataLocation
from ..db import Database, DatabaseProblem


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower().replace("&", "")).strip("-")


def launch(
    location: DataLocation,
    *,
    demo: bool = False,
    screenshot_dir: Path | None = None,
    today: date | None = None,
    size: str = "1366x768",
) -> int:
    if screenshot_dir is not None:
        # Must be set before the QApplication exists.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QMessageBox

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("CQC Desktop")
    try:
        db = Database(location)
    except DatabaseProblem:
        if screenshot_dir is not None:
            raise
        QMessageBox.critical(None, APP_NAME, str(sys.exc_info()[1]))
        return 1
    if demo and db.is_empty():
        from ..services.demo import seed_demo

        with db.unit_of_work() as session:
            seed_demo(session, today or date.today(), location.attachments_dir)

    from .context import AppContext
    from .main_window import MainWindow

    ctx = AppContext(db, demo=demo, today=(lambda: today) if today else date.today)
    window = MainWindow(ctx)
    if screenshot_dir is not None:
        return _screenshots(app, window, screenshot_dir, size)
    window.show()
    return app.exec()


def _screenshots(app: object, window: object, folder: Path, size: str) -> int:
    from PySide6.QtWidgets import QApplication

    from .main_window import MainWindow

    assert isinstance(window, MainWindow)
    try:
        width, height = (int(v) for v in size.lower().split("x"))
    except ValueError:
        raise DatabaseProblem(f"--size must look like 1366x768, not {size}") from None
    folder.mkdir(parents=True, exist_ok=True)
    window.resize(width, height)
    window.show()
    for index, title in enumerate(window.tab_titles()):
        window.tabs.setCurrentIndex(index)
        QApplication.processEvents()
        window.grab().save(str(folder / f"{_slug(title)}.png"))
    window.close()
    return 0
