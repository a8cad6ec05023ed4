"""Checkpoints of `fit`: a run saved at the end of an epoch, resumed bit for bit (layer L3).

A checkpoint holds everything the rest of a run depends on:

    params, previous              θ after `count` updates, θ before the last one (for divergence)
    state                         the optimizer state (nested tuples of RuleState: counts, slot
                                  arrays, carried scalars) — the schedules' position is its count
    rng                           Generator.bit_generator.state: the next epochs' orders
    plateau                       reduce_on_plateau.state_dict(), when the optimizer has one
    monitor, bound                early stopping (best, bad epochs, best params), divergence bound
    steps, path, epochs           the History so far (per-update rows, trajectory, epoch rows)
    epoch, count, status          epochs completed, updates made; a status once the run ended

and, under "fit", what the run is — model, optimizer, batch plan, SHA-256 of the data — so that
resuming a different run is refused.  Checkpoints are taken between epochs, never inside one:
an epoch's order is drawn from the saved Generator state, so nothing of an epoch in progress is
needed, and the compiled epoch functions keep their contract.

The file is a ZIP archive, no pickle anywhere: `manifest.json` — the structure and every
scalar, floats as `float.hex` (exact, inf and NaN included) — and one `.npy` per array, each with
its SHA-256 in the manifest; the archive's comment is "sha256:" and the SHA-256 of every byte
before it, so that a single changed byte anywhere is found.  It is written to a temporary file
beside the target, flushed to disk, then renamed over it (`os.replace`): a reader sees the old
checkpoint or the new one, whole.  `load` checks the file checksum, the format, every array's
checksum, dtype and shape, and raises `CheckpointError` (a ValueError) that names the file and
the problem — a checkpoint is never used silently.

The modules: `codec` (values ↔ JSON nodes, exactly), `files` (the file: save, load) and `runs`
(a running fit ↔ a Checkpoint, used by `gd.fit`).
"""

from gdlab.checkpoints.codec import CheckpointError, Encoded
from gdlab.checkpoints.files import FORMAT, VERSION, Checkpoint, load, restore_state, save
from gdlab.checkpoints.runs import (
    Keep,
    capture,
    check_compatible,
    checkpoint_path,
    describe_fit,
    describe_transform,
    fingerprint,
    finished,
    keeper,
    recorder,
    restore_generator,
    resume,
)

__all__ = [
    "FORMAT",
    "VERSION",
    "Checkpoint",
    "CheckpointError",
    "Encoded",
    "Keep",
    "capture",
    "check_compatible",
    "checkpoint_path",
    "describe_fit",
    "describe_transform",
    "fingerprint",
    "finished",
    "keeper",
    "load",
    "recorder",
    "restore_generator",
    "restore_state",
    "resume",
    "save",
]
