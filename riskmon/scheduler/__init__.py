"""Scheduled jobs: what runs when (jobs.py), and running them safely (runner.py)."""
