"""A detector: model ids in Java .properties files (model.id=org/name), with the revision and
trust_remote_code taken from the keys beside them (model.revision=..., model.trust-remote-code=true)."""

import re

from model_risk import hookimpl
from model_risk.contract.detector import Detector
from model_risk.contract.domain import Note
from model_risk.detect.references import reference_at

_PROPERTY = re.compile(r"^[ \t]*(model\.[\w.-]+)[ \t]*[=:][ \t]*(\S*)", re.M)


class PropertiesDetector(Detector):
    name = "acme-properties"
    description = "Java .properties files: model.id, model.revision, model.trust-remote-code"

    def accepts(self, filename):
        return filename.endswith(".properties")

    def prefilter(self, text):
        return "model.id" in text

    def detect(self, source):
        values = {}
        offsets = {}
        for match in _PROPERTY.finditer(source.text):
            values[match.group(1)] = match.group(2)
            offsets[match.group(1)] = match.start(2)
        model = values.get("model.id")
        if not model:
            return
        if "/" not in model:
            line, _ = source.position(offsets["model.id"])
            yield Note(f"model.id {model!r} is not an org/name id", source.path, line)
            return
        yield reference_at(
            source, offsets["model.id"], model, self.name,
            revision=values.get("model.revision") or None,
            trust_remote_code=values.get("model.trust-remote-code", "").lower() == "true",
            loader="spring-properties",
        )


@hookimpl
def register_detectors(register):
    register(PropertiesDetector())
