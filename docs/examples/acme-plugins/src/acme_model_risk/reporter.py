"""A reporter: --format findings-tsv, one tab-separated line per active finding."""

from model_risk import hookimpl
from model_risk.contract.reporter import Reporter


class FindingsTsv(Reporter):
    format = "findings-tsv"
    description = "active findings, one tab-separated line each"
    extension = ".tsv"

    def render(self, result, options):
        lines = ["severity\trule\tcode\tmodel\tlocation\tmessage"]
        for finding in sorted(result.active_findings(), key=lambda f: (-f.severity.rank, f.rule)):
            where = finding.locations[0] if finding.locations else None
            location = f"{where.path}:{where.line}" if where else ""
            subject = finding.model or finding.vendor or ""
            message = " ".join(finding.message.split())  # Hub text may hold tabs and newlines
            lines.append(f"{finding.severity}\t{finding.rule}\t{finding.code}\t{subject}\t{location}\t{message}")
        return "\n".join(lines) + "\n"


@hookimpl
def register_reporters(register):
    register(FindingsTsv())
