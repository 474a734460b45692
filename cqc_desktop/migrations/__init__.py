"""Alembic migrations shipped inside the package.

Start-up compares the stored revision with ``HEAD_REVISION`` instead of loading Alembic's
environment, so opening an up-to-date database costs one small query. A test keeps these constants
in step with the scripts in ``versions/``.
"""

HEAD_REVISION = "0001"
KNOWN_REVISIONS = ("0001",)
