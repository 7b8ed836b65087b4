"""A third-party model-risk plugin: a detector and a reporter, registered through hooks.

* ``ModelfileDetector`` finds ``FROM hf.co/ORG/NAME[:TAG]`` in Ollama Modelfiles.
* ``CsvReporter`` adds ``--format csv``: one row per model, for a spreadsheet.
"""

from __future__ import annotations

import csv
import io
import re

from model_risk import hookimpl
from model_risk.contract.detector import Detector
from model_risk.detect.references import reference_at
from model_risk.contract.reporter import Reporter

_FROM = re.compile(r"^\s*FROM\s+(?:https://)?(?:hf\.co|huggingface\.co)/([\w.-]+/[\w.-]+)", re.I | re.M)


class ModelfileDetector(Detector):
    name = "ollama-modelfile"
    description = "Ollama Modelfiles: FROM hf.co/ORG/NAME"

    def accepts(self, filename):
        return filename == "Modelfile" or filename.endswith(".Modelfile")

    def prefilter(self, text):
        return "FROM" in text.upper()

    def detect(self, source):
        for match in _FROM.finditer(source.text):
            yield reference_at(source, match.start(1), match.group(1), self.name, loader="ollama")


class CsvReporter(Reporter):
    format = "csv"
    description = "model inventory as CSV"
    extension = ".csv"

    def render(self, result, options):
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["model", "status", "license", "osi", "commercial", "vendor", "root_vendor"])
        for m in result.models:
            lic = m.license
            writer.writerow([m.id, m.status.value, lic.spdx or lic.hub if lic else "", lic.osi if lic else "",
                             lic.commercial if lic else "", m.vendor or "", m.root_vendor or ""])
        return out.getvalue()


@hookimpl
def register_detectors(register):
    register(ModelfileDetector())


@hookimpl
def register_reporters(register):
    register(CsvReporter())
