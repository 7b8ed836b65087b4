"""YAML for untrusted text: ``safe_load`` semantics, bounded alias expansion and line numbers.

Every YAML document model-risk reads (scanned files, configuration, rule packs) goes through here.
PyYAML's safe loader shares aliased nodes, so a "billion laughs" document loads quickly but explodes
in anything that later walks it. We compose the node graph first, measure its expanded size with
memoisation, and refuse it before anything walks it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml

#: Nodes a document may expand to once aliases are followed.
MAX_EXPANDED_NODES = 200_000
#: Nodes a YAML text may hold at all: each composed node costs about 1 KB (a list of two million
#: one-character items, 8 MB of text, took 1.9 GB), so a larger one is refused before it is composed.
MAX_NODES = 100_000
#: A node takes two characters at least (``x,``): a shorter text cannot hold MAX_NODES of them.
_COUNT_FROM = 2 * MAX_NODES


@cache
def _loader_class() -> type:
    """The safe loader, keeping timestamps as strings (configs compare them as ISO dates themselves).

    PyYAML is imported here, on first use, not with this module: a scan whose documents all come from
    the parse cache (``model_risk.documents``) never needs it.
    """
    import yaml

    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc, valid-type]
        pass

    Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.construct_yaml_str)
    return Loader


class YamlError(Exception):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class YamlDocument:
    """A loaded document together with its node graph, for line look-ups."""

    data: object
    node: yaml.Node | None
    #: For documents parsed without node information (TOML): the line every look-up answers.
    default_line: int | None = None

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """1-based line of the value at ``path`` (keys and indexes), or of its nearest ancestor."""
        node = self.node
        line = node.start_mark.line + 1 if node is not None else self.default_line
        for step in path:
            child = _child(node, step)
            if child is None:
                break
            node = child
            line = node.start_mark.line + 1
        return line


def _child(node: yaml.Node | None, step: str | int) -> yaml.Node | None:
    import yaml

    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(step):
                return value
    elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
        if 0 <= step < len(node.value):
            return node.value[step]
    return None


def _marked(exc: Exception) -> YamlError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    line = mark.line + 1 if mark is not None else None
    return YamlError(f"invalid YAML: {problem}", line)


def check_expansion(node: yaml.Node, limit: int = MAX_EXPANDED_NODES) -> None:
    """Raise YamlError if following aliases would expand ``node`` beyond ``limit`` nodes.

    The error names the line of the innermost node that is already too big: the alias that explodes.
    """
    import yaml

    sizes: dict[int, int] = {}
    in_progress: set[int] = set()

    def too_big(n: yaml.Node) -> YamlError:
        return YamlError(f"YAML aliases expand to more than {limit:,} nodes (an alias bomb?)",
                         n.start_mark.line + 1)

    def size(n: yaml.Node) -> int:
        key = id(n)
        known = sizes.get(key)
        if known is not None:
            return known
        if key in in_progress:
            raise YamlError("recursive YAML alias", n.start_mark.line + 1)
        in_progress.add(key)
        total = 1
        children: list[yaml.Node] = []
        if isinstance(n, yaml.SequenceNode):
            children = n.value
        elif isinstance(n, yaml.MappingNode):
            children = [part for pair in n.value for part in pair]
        for child in children:
            total += size(child)
            if total > limit:
                raise too_big(n)
        in_progress.discard(key)
        sizes[key] = total
        return total

    size(node)


def check_node_count(text: str, limit: int = MAX_NODES) -> None:
    """Raise :class:`YamlError` when ``text`` holds more than ``limit`` nodes, counted from the parser's
    events (libyaml makes them one at a time and nothing is kept), before anything is composed. Text
    too short to hold that many is not counted; text that does not parse is left to the composer,
    which says where."""
    if len(text) < min(_COUNT_FROM, 2 * limit):
        return
    import yaml

    starts = (yaml.ScalarEvent, yaml.AliasEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)
    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)(text)
    count = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, starts):
                count += 1
                if count > limit:
                    mark = event.start_mark
                    raise YamlError(f"more than {limit:,} YAML nodes: not read", mark.line + 1 if mark else None)
    except yaml.YAMLError:
        return
    finally:
        loader.dispose()


def iter_documents(text: str, limit: int = MAX_EXPANDED_NODES) -> Iterator[YamlDocument]:
    """Yield every document of a (possibly multi-document) YAML stream."""
    import yaml

    check_node_count(text)
    loader = _loader_class()(text)
    try:
        while True:
            try:
                if not loader.check_node():
                    return
                node = loader.get_node()
                check_expansion(node, limit)
                data = loader.construct_document(node)
            except yaml.YAMLError as exc:
                raise _marked(exc) from None
            except RecursionError:
                raise YamlError("YAML nested too deeply") from None
            yield YamlDocument(data, node)
    finally:
        loader.dispose()


def load(text: str, limit: int = MAX_EXPANDED_NODES) -> YamlDocument:
    """Load a single-document YAML stream (an empty stream loads as ``None``)."""
    docs = iter_documents(text, limit)
    try:
        first = next(docs, None)
        if first is None:
            return YamlDocument(None, None)
        extra = next(docs, None)
    finally:
        docs.close()  # type: ignore[attr-defined]
    if extra is not None:
        raise YamlError("expected one YAML document, found several", extra.node.start_mark.line + 1
                        if extra.node is not None else None)
    return first
