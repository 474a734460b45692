"""Keyset paging: the model holds one page until the view asks for more, and sorts in SQL."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from sqlalchemy import select
from sqlalchemy.orm import Session

from cqc_desktop.db import Database
from cqc_desktop.models import Person
from cqc_desktop.services.listing import Page, keyset_page
from cqc_desktop.ui.widgets.paged_model import PagedColumn, PagedTableModel
from cqc_desktop.ui.widgets.table_models import ID_ROLE


def _people(db: Database, n: int) -> None:
    with db.unit_of_work() as s:
        s.add_all(
            Person(name=f"Person {i:04d}", role="Carer" if i % 3 else "Senior") for i in range(n)
        )


def _loader(db: Database):  # type: ignore[no-untyped-def]
    sorts = {"name": Person.name, "role": Person.role}

    def load(sort: str, desc: bool, after: tuple[Any, int] | None, limit: int) -> Page:
        column = sorts[sort]
        stmt = select(Person.name, Person.role, column, Person.id)
        with Session(db.engine) as s:
            return keyset_page(
                s, stmt, sort=column, row_id=Person.id, descending=desc, after=after, limit=limit
            )

    return load


def test_pages_until_every_row_is_loaded_once(db: Database) -> None:
    _people(db, 250)
    model = PagedTableModel(
        [
            PagedColumn("Name", lambda r: r.name, "name"),
            PagedColumn("Role", lambda r: r.role, "role"),
        ],
        _loader(db),
        lambda r: r.id,
        default_sort=("name", False),
        page_size=100,
    )
    model.reload()
    assert model.rowCount() == 100 and model.canFetchMore()
    model.fetchMore()
    model.fetchMore()
    assert model.rowCount() == 250 and not model.canFetchMore()
    names = [model.index(i, 0).data() for i in range(250)]
    assert names == sorted(names) and len(set(names)) == 250
    assert model.index(0, 0).data(ID_ROLE) == 1


def test_sort_descending_by_a_column_with_ties(db: Database) -> None:
    _people(db, 120)
    model = PagedTableModel(
        [
            PagedColumn("Name", lambda r: r.name, "name"),
            PagedColumn("Role", lambda r: r.role, "role"),
        ],
        _loader(db),
        lambda r: r.id,
        default_sort=("name", False),
        page_size=50,
    )
    model.sort(1, Qt.SortOrder.DescendingOrder)
    while model.canFetchMore():
        model.fetchMore()
    rows = [model.row_at(i) for i in range(model.rowCount())]
    # Many rows share a role: paging on (role, id) must neither skip nor repeat any of them.
    assert len({r.id for r in rows}) == 120
    assert [r.role for r in rows] == sorted((r.role for r in rows), reverse=True)
