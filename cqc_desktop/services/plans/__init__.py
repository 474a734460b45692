"""Plans, findings, actions, steps, reviews, the closure gate, measures, SPC, scheduling,
evidence, alerts and the dashboard's figures. May import the core, models, trust and setup.
"""
