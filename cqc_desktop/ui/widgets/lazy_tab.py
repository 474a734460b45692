"""Tabs built the first time they are shown.

The main window has nine tabs, and building one means importing its module (and what that pulls
in: charts, report catalogues, dialogs) and loading its first page of data. Built eagerly, all
nine stood between signing in and seeing the window; on a provider's ten-home database that was
seconds. A ``LazyTab`` is the light page that sits in the ``QTabWidget`` instead, and builds the
real tab inside itself the first time it becomes current (``LazyTabWidget``), so start-up builds
only the tab the user sees first.

The real tab lives inside the page (not swapped in for it), so tab indexes, titles and the
``currentChanged`` signal never move while the user is switching tabs.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget


class LazyTab(QWidget):
    """A tab page that builds its content with ``factory`` the first time ``content()`` is asked
    for (or the page is shown)."""

    def __init__(self, factory: Callable[[], QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._factory = factory
        self._content: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    @property
    def is_built(self) -> bool:
        return self._content is not None

    def content(self) -> QWidget:
        """The real tab, built now if it has not been yet."""
        if self._content is None:
            widget = self._factory()
            self._content = widget
            self._layout.addWidget(widget)
            self.setFocusProxy(widget)
        return self._content

    def showEvent(self, event: QShowEvent) -> None:
        # The tab widget builds the current page before it is shown; this covers any other way
        # of showing the page.
        self.content()
        super().showEvent(event)


class LazyTabWidget(QTabWidget):
    """A ``QTabWidget`` whose ``LazyTab`` pages are built when they become current."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._watching = False

    def add_lazy(self, factory: Callable[[], QWidget], title: str) -> LazyTab:
        page = LazyTab(factory)
        self.addTab(page, title)
        return page

    def start(self) -> None:
        """Build the current page, and from now on each page as it becomes current. Called once
        the tabs are added and the last-shown tab restored, so no other tab is built on the way."""
        if not self._watching:
            self._watching = True
            self.currentChanged.connect(self.content)
        if self.currentIndex() >= 0:
            self.content(self.currentIndex())

    def content(self, index: int) -> QWidget | None:
        """The real tab at ``index``, built now if need be (None for an index out of range)."""
        page = self.widget(index)
        return page.content() if isinstance(page, LazyTab) else page

    def current_content(self) -> QWidget | None:
        return self.content(self.currentIndex())

    def is_built(self, index: int) -> bool:
        page = self.widget(index)
        return not isinstance(page, LazyTab) or page.is_built
