"""Evals on recorded incidents, the rules replay, what-if predictions and training scenarios."""
