"""The demo: the three worked scenarios, read from data files in resources/demo and entered
through the same services a user's actions go through. May import any service capability.
"""
