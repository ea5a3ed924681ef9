"""The engine: SQL views build facts, durable_rules decides, flags record the outcome."""
