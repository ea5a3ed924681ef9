"""Rules: the YAML language rule authors write, its loader and its checker."""
