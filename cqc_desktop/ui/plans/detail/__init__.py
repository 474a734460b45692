"""One action in detail, a tab each: overview, steps, reviews, evidence, measure and the
closure gate. May import services, ui/widgets and ui/trust.
"""
