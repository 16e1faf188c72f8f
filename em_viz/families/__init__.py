"""Mixture families: each a module of pure functions (log_prob, estimate, initial)."""
