"""The checkpoint file: a ZIP of a JSON manifest and .npy arrays, its own SHA-256 in the
archive's comment; written atomically, verified before anything in it is used."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from gdlab.base import Array
from gdlab.checkpoints.codec import CheckpointError, Encoded, decode, decode_like, encode
from gdlab.history import write_bytes_atomic

FORMAT = "gdlab-checkpoint"
VERSION = 1
MANIFEST = "manifest.json"


@dataclass(frozen=True, eq=False)
class Checkpoint:
    """A run between two epochs (or at its end, with its status): see the module docstring."""

    fit: Mapping[str, Any]
    epoch: int
    count: int
    params: Array
    previous: Array
    state: Any
    rng: Any
    bound: float
    steps: Array
    epochs: Array
    path: Array | None = None
    plateau: Mapping[str, Any] | None = None
    monitor: Mapping[str, Any] = field(default_factory=dict)
    status: str | None = None
    message: str = ""
    resumable: bool = True


# ---------------------------------------------------------------- save


def save(path: str | os.PathLike[str], checkpoint: Checkpoint) -> Path:
    """Write `checkpoint` to path atomically (temporary file, fsync, rename); returns the path."""
    target = Path(path)
    arrays: dict[str, np.ndarray] = {
        "params": checkpoint.params,
        "previous": checkpoint.previous,
        "steps": checkpoint.steps,
        "epochs": checkpoint.epochs,
    }
    if checkpoint.path is not None:
        arrays["path"] = checkpoint.path
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "fit": dict(checkpoint.fit),
        "epoch": int(checkpoint.epoch),
        "count": int(checkpoint.count),
        "status": checkpoint.status,
        "message": checkpoint.message,
        "resumable": bool(checkpoint.resumable),
        "bound": encode(checkpoint.bound, arrays, "bound"),
        "state": encode(checkpoint.state, arrays, "state"),
        "rng": encode(checkpoint.rng, arrays, "rng"),
        "plateau": encode(checkpoint.plateau, arrays, "plateau"),
        "monitor": encode(dict(checkpoint.monitor), arrays, "monitor"),
    }
    payloads = {name: _npy(array) for name, array in arrays.items()}
    manifest["arrays"] = {
        name: {"dtype": array.dtype.str, "shape": list(array.shape), "sha256": _sha(payloads[name])}
        for name, array in arrays.items()
    }
    _write_atomic(target, json.dumps(manifest, indent=1), payloads)
    return target


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def _sha(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def _archive(manifest: str, payloads: Mapping[str, bytes]) -> bytes:
    """The ZIP archive, its comment the SHA-256 of every byte before it (a file checksum)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(MANIFEST, manifest)
        for name, payload in payloads.items():
            archive.writestr(f"{name}.npy", payload)
    body = buffer.getvalue()[:-2]  # the archive without its comment length (0)
    return body + _TRAILER_SIZE.to_bytes(2, "little") + _trailer(body)


def _trailer(body: bytes) -> bytes:
    return b"sha256:" + hashlib.sha256(body).hexdigest().encode("ascii")


_TRAILER_SIZE = len(_trailer(b""))


def _write_atomic(target: Path, manifest: str, payloads: Mapping[str, bytes]) -> None:
    """The archive to a temporary file beside target, fsync, os.replace; then sync the folder."""
    write_bytes_atomic(target, _archive(manifest, payloads))
    _sync_directory(target.parent)


def _sync_directory(directory: Path) -> None:
    """Make the rename durable where the platform allows it (POSIX); a no-op elsewhere."""
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


# ---------------------------------------------------------------- load


