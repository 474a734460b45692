"""Signing in, the idle lock, users and roles, backups and restore, the audit trail and a
record's history. May import services and ui/widgets.
"""
