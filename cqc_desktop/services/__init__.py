"""Business rules for CQC Desktop: functions over a SQLAlchemy session, never Qt.

The shared core sits here (errors, keyset paging, text search, reference data); each capability is a
package below it. Capabilities depend one way, lowest first: trust → setup → plans → records →
governance → reporting → demo; each may import the core, models and those before it, never after.
"""
