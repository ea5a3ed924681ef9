"""Ingest: files in, typed events stored, every refused record kept in quarantine."""
