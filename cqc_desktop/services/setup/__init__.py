"""Setting a provider up: care homes and the people who work in them.
May import the shared core, models and trust.
"""
