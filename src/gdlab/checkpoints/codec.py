"""Values ↔ JSON nodes and arrays, exactly: how a checkpoint writes an optimizer state.

    array            → {"array": name}            (the array itself goes to a .npy member)
    float            → {"float": float.hex(x)}    (exact, inf and NaN included)
    int, bool, str, None → themselves;  list → list;  dict → {"dict": {...}}
    tuple            → {"tuple": [...]};  NamedTuple → {"namedtuple": name, "fields", "items"}

`decode_like` reads a node back into the structure of a template (a fresh `optimizer.init`),
so that RuleState and the other named tuples come back as themselves, and says where a saved
state does not fit the optimizer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np


class CheckpointError(ValueError):
    """A checkpoint that cannot be used: missing, truncated, corrupt or from another run."""


@dataclass(frozen=True, eq=False)
class Encoded:
    """An optimizer state as read from a file: its JSON node and the arrays it names."""

    node: Any
    arrays: Mapping[str, np.ndarray]


# ---------------------------------------------------------------- encode and decode


def encode(value: Any, arrays: dict[str, np.ndarray], prefix: str) -> Any:
    """A JSON node for value; arrays go to `arrays` under `prefix.k` (floats as exact hex)."""
    if isinstance(value, np.ndarray):
        name = f"{prefix}.{len(arrays)}"
        arrays[name] = value
        return {"array": name}
    if isinstance(value, Encoded):  # a state read from a file, saved again
        return encode_node(value.node, value.arrays, arrays, prefix)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return {"float": float(value).hex()}
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        items = [encode(item, arrays, prefix) for item in value]
        return {"namedtuple": type(value).__name__, "fields": list(value._fields), "items": items}
    if isinstance(value, (tuple, list)):
        items = [encode(item, arrays, prefix) for item in value]
        return {"tuple": items} if isinstance(value, tuple) else items
    if isinstance(value, dict):
        return {"dict": {str(key): encode(item, arrays, prefix) for key, item in value.items()}}
    raise TypeError(f"cannot checkpoint a value of type {type(value).__name__}: {value!r}")


def encode_node(
    node: Any, source: Mapping[str, np.ndarray], arrays: dict[str, np.ndarray], prefix: str
) -> Any:
    """An encoded node again, its arrays moved from `source` into `arrays`."""
    if isinstance(node, list):
        return [encode_node(item, source, arrays, prefix) for item in node]
    if not isinstance(node, dict):
        return node
    if "array" in node:
        return encode(decode(node, source), arrays, prefix)
    return {key: encode_node(item, source, arrays, prefix) for key, item in node.items()}


def decode(node: Any, arrays: Mapping[str, np.ndarray]) -> Any:
    """The value of a JSON node (named tuples come back as plain tuples)."""
    if isinstance(node, list):
        return [decode(item, arrays) for item in node]
    if not isinstance(node, dict):
        return node
    if "array" in node:
        if node["array"] not in arrays:
            raise CheckpointError(f"the checkpoint names an array {node['array']!r} it lacks")
        return arrays[node["array"]]
    if "float" in node:
        return float.fromhex(node["float"])
    if "dict" in node:
        return {key: decode(item, arrays) for key, item in node["dict"].items()}
    items = node["tuple"] if "tuple" in node else node["items"]
    return tuple(decode(item, arrays) for item in items)


def decode_like(node: Any, template: Any, arrays: Mapping[str, np.ndarray], where: str) -> Any:
    """Decode node into the structure of `template` (a fresh optimizer state), or say where the
    two differ."""
    value = decode(node, arrays) if not isinstance(template, tuple) else None
    if isinstance(template, np.ndarray):
        if not isinstance(value, np.ndarray) or (value.shape, value.dtype) != (
            template.shape,
            template.dtype,
        ):
            found = (value.shape, str(value.dtype)) if isinstance(value, np.ndarray) else value
            raise _mismatch(where, (template.shape, str(template.dtype)), found)
        return value
    if isinstance(template, tuple):
        items = node.get("items", node.get("tuple")) if isinstance(node, dict) else None
        name = type(template).__name__ if hasattr(template, "_fields") else "tuple"
        if items is None or len(items) != len(template) or node.get("namedtuple", "tuple") != name:
            raise _mismatch(where, f"{name} of {len(template)}", _kind(node))
        decoded = [
            decode_like(item, part, arrays, f"{where}[{index}]")
            for index, (item, part) in enumerate(zip(items, template, strict=True))
        ]
        return type(template)(*decoded) if hasattr(template, "_fields") else tuple(decoded)
    kinds = (bool, int, float, str, type(None))
    expected = next(kind for kind in (*kinds, object) if isinstance(template, kind))
    if isinstance(template, np.generic):
        expected = float if isinstance(template, np.floating) else int
    if not isinstance(value, expected) or isinstance(value, bool) != isinstance(template, bool):
        raise _mismatch(where, expected.__name__, type(value).__name__)
    return type(template)(value) if isinstance(template, np.generic) else value


def _kind(node: Any) -> str:
    if isinstance(node, dict):
        label = node.get("namedtuple", "tuple" if "tuple" in node else next(iter(node), "?"))
        items = node.get("items", node.get("tuple"))
        return f"{label} of {len(items)}" if isinstance(items, list) else str(label)
    return type(node).__name__


def _mismatch(where: str, expected: Any, found: Any) -> CheckpointError:
    return CheckpointError(
        f"the optimizer state in the checkpoint does not fit this optimizer at {where}: "
        f"expected {expected}, found {found}"
    )
