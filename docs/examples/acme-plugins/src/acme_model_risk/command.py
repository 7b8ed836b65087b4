"""A command: `model-risk models [PATH]` lists the distinct model ids a project references."""

from collections import Counter

import click

from model_risk import hookimpl


@hookimpl
def register_commands(cli):
    @cli.command("models")
    @click.argument("path", required=False, default=".")
    def models(path):
        """List the model ids referenced under PATH, most referenced first."""
        from model_risk.app.config import load_config
        from model_risk.app.scan import ScanOptions, find_references, project_paths

        root, paths = project_paths((path,))
        options = ScanOptions(paths=paths, config=load_config(root, None), offline=True)
        detection, _notes = find_references(options)
        for model, count in Counter(r.model for r in detection.references).most_common():
            click.echo(f"{count:4}  {model}")
