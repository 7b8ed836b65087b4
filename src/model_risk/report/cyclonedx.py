"""CycloneDX 1.6 ML-BOM: one ``machine-learning-model`` component per model the code loads.

The project is the BOM's ``metadata.component``; ``dependencies`` say that it depends on the models its
code loads and that each model depends on its base model (its lineage), down to the root. A base model
no reference loads is a component of its own, marked ``model-risk:role``, so every edge has two ends.

Built with cyclonedx-python-lib (the CycloneDX project's own Python library, also used by pip-audit): it
gives canonical Hugging Face purls (through packageurl-python, which lowercases the commit sha), the
SPDX id list CycloneDX accepts, and the 1.6 serialisation. It has no class for ``modelCard``, so the
model card is added to the serialised components afterwards, matched by ``bom-ref`` (and evidence
occurrences, which it orders arbitrarily, are sorted there too).

The document is a function of the scan alone: the timestamp is the scan's start and the serial number
is derived from the scan's content, so rendering a saved JSON report again gives the same BOM.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from model_risk.common.json_text import pretty_json
from model_risk.contract.domain import LicenseFacts, ModelFacts, ModelStatus, ModelUse, ScanResult
from model_risk.contract.reporter import Reporter, ReportOptions
from model_risk.knowledge import licenses
from model_risk.report.document import to_document
from model_risk.report.presentation import findings_by_model, hub_url, safe_url

if TYPE_CHECKING:
    from cyclonedx.model.component import Component

#: Namespace of model-risk's own CycloneDX properties.
PROPERTY_PREFIX = "model-risk:"
SERIAL_NAMESPACE = uuid.UUID("5a0c5d6e-2f43-4b8e-9d51-6f0f4c1c9a3e")


def purl_for(model_id: str, sha: str | None = None) -> str | None:
    """``pkg:huggingface/ORG/NAME@sha``; None for an id without an organisation (a legacy id that
    could not be resolved to its canonical ``org/name``), which a Hugging Face purl cannot express, and for
    a door's model (``ollama:qwen2.5:7b``, ``openrouter:qwen/...``: not a Hub repo; its pedigree names the
    Hub repo of its weights)."""
    from packageurl import PackageURL

    if model_id.count("/") != 1 or ":" in model_id:
        return None
    namespace, name = model_id.split("/")
    return PackageURL(type="huggingface", namespace=namespace, name=name, version=sha.lower() if sha else None
                      ).to_string()


def _licenses(lic: LicenseFacts | None, concluded: LicenseFacts | None = None) -> list[Any]:
    """The card's license as declared; and the effective license along the lineage as concluded, when it
    is another license (CycloneDX's acknowledgement: what the component says vs. what analysis found)."""
    from cyclonedx.model.license import LicenseAcknowledgement, LicenseExpression

    declared = _license(lic, LicenseAcknowledgement.DECLARED)
    if concluded is None or concluded.key == (lic.key if lic else None):
        return declared
    found = _license(concluded, LicenseAcknowledgement.CONCLUDED)
    if any(isinstance(x, LicenseExpression) for x in (*declared, *found)):
        return declared or found  # an expression stands alone in CycloneDX: the card's wins
    return [*declared, *found]


def _license(lic: LicenseFacts | None, acknowledgement: Any) -> list[Any]:
    from cyclonedx.model import XsUri
    from cyclonedx.model.license import DisjunctiveLicense, LicenseExpression
    from cyclonedx.spdx import is_supported_id

    if lic is None:
        return []
    link = safe_url(lic.link)
    url = XsUri(link) if link else None
    if lic.spdx and " " in lic.spdx:
        return [LicenseExpression(lic.spdx, acknowledgement=acknowledgement)]
    if lic.spdx and is_supported_id(lic.spdx):
        return [DisjunctiveLicense(id=lic.spdx, url=url, acknowledgement=acknowledgement)]
    name = lic.name or lic.declared_name or lic.hub or lic.spdx
    return [DisjunctiveLicense(name=name, url=url, acknowledgement=acknowledgement)] if name else []


def _properties(model: ModelFacts, findings: list[str]) -> list[Any]:
    from cyclonedx.model import Property

    pairs: list[tuple[str, str]] = [("status", model.status.value)]
    if model.reason:
        pairs.append(("status-reason", model.reason))
    if model.revision:
        pairs.append(("revision", model.revision))
    for key, value in (("vendor-country", model.vendor_country), ("root-vendor", model.root_vendor),
                       ("root-vendor-country", model.root_vendor_country),
                       ("base-relation", model.base_relation), ("library", model.library_name)):
        if value:
            pairs.append((key, value))
    lic = model.license
    if lic is not None and lic.hub:
        pairs.append(("license-hub-id", lic.hub))
    governing = model.governing_license
    if governing is not None:
        # Judged on the license that governs the model along its lineage (the card's when none is stricter).
        for key, flag in (("license-osi-approved", governing.osi), ("license-commercial-use", governing.commercial)):
            pairs.append((key, "unknown" if flag is None else str(flag).lower()))
        pairs.extend(("license-condition", c) for c in governing.conditions)
    effective = model.effective_license
    if effective is not None and effective.source != model.id:
        pairs.append(("effective-license", f"{licenses.label(effective.license)} (from {effective.source})"))
    pairs.extend(("root-vendor-also", v) for v in model.root_vendors if v != model.root_vendor)
    if model.is_resolved:
        pairs.append(("gated", str(model.gated).lower()))
    pairs.extend(("weight-format", f) for f in model.formats)
    if model.custom_code:
        pairs.append(("custom-code", "true"))
    pairs.extend(("alias", a) for a in model.aliases)
    pairs.extend(("finding", text) for text in findings)
    return [Property(name=PROPERTY_PREFIX + key, value=value) for key, value in pairs]


def _occurrences(use: ModelUse) -> list[Any]:
    from cyclonedx.model.component_evidence import Occurrence

    occurrences = []
    for ref in use.references:
        context = [part for part in (
            ref.loader, f"revision={ref.revision}" if ref.revision else None,
            "trust_remote_code=True" if ref.trust_remote_code else None) if part]
        occurrences.append(Occurrence(
            location=ref.path, line=ref.line,
            # CycloneDX offsets count from 0; model-risk's columns count from 1.
            offset=ref.column - 1, symbol=ref.model, additional_context=", ".join(context) or None))
    return occurrences


def _ancestry(lineage: tuple[str, ...]) -> Any:
    """The lineage as nested pedigrees: the direct base model is the ancestor, its own base model the
    ancestor's ancestor, and so on (the library sorts a flat list, which would lose the order)."""
    from cyclonedx.model.component import Component, ComponentType, Pedigree
    from packageurl import PackageURL

    pedigree = None
    for model_id in reversed(lineage[1:]):
        purl = purl_for(model_id)
        ancestor = Component(type=ComponentType.MACHINE_LEARNING_MODEL, name=model_id,
                             group=model_id.split("/")[0] if "/" in model_id else None,
                             purl=PackageURL.from_string(purl) if purl else None, pedigree=pedigree)
        pedigree = Pedigree(ancestors=[ancestor])
    return pedigree


def model_card(model: ModelFacts) -> dict[str, Any] | None:
    """The ``modelCard`` fields the Hub metadata tells (task, architecture, datasets), or None."""
    parameters: dict[str, Any] = {}
    if model.pipeline_tag:
        parameters["task"] = model.pipeline_tag
    model_type = model.card_value("model_type")
    if model_type:
        parameters["architectureFamily"] = str(model_type)
    architectures = model.card_value("architectures")
    if isinstance(architectures, (list, tuple)) and architectures:
        parameters["modelArchitecture"] = ", ".join(str(a) for a in architectures)
    datasets = model.card_value("datasets")
    if isinstance(datasets, (list, tuple)) and datasets:
        parameters["datasets"] = [{"type": "dataset", "name": str(d)} for d in datasets]
    properties: list[object] = []
    languages = model.card_value("languages")
    if isinstance(languages, (list, tuple)):
        properties.extend({"name": PROPERTY_PREFIX + "language", "value": str(lang)} for lang in languages)
    count = model.card_value("parameters")
    if isinstance(count, int) and not isinstance(count, bool):
        properties.append({"name": PROPERTY_PREFIX + "parameters", "value": str(count)})
    card: dict[str, Any] = {}
    if parameters:
        card["modelParameters"] = parameters
    if properties:
        card["properties"] = properties
    return card or None


class _BomRefs:
    """Unique ``bom-ref``s: the purl (as the ML-BOM guide recommends) when it is unique, else a suffix."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def __call__(self, model: ModelFacts, purl: str | None) -> str:
        base = purl or f"model-risk:{'api' if model.status is ModelStatus.API else 'model'}:{model.id}"
        ref, n = base, 1
        while ref in self.used:
            n += 1
            ref = f"{base}#{n}"
        self.used.add(ref)
        return ref


def _component(use: ModelUse, bom_ref: str, purl: str | None, findings: list[str]) -> Component:
    from cyclonedx.model import ExternalReference, ExternalReferenceType, XsUri
    from cyclonedx.model.component import Component, ComponentEvidence, ComponentType
    from cyclonedx.model.contact import OrganizationalEntity
    from packageurl import PackageURL

    m = use.facts
    hub = m.status is not ModelStatus.API
    external = []
    if hub and m.is_resolved:
        external.append(ExternalReference(type=ExternalReferenceType.MODEL_CARD, url=XsUri(hub_url(m.id))))
    occurrences = _occurrences(use)
    return Component(
        type=ComponentType.MACHINE_LEARNING_MODEL, name=m.id, bom_ref=bom_ref,
        group=m.id.split("/")[0] if hub and "/" in m.id else None,
        version=m.sha.lower() if m.sha else None,
        purl=PackageURL.from_string(purl) if purl else None,
        supplier=OrganizationalEntity(name=m.vendor) if m.vendor else None,
        publisher=m.author,
        licenses=_licenses(m.license, m.governing_license),
        pedigree=_ancestry(m.lineage),
        evidence=ComponentEvidence(occurrences=occurrences) if occurrences else None,
        external_references=external,
        properties=_properties(m, findings),
    )


def _serial_number(result: ScanResult) -> uuid.UUID:
    canonical = json.dumps(to_document(result), sort_keys=True, ensure_ascii=True)
    return uuid.uuid5(SERIAL_NAMESPACE, hashlib.sha256(canonical.encode()).hexdigest())


def _timestamp(started_at: str) -> datetime:
    try:
        return datetime.fromisoformat(started_at.replace("Z", "+00:00"))
    except ValueError:
        return datetime(1970, 1, 1, tzinfo=UTC)


def _project_component(result: ScanResult) -> Component:
    """The scanned project, as the BOM's subject (``metadata.component``)."""
    from cyclonedx.model.component import Component, ComponentType

    name = result.project or "project"
    return Component(type=ComponentType.APPLICATION, name=name, bom_ref=f"model-risk:project:{name}")


def _base_component(model_id: str, bom_ref: str) -> Component:
    """A base model that no reference loads directly: known only as a step in another model's lineage."""
    from cyclonedx.model import Property
    from cyclonedx.model.component import Component, ComponentType
    from packageurl import PackageURL

    purl = purl_for(model_id)
    return Component(type=ComponentType.MACHINE_LEARNING_MODEL, name=model_id, bom_ref=bom_ref,
                     group=model_id.split("/")[0] if "/" in model_id else None,
                     purl=PackageURL.from_string(purl) if purl else None,
                     properties=[Property(name=PROPERTY_PREFIX + "role", value="base model (lineage only)")])


def bom_document(result: ScanResult) -> dict[str, Any]:
    """The BOM: the project (``metadata.component``) depends on the models its code loads, and each model
    on its base model, so ``dependencies`` is the lineage graph: project -> models -> base models."""
    from cyclonedx.model import Property
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component, ComponentType
    from cyclonedx.output.json import JsonV1Dot6

    bom = Bom(serial_number=_serial_number(result))
    if result.started_at:
        bom.metadata.timestamp = _timestamp(result.started_at)
    bom.metadata.tools.components.add(Component(type=ComponentType.APPLICATION, name="model-risk",
                                                version=result.tool_version))
    bom.metadata.properties.add(Property(name=PROPERTY_PREFIX + "offline", value=str(result.offline).lower()))
    project = _project_component(result)
    bom.metadata.component = project
    cards: dict[str, dict[str, Any]] = {}
    refs = _BomRefs()
    per_model = findings_by_model(result)
    loaded: list[Component] = []
    #: Model id -> its component (the first one, when the code loads a model at several revisions).
    by_id: dict[str, Component] = {}
    lineages: list[tuple[Component, tuple[str, ...]]] = []
    for use in result.uses():
        m = use.facts
        purl = purl_for(m.id, m.sha) if m.status is not ModelStatus.API else None
        bom_ref = refs(m, purl)
        findings = [f"{f.code} {f.rule} ({f.severity.value})" for f in per_model.get(m.id, ())]
        component = _component(use, bom_ref, purl, findings)
        bom.components.add(component)
        loaded.append(component)
        by_id.setdefault(m.id, component)
        lineages.append((component, m.lineage))
        card = model_card(m)
        if card is not None:
            cards[bom_ref] = card
    edges: dict[str, tuple[Component, set[str]]] = {}
    for component, lineage in lineages:
        chain = [component, *(_lineage_node(bom, by_id, refs, base) for base in lineage[1:])]
        for child, parent in zip(chain, chain[1:]):
            edges.setdefault(str(child.bom_ref), (child, set()))[1].add(str(parent.bom_ref))
    bom.register_dependency(project, loaded)
    components = {str(c.bom_ref): c for c in bom.components}
    for child, parents in edges.values():
        bom.register_dependency(child, [components[p] for p in sorted(parents)])
    document: dict[str, Any] = json.loads(JsonV1Dot6(bom).output_as_string())
    for component in document.get("components", ()):
        card = cards.get(component.get("bom-ref", ""))
        if card is not None:
            component["modelCard"] = card
        # The library orders occurrences that have no bom-ref differently from run to run.
        occurrences = component.get("evidence", {}).get("occurrences")
        if occurrences:
            occurrences.sort(key=lambda o: (o["location"], o.get("line", 0), o.get("offset", 0)))
    return document


def _lineage_node(bom: Any, by_id: dict[str, Component], refs: _BomRefs, model_id: str) -> Component:
    """The component for a base model: the loaded model's own when the code loads it too, else a
    lineage-only component added once."""
    if model_id not in by_id:
        facts = ModelFacts(id=model_id, status=ModelStatus.RESOLVED)
        component = _base_component(model_id, refs(facts, purl_for(model_id)))
        bom.components.add(component)
        by_id[model_id] = component
    return by_id[model_id]


class CycloneDxReporter(Reporter):
    format = "cyclonedx"
    description = "CycloneDX 1.6 ML-BOM (one machine-learning-model component per model)"
    extension = ".cdx.json"

    def render(self, result: ScanResult, options: ReportOptions) -> str:
        return pretty_json(bom_document(result))

