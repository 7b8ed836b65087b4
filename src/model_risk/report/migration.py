"""How migration facts read in every format: a model's profile in one line, the criteria a replacement
had to meet. Shared by ``model-risk alternatives`` and ``model-risk plan`` (every text is plain: callers
escape it for their format)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from model_risk.contract.domain import ModelProfile
from model_risk.knowledge.profiles import broadly_multilingual, human_count, size_text, template_name
from model_risk.knowledge.serving import engine


def profile_text(p: ModelProfile | None) -> str:
    """One line of a model's facts: task and purpose, size, context, template, languages, license, vendor,
    engines."""
    if p is None:
        return "facts not known"
    parts = [f"{p.task or 'task not known'}" + (f" ({', '.join(p.purposes)})" if p.purposes else ""),
             f"{size_text(p)} parameters"]
    if p.context_length:
        parts.append(f"{p.context_length:,}-token context")
    if p.embedding_dimension:
        parts.append(f"{p.embedding_dimension} dimensions")
    if p.chat_template:
        parts.append(f"chat template {template_name(p.chat_template)}")
    if p.languages:
        parts.append(f"languages {languages_text(p.languages)}")
    if p.license:
        parts.append(p.license)
    if p.vendor:
        origin = p.vendor + (f" ({p.country})" if p.country else "")
        if p.publisher and p.publisher != p.vendor:
            origin = f"{p.publisher} (built on weights of {p.vendor}" + (f", {p.country})" if p.country else ")")
        parts.append(origin)
    names = [e.name for key in p.engines if (e := engine(key)) is not None]
    if names:
        parts.append(f"runs on {', '.join(names)}")
    formats = p.formats()
    if formats:
        parts.append(f"on the Hub as {', '.join(f.upper() for f in formats)}")
    return "; ".join(parts)


def languages_text(languages: Sequence[str]) -> str:
    """``en, fr, de``, or ``multilingual (75 named)`` for a long list."""
    named = [lang for lang in languages if lang != "multilingual"]
    if broadly_multilingual(languages):
        return f"multilingual ({len(named)} named)" if named else "multilingual"
    return ", ".join(named)


def criteria_text(criteria: dict[str, Any]) -> str:
    """The criteria a replacement had to meet, and the order it was ranked in, in one line."""
    tasks = " or ".join(criteria.get("tasks") or [criteria.get("pipeline_tag") or "?"])
    purposes = criteria.get("purposes") or []
    what = tasks + (f" ({', '.join(purposes)})" if purposes else "")
    if criteria.get("library_name"):
        what += f" with {criteria['library_name']}"
    ratio = float(criteria.get("max_ratio") or 2)
    size = ""
    if criteria.get("mixture_of_experts") and criteria.get("active_parameters"):
        active = int(criteria["active_parameters"])
        size = (f", {human_count(int(active / ratio))}-{human_count(int(active * ratio))} active parameters "
                f"and at most {human_count(int(int(criteria['parameters']) * ratio))} in all")
    elif criteria.get("parameters"):
        total = int(criteria["parameters"])
        size = f", {human_count(int(total / ratio))}-{human_count(int(total * ratio))} parameters"
    context = f", context at least {int(criteria['min_context']):,} tokens" if criteria.get("min_context") else ""
    languages = f", languages {languages_text(criteria['languages'])}" if criteria.get("languages") else ""
    excluded = ", ".join(criteria.get("excluded_root_vendors") or ()) or "none"
    countries = criteria.get("excluded_countries") or []
    return (f"Criteria: {what}{size}{context}{languages}; licenses: {', '.join(criteria.get('licenses') or ())} "
            f"(the effective license, along the lineage); not from {excluded} at the root"
            + (f", nor from {', '.join(countries)}" if countries else "")
            + "; ranked by: the same jurisdiction last, fewest changes, model-risk's substitutes table, closest "
              "size, downloads.")
