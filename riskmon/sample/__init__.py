"""Reproducible sample data: a realistic organisation and a fiscal year of events (domain.md §8.8)."""
