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
        from model_risk.app.session import Flags, Session

        # A session finds the project's configuration and plugins the way every model-risk command does.
        session = Session.open(Flags(paths=(path,), offline=True))
        detection, _notes = session.find_references()
        for model, count in Counter(r.model for r in detection.references).most_common():
            click.echo(f"{count:4}  {model}")
