"""The rule engine: rule packs are data (YAML), conditions are code (the engine's and plugins')."""
