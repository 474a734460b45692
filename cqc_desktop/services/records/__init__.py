"""What staff fill in: trackers and their import, derived measures, incidents, observations,
handovers and logs, and their exports. May import the core, models, trust, setup and plans.
"""