def load(path: str | os.PathLike[str]) -> Checkpoint:
    """Read and verify a checkpoint; CheckpointError when it is missing, truncated or corrupt.

    The optimizer state comes back as plain tuples: `restore_state` fits it to an optimizer.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"resume_from must be a path, got {type(path).__name__}")
    source = Path(path)
    if not source.is_file():
        raise CheckpointError(f"cannot resume: no checkpoint file at {source}")
    try:
        manifest, payloads = _read_archive(source)
    except Exception as error:  # a damaged ZIP makes zipfile raise almost anything
        raise CheckpointError(
            f"cannot resume from {source}: the file is truncated or corrupt "
            f"({type(error).__name__}: {error}); it was not used"
        ) from None
    _check_format(manifest, source)
    try:
        arrays = {
            name: _read_array(payloads, name, spec) for name, spec in manifest["arrays"].items()
        }
        return _checkpoint(manifest, arrays)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise CheckpointError(
            f"cannot resume from {source}: its contents are damaged or malformed "
            f"({type(error).__name__}: {error}); it was not used"
        ) from None


def _read_archive(source: Path) -> tuple[Any, dict[str, bytes]]:
    """The parsed manifest and every member's bytes, after the file checksum (the archive's
    comment) has been checked against every byte before it."""
    content = source.read_bytes()
    body, size = content[: -_TRAILER_SIZE - 2], content[-_TRAILER_SIZE - 2 : -_TRAILER_SIZE]
    if size != _TRAILER_SIZE.to_bytes(2, "little") or content[-_TRAILER_SIZE:] != _trailer(body):
        raise ValueError("its SHA-256 does not match its contents")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        payloads = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(payloads.pop(MANIFEST).decode("utf-8")), payloads


def _check_format(manifest: Any, source: Path) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise CheckpointError(f"cannot resume from {source}: it is not a gdlab checkpoint")
    if manifest.get("version") != VERSION:
        raise CheckpointError(
            f"cannot resume from {source}: checkpoint format version {manifest.get('version')!r},"
            f" this gdlab reads version {VERSION}"
        )


def _read_array(payloads: Mapping[str, bytes], name: str, spec: Mapping[str, Any]) -> np.ndarray:
    payload = payloads[f"{name}.npy"]
    if _sha(payload) != spec["sha256"]:
        raise ValueError(f"the checksum of {name!r} does not match")
    array = np.lib.format.read_array(io.BytesIO(payload), allow_pickle=False)
    if array.dtype.str != spec["dtype"] or list(array.shape) != list(spec["shape"]):
        raise ValueError(f"{name!r} is {array.dtype}{array.shape}, the manifest says otherwise")
    return array


def _checkpoint(manifest: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> Checkpoint:
    status = manifest["status"]
    if status not in (None, "converged", "max_steps", "diverged", "stopped"):
        raise ValueError(f"unknown status {status!r}")
    plateau = decode(manifest["plateau"], arrays)
    return Checkpoint(
        fit=dict(manifest["fit"]),
        epoch=_count("epoch", manifest["epoch"]),
        count=_count("count", manifest["count"]),
        params=arrays["params"],
        previous=arrays["previous"],
        state=Encoded(manifest["state"], arrays),
        rng=decode(manifest["rng"], arrays),
        bound=float(decode(manifest["bound"], arrays)),
        steps=arrays["steps"],
        epochs=arrays["epochs"],
        path=arrays.get("path"),
        plateau=None if plateau is None else dict(plateau),
        monitor=dict(decode(manifest["monitor"], arrays)),
        status=status,
        message=str(manifest["message"]),
        resumable=bool(manifest["resumable"]),
    )


def _count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
    return value


def restore_state(checkpoint: Checkpoint, template: Any) -> Any:
    """The checkpoint's optimizer state in the structure of `template` (optimizer.init(params));
    CheckpointError where the two differ."""
    state = checkpoint.state
    if not isinstance(state, Encoded):  # a checkpoint made in memory, not read from a file
        arrays: dict[str, np.ndarray] = {}
        state = Encoded(encode(state, arrays, "state"), arrays)
    return decode_like(state.node, template, state.arrays, "state")
