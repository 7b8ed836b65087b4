"""A rule pack: YAML rules shipped inside the plugin's package."""

from pathlib import Path

from model_risk import hookimpl


@hookimpl
def register_rule_packs(register):
    register(Path(__file__).parent / "rules" / "acme.yaml")
