"""Business rules for CQC Desktop. Functions take a SQLAlchemy session; no Qt imports."""
