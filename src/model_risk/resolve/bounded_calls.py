"""Hub calls that must end in time: what the alternatives lookups (the listing, sizes, config files,
variants) share.

huggingface_hub retries list pages itself (up to ~23 s of backoff on a 5xx), so a call runs on a daemon
thread and is given up at its deadline. A Hub the scan's own model lookups already found unreachable is
not asked again.
"""

from __future__ import annotations

import threading
from typing import Any

from model_risk.contract.resolver import ResolveContext
from model_risk.knowledge.hub_ids import LEGACY_ID, REPO_ID
from model_risk.resolve import hub_client


class CandidatesUnavailable(Exception):
    """The Hub could not be asked (offline with nothing cached, or a fault); ``str()`` says why."""


def within(deadline: float, call: Any) -> Any:
    """``call()`` on a daemon thread, given up at ``deadline`` (a ``time.monotonic()`` value)."""
    import time

    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # handed to the caller below
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="model-risk-alternatives", daemon=True)
    worker.start()
    worker.join(max(0.0, deadline - time.monotonic()))
    if worker.is_alive():
        raise CandidatesUnavailable("the Hub did not answer in time")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def usable_state(context: ResolveContext) -> hub_client.HubState:
    """The scan's Hub state, unless its model lookups already found the Hub unreachable: then asking
    again would only wait out huggingface_hub's own retries."""
    state = hub_client.state_for(context)
    if state.failing:
        raise CandidatesUnavailable("the Hub did not answer the scan's model lookups")
    return state


def well_formed(model_id: object) -> bool:
    """Whether a listed id has the grammar of a Hub repository id (and no ``..``)."""
    return isinstance(model_id, str) and ".." not in model_id and \
        bool(REPO_ID.fullmatch(model_id) or LEGACY_ID.fullmatch(model_id))
