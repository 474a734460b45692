"""Oversight: governance meetings, agendas, minutes, audit templates, runs and schedules.
May import the core, models, trust, setup, plans and records.
"""
