"""JSON documents as ``json.dumps(value, indent=2, ensure_ascii=False)`` writes them, faster.

``indent`` makes the standard library fall back to its pure-Python encoder, several times slower
than the C one. Here the C encoder writes the document compactly, and one pass over its text puts
the line breaks and indentation back: strings are copied as they are, so the result is the same text,
character for character (the golden reports in the tests hold it to that).
"""

from __future__ import annotations

import json
import re
from typing import Any

#: A JSON string (the encoder escapes every quote and backslash inside one), or a run of anything else.
_PIECES = re.compile(r'"(?:[^"\\]|\\.)*"|[^"]+', re.S)


def dumps(value: Any, indent: int = 2) -> str:
    """``json.dumps(value, indent=indent, ensure_ascii=False)``, with the C encoder doing the work."""
    compact = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    pad = " " * indent
    out: list[str] = []
    depth = 0
    for piece in _PIECES.findall(compact):
        if piece[0] == '"':
            out.append(piece)
            continue
        length = len(piece)
        index = 0
        while index < length:
            char = piece[index]
            if char == "{" or char == "[":
                closing = "}" if char == "{" else "]"
                if index + 1 < length and piece[index + 1] == closing:
                    out.append(char + closing)
                    index += 2
                    continue
                depth += 1
                out.append(char + "\n" + pad * depth)
            elif char == "}" or char == "]":
                depth -= 1
                out.append("\n" + pad * depth + char)
            elif char == ",":
                out.append(",\n" + pad * depth)
            elif char == ":":
                out.append(": ")
            else:
                out.append(char)
            index += 1
    return "".join(out)
