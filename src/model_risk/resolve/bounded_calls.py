"""Hub calls that must end in time: what the alternatives lookups (the listing, sizes, config files,
variants) share.

huggingface_hub retries list pages itself (up to ~23 s of backoff on a 5xx), so a call runs on a daemon
thread and is given up at its deadline. A Hub the scan's own model lookups already found unreachable is
not asked again.
"""

from __future__ import annotations

import time
from typing import Any

from model_risk.contract.resolver import ResolveContext
from model_risk.knowledge.hub_ids import LEGACY_ID, REPO_ID
from model_risk.resolve import hub_client


class CandidatesUnavailable(Exception):
    """The Hub could not be asked (offline with nothing cached, or a fault); ``str()`` says why."""


#: Fresh attempts after a transport fault (a dropped keep-alive connection, a reset): a new connection
#: usually cures it. What the server answered (a status) is its answer and is not asked again.
TRANSPORT_RETRIES = 1


def within(deadline: float, call: Any) -> Any:
    """``call()`` on a daemon thread, given up at ``deadline`` (a ``time.monotonic()`` value); asked once
    more after a transport fault while time is left."""
    retries = 0
    while True:
        try:
            return hub_client.within(deadline, call, "model-risk-alternatives")
        except hub_client.NoAnswerInTime:
            raise CandidatesUnavailable("the Hub did not answer in time") from None
        except Exception as exc:
            if retries == TRANSPORT_RETRIES or time.monotonic() >= deadline \
                    or hub_client._classify(exc).kind != "transport":
                raise
            retries += 1


def usable_state(context: ResolveContext) -> hub_client.HubState:
    """The scan's Hub state, unless its model lookups already found the Hub unreachable: then asking
    again would only wait out huggingface_hub's own retries."""
    state = hub_client.state_for(context)
    if not state.reachable() or state.failing:
        raise CandidatesUnavailable("the Hub did not answer the scan's model lookups")
    return state


def well_formed(model_id: object) -> bool:
    """Whether a listed id has the grammar of a Hub repository id (and no ``..``)."""
    return isinstance(model_id, str) and ".." not in model_id and \
        bool(REPO_ID.fullmatch(model_id) or LEGACY_ID.fullmatch(model_id))
