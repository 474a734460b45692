"""The Governance and Audits tabs: meetings, agendas, minutes, audit runs and templates.
May import services, ui/widgets, ui/trust and ui/records.
"""
