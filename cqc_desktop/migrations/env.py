"""Alembic environment: uses the engine handed over by the app (or a URL for developers)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from cqc_desktop.migrations import include_name
from cqc_desktop.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            # SQLite cannot ALTER most things in place; batch mode copies the table instead.
            render_as_batch=True,
            compare_type=True,
            include_name=include_name,
        )
        context.run_migrations()


run()
