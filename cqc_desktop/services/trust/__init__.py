"""Trust: users and sign-in, permissions, settings, the audit trail and its verification,
backups, restore and privacy. May import the shared core and models only.
"""
