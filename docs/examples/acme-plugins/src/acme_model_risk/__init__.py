"""Acme Corp's model-risk plugins: one module per plugin kind (see docs/plugins.md)."""
