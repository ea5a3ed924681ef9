"""Flags: what the rules found, kept as records with evidence, and their store."""
