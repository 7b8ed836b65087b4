"""The migration plan (``model-risk plan``) as text, Markdown and HTML, from its JSON document.

Every format reads the same view of the document (:func:`plan_view`), so they say the same thing. Markdown
is for a pull-request comment: everything from the Hub or from scanned files is escaped
(:func:`~model_risk.report.templating.markdown_escape`), and the document is kept under GitHub's 65,536-character
limit for a comment by leaving out, in turn, the candidates not suggested, the other candidates, then
more and more of the lists of uses, of actions and of models (each time saying how many). HTML is an audit attachment: one self-contained, autoescaped file
whose Content-Security-Policy allows only its own inlined style.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from model_risk.contract.domain import Alternative, ModelProfile, condition_kind
from model_risk.knowledge import facts as records
from model_risk.knowledge.profiles import size_text, template_name
from model_risk.knowledge.serving import engine
from model_risk.report.migration import criteria_text, languages_text
from model_risk.report.terminal import terminal_safe

#: Under GitHub's 65,536-character limit for a comment, with room for a caller's own header.
MAX_MARKDOWN = 60_000

LEVEL_STATE = {"api": "API", "pinned": "pinned", "unpinned": "unpinned", "derived": "derived"}


@dataclass
class ModelView:
    model: str
    levels: list[str]
    where: list[str]
    license: str
    effort: str
    effort_notes: list[str]
    current: ModelProfile | None
    suggested: Alternative | None
    others: list[Alternative]
    rejected: list[tuple[str, str]]
    note: str | None
    criteria: str | None
    source: str | None
    #: (fact, the model's, the suggestion's)
    rows: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class PlanView:
    doc: Mapping[str, Any]
    title: str
    meta: list[str]
    summary: list[str]
    now: list[dict[str, Any]]
    levels: list[dict[str, Any]]
    models: list[ModelView]


def _source_text(doc: Mapping[str, Any]) -> str:
    sources = {str(source) for m in doc["models"] if (source := (m.get("replacement") or {}).get("source"))} - {"none"}
    words = {"hub": "the Hub", "cache": "cached Hub answers", "lockfile": "model-risk.lock (recorded by "
             "`model-risk alternatives`)", "table": "model-risk's substitutes table"}
    found = [words.get(s, s) for s in sorted(sources)]
    return "replacements from " + (", ".join(found) if found else "nowhere (none looked up)")


def _conditions(p: ModelProfile | None) -> str:
    """The kinds of condition the license sets (the full texts are in the JSON plan and docs/licenses.md)."""
    if p is None or p.license is None:
        return "not known"
    if not p.license_conditions:
        return "none"
    kinds: dict[str, int] = {}
    for condition in p.license_conditions:
        kind = condition_kind(condition)
        kinds[kind] = kinds.get(kind, 0) + 1
    return ", ".join(kind + (f" ({n})" if n > 1 else "") for kind, n in kinds.items())


def _origin(p: ModelProfile | None) -> str:
    if p is None or not p.vendor:
        return "not known"
    text = p.vendor + (f" ({p.country})" if p.country else "")
    if p.publisher and p.publisher != p.vendor:
        text = f"{p.publisher}, built on {text}"
    return text


def _engines(p: ModelProfile | None) -> str:
    if p is None:
        return "not known"
    names = [e.name for key in p.engines if (e := engine(key)) is not None]
    if not names and "gguf" in p.formats():
        return "llama.cpp and other GGUF readers (the model is a GGUF copy)"
    return ", ".join(names) if names else ("not known" if p.architecture is None else "none listed")


def _variants(p: ModelProfile | None) -> str:
    if p is None or not p.variants:
        return "none found"
    seen: dict[str, str] = {}
    for fmt, repo in p.variants:
        seen.setdefault(fmt, repo)
    return ", ".join(f"{fmt.upper()} ({repo})" for fmt, repo in seen.items())


def fact_rows(current: ModelProfile | None, suggested: ModelProfile | None) -> list[tuple[str, str, str]]:
    """The facts a migration compares, one row each: (fact, the model's, the replacement's)."""
    def both(get: Any) -> tuple[str, str]:
        return get(current), get(suggested)

    def purpose(p: ModelProfile | None) -> str:
        if p is None:
            return "not known"
        return (p.task or "task not known") + (f" ({', '.join(p.purposes)})" if p.purposes else "")

    rows = [("Task and purpose", *both(purpose)),
            ("Parameters", *both(lambda p: size_text(p))),
            ("Context", *both(lambda p: f"{p.context_length:,} tokens" if p and p.context_length else "not known"))]
    if any(p and p.chat_template for p in (current, suggested)):
        rows.append(("Chat template", *both(lambda p: template_name(p.chat_template) if p else "not known")))
    if any(p and p.embedding_dimension for p in (current, suggested)):
        rows.append(("Vector size", *both(lambda p: str(p.embedding_dimension) if p and p.embedding_dimension
                                          else "not known")))
    rows += [("Languages", *both(lambda p: languages_text(p.languages) if p and p.languages else "not stated")),
             ("Effective license", *both(lambda p: p.license if p and p.license else "not known")),
             ("License conditions", *both(_conditions)),
             ("Vendor at the root", *both(_origin)),
             ("Serving engines", *both(_engines)),
             ("On the Hub as", *both(_variants))]
    if any(p and p.custom_code for p in (current, suggested)):
        rows.append(("Needs trust_remote_code", *both(lambda p: "yes" if p and p.custom_code else "no")))
    return rows


def _alternative(data: Mapping[str, Any] | None) -> Alternative | None:
    return records.alternative_from_record(data) if data else None


def plan_view(doc: Mapping[str, Any]) -> PlanView:
    vendor = doc["vendor"] + (f" ({doc['country']})" if doc.get("country") else "")
    summary = doc["summary"]
    meta = [doc.get("project") or "this project", f"generated {doc['generated']} by model-risk {doc['tool']['version']}",
            "offline" if doc.get("offline") else "online", _source_text(doc)]
    if doc.get("knowledge"):
        meta.append(f"knowledge tables of {doc['knowledge']['as_of']} ({doc['knowledge']['version']})")
    levels_text = ", ".join(f"{n} {level}" for level, n in summary["levels"].items() if n) or "nothing"
    lines = [f"{summary['references']} reference{'s' if summary['references'] != 1 else ''} to {summary['models']} "
             f"model{'s' if summary['models'] != 1 else ''} in {summary['files']} file{'s' if summary['files'] != 1 else ''} "
             f"depend on {doc['vendor']}: {levels_text}."]
    if summary["models"]:
        efforts = ", ".join(f"{n} {level}" for level, n in summary["effort"].items())
        lines.append(f"A replacement qualifies for {summary['replaced']} of {summary['models']}; effort: {efforts}.")
        lines.append("Suggested order, least effort first: " + ", ".join(summary["order"]) + ".")
    models = []
    for entry in doc["models"]:
        replacement = entry.get("replacement") or {}
        current = records.profile_from_record(entry.get("current"))
        suggested = _alternative(replacement.get("suggested"))
        view = ModelView(
            model=entry["model"], levels=entry["levels"], where=entry["where"], license=entry["license"],
            effort=entry["effort"]["level"], effort_notes=entry["effort"]["notes"], current=current,
            suggested=suggested, others=[a for d in replacement.get("others") or () if (a := _alternative(d))],
            rejected=[(r["id"], r["reason"]) for r in replacement.get("rejected") or ()],
            note=replacement.get("note"),
            criteria=criteria_text(replacement["criteria"]) if replacement.get("criteria") else None,
            source=replacement.get("source"))
        if current is not None or suggested is not None:
            view.rows = fact_rows(current, suggested.profile if suggested else None)
        models.append(view)
    return PlanView(doc, f"Migration plan: moving off {vendor}", meta, lines, list(doc["now"]),
                    [lv for lv in doc["levels"]], models)


def _criteria_parts(criteria: str) -> list[str]:
    """The criteria line in parts, one a line: ``Criteria: a; b; c.`` -> [a, b, c]."""
    text = criteria.removeprefix("Criteria: ").rstrip(".")
    return [part.strip() for part in text.split("; ") if part.strip()]


def _state(use: Mapping[str, Any]) -> str:
    if use["relation"] == "api":
        return "API"
    return f"{'pinned' if use['pinned'] else 'unpinned'}, {'locked' if use['locked'] else 'not locked'}"


def _level_title(level: Mapping[str, Any]) -> str:
    title = str(level["title"])
    return title[0].upper() + title[1:]


# -- text -------------------------------------------------------------------------------------------


def render_text(doc: Mapping[str, Any]) -> str:
    v = plan_view(doc)
    out = [v.title, " · ".join(v.meta), "", "Summary"]
    out += [f"  {line}" for line in v.summary]
    out += ["", "1. What to do now (before deciding anything)"]
    for action in v.now:
        out.append(f"  {action['why']}")
        out += [f"    - {item['model']} ({', '.join(item['where'])})" + (f": {item['how']}" if item["how"] else "")
                for item in action["items"]]
    if not v.now:
        out.append("  Nothing: every use is pinned and locked.")
    out += ["", f"2. What depends on {doc['vendor']}"]
    for level in v.levels:
        uses = level["uses"]
        out.append(f"  {_level_title(level)}: {len(uses) or 'none'}")
        for use in uses:
            via = f"  via {' <- '.join(use['via'])}" if use["via"] else ""
            out.append(f"    {use['model']}  {use['path']}:{use['line']}:{use['column']}  [{_state(use)}; "
                       f"{use['license']}]{via}")
    out += ["", "3. Replacements, model by model"]
    for i, m in enumerate(v.models, 1):
        out += ["", f"3.{i} {m.model}: {', '.join(m.levels)} ({', '.join(m.where)}); effort {m.effort}"]
        if m.suggested is not None:
            out.append(f"  Suggested: {m.suggested.id}")
            width = max(len(r[0]) for r in m.rows)
            out.append(f"    {'':{width}}  now | suggested")
            out += [f"    {label:{width}}  {ours} | {theirs}" for label, ours, theirs in m.rows]
            out.append(f"  Why: {'; '.join(m.suggested.reasons)}")
            out += ["  What changes:"] + [f"    - [{c.effort}] {c.text}" for c in m.suggested.changes]
        elif m.note:
            out.append(f"  No replacement: {m.note}")
        out += ["  Effort:"] + [f"    - {note}" for note in m.effort_notes]
        if m.others:
            out.append("  Also qualify: " + "; ".join(f"{a.id} ({a.root_vendor or 'vendor not known'}, effort "
                                                     f"{a.effort})" for a in m.others))
        if m.rejected:
            out.append("  Not suggested: " + "; ".join(f"{i} ({r})" for i, r in m.rejected[:10]))
        if m.criteria:
            out.append(f"  {m.criteria}")
    if doc.get("notes"):
        out += ["", "Notes"] + [f"  {n}" for n in doc["notes"]]
    return "\n".join(terminal_safe(line) for line in out) + "\n"


# -- Markdown -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Budget:
    """What the Markdown plan shows at most (None: everything)."""

    rejected: bool = True
    others: bool = True
    uses: int | None = None
    now: int | None = None
    models: int | None = None


#: Tried in turn until the document fits a comment: the least useful parts go first.
_BUDGETS = (_Budget(), _Budget(rejected=False), _Budget(rejected=False, others=False),
            _Budget(rejected=False, others=False, uses=50, now=50),
            _Budget(rejected=False, others=False, uses=0, now=20, models=50),
            _Budget(rejected=False, others=False, uses=0, now=10, models=20),
            _Budget(rejected=False, others=False, uses=0, now=5, models=5))
_LEFT_OUT = "left out to fit a comment: see the HTML or JSON plan"


def render_markdown(doc: Mapping[str, Any]) -> str:
    for budget in _BUDGETS:
        text = _markdown(doc, budget)
        if len(text) <= MAX_MARKDOWN:
            return text
    return text[: MAX_MARKDOWN - 200].rsplit("\n", 1)[0] + f"\n\n_The rest is {_LEFT_OUT}._\n"


def _markdown(doc: Mapping[str, Any], budget: _Budget) -> str:
    from model_risk.report.templating import markdown_code as code
    from model_risk.report.templating import markdown_escape as md

    def more(shown: int, total: int, what: str) -> list[str]:
        return [f"_{total - shown} more {what} {_LEFT_OUT}._", ""] if shown < total else []

    v = plan_view(doc)
    out = [f"## {md(v.title)}", "", " · ".join(str(md(m)) for m in v.meta), ""]
    out += [str(md(line)) for line in v.summary] + [""]
    out += ["### 1. What to do now", ""]
    for action in v.now:
        items = action["items"][: budget.now] if budget.now is not None else action["items"]
        out += [str(md(action["why"])), ""]
        out += [f"- {code(item['model'])} in {', '.join(str(code(w)) for w in item['where'])}"
                + (f": {md(item['how'])}" if item["how"] else "") for item in items]
        out.append("")
        out += more(len(items), len(action["items"]), "of them are")
    if not v.now:
        out += ["Nothing: every use is pinned and locked.", ""]
    out += [f"### 2. What depends on {md(doc['vendor'])}", ""]
    for level in v.levels:
        uses = level["uses"]
        shown = uses[: budget.uses] if budget.uses is not None else uses
        out += [f"**{md(_level_title(level))}**: {len(uses) or 'none'}", ""]
        if shown:
            out += ["| Model | Where | State | License | Via |", "|---|---|---|---|---|"]
            for use in shown:
                via = " ← ".join(str(code(x)) for x in use["via"]) or "-"
                where = f"{use['path']}:{use['line']}"
                out.append(f"| {code(use['model'])} | {code(where)} | {_state(use)} "
                           f"| {md(use['license'])} | {via} |")
            out.append("")
        out += more(len(shown), len(uses), "uses are")
    out += ["### 3. Replacements, model by model", ""]
    models = v.models[: budget.models] if budget.models is not None else v.models
    for i, m in enumerate(models, 1):
        out += [f"#### 3.{i} {code(m.model)} · effort: {md(m.effort)}", "",
                f"{md(', '.join(m.levels))} in {', '.join(str(code(w)) for w in m.where)}", ""]
        if m.suggested is not None:
            out += [f"**Suggested: {code(m.suggested.id)}**", "", "| | Now | Suggested |", "|---|---|---|"]
            out += [f"| {md(label)} | {md(ours)} | {md(theirs)} |" for label, ours, theirs in m.rows]
            out += ["", "**Why:**", ""] + [f"- {md(reason)}" for reason in m.suggested.reasons]
            out += ["", "**What changes:**", ""]
            out += [f"- *{c.effort}*: {md(c.text)}" for c in m.suggested.changes] or ["- nothing but the model"]
            out.append("")
        elif m.note:
            out += [f"**No replacement:** {md(m.note)}", ""]
        out += ["**Effort:**", ""] + [f"- {md(note)}" for note in m.effort_notes] + [""]
        if m.others and budget.others:
            out += ["Also qualify: " + "; ".join(
                f"{code(a.id)} ({md(a.root_vendor or 'vendor not known')}, effort {md(a.effort)}"
                + "".join(f"; {md(c.text)}" for c in a.changes if c.kind == "jurisdiction" and c.effort != "small")
                + ")" for a in m.others), ""]
        details = []
        if m.rejected and budget.rejected:
            details += ["Not suggested:", ""] + [f"- {code(i)}: {md(r)}" for i, r in m.rejected] + [""]
        if m.criteria:
            details += ["Criteria:", ""] + [f"- {md(part)}" for part in _criteria_parts(m.criteria)] + [""]
        if details:
            out += ["<details><summary>Candidates and criteria</summary>", ""] + details + ["</details>", ""]
    out += more(len(models), len(v.models), "models are")
    if not (budget.rejected and budget.others):
        out += [f"_Candidates not suggested{'' if budget.others else ', and other qualifying ones,'} are "
                f"{_LEFT_OUT}._", ""]
    if doc.get("notes"):
        out += ["### Notes", ""] + [f"- {md(n)}" for n in doc["notes"]] + [""]
    return "\n".join(out)


# -- HTML ---------------------------------------------------------------------------------------------

TEMPLATE = "plan.html.j2"
#: The audit report's stylesheet, and the plan's own rules after it.
STYLESHEETS = ("report.css", "plan.css")


def render_html(doc: Mapping[str, Any]) -> str:
    from markupsafe import Markup

    from model_risk.common.resources import data_dir
    from model_risk.report.html import csp_hash
    from model_risk.report.templating import html_environment

    templates = data_dir("templates")
    stylesheet = "\n".join(templates.joinpath(name).read_text(encoding="utf-8") for name in STYLESHEETS)
    view = plan_view(doc)
    return html_environment().get_template(TEMPLATE).render(
        v=view, doc=doc, state=_state, level_title=_level_title, criteria_parts=_criteria_parts,
        stylesheet=Markup(stylesheet),
        csp=f"default-src 'none'; style-src '{csp_hash(stylesheet)}'; img-src data:; base-uri 'none'; "
            "form-action 'none'")


def render_json(doc: Mapping[str, Any]) -> str:
    from model_risk.common.json_text import pretty_json

    return pretty_json(doc)


RENDERERS = {"text": render_text, "markdown": render_markdown, "html": render_html, "json": render_json}
