"""A condition: `check: stale-model` holds when a model's last commit is older than `days`. Date
arithmetic is logic a rule pack cannot express with comparisons."""

from datetime import UTC, datetime, timedelta

from model_risk import hookimpl
from model_risk.contract.condition import Condition


def stale(subject, args):
    last_modified = subject.get("last_modified")
    if not last_modified:
        return False
    when = datetime.fromisoformat(last_modified.replace("Z", "+00:00"))
    return datetime.now(UTC) - when > timedelta(days=int(args.get("days", 365)))


@hookimpl
def register_conditions(register):
    register(Condition(name="stale-model", test=stale, scopes=("model", "reference"),
                       description="the model's last commit is older than args.days (default 365)"))
