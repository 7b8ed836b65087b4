"""Small helpers for tests that scan a project against the stand-in Hub and read the JSON report."""

from __future__ import annotations

from typing import Any

#: Hub settings that keep retries and timeouts short enough for tests.
FAST_HUB = "hub:\n  backoff: 0.01\n  retries: 2\n  timeout: 0.5\n  deadline: 20\n"


def loader(*models: str, revision: str | None = None) -> str:
    """A Python file that loads each model with transformers (optionally at one revision)."""
    pin = f', revision="{revision}"' if revision else ""
    lines = ["from transformers import AutoModel"]
    lines += [f'AutoModel.from_pretrained("{m}"{pin})' for m in models]
    return "\n".join(lines) + "\n"


def models_by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["id"]: m for m in report["models"]}


def findings_of(report: dict[str, Any], rule: str) -> dict[str | None, dict[str, Any]]:
    """The findings of one rule, by model id."""
    return {f["model"]: f for f in report["findings"] if f["rule"] == rule}
