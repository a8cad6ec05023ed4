"""Training-loop cases: SLOTS, to be filled when the compiled fit loops exist (issue 5 part 2).

Each slot is listed with what it will measure and its target, so that the table and the JSON
already show what is still to come.  `fit_rows` fills them once `gdlab.kernels` has the fit
loops; until then their time is None and the note says so.
"""

from __future__ import annotations

from benchmarks.report import Row

PENDING = "slot: waits for the compiled fit loops (issue 5 part 2)"
SLOTS = (
    ("per-sample SGD epoch, linear, 1M×100 float32", "gdlab vs SGDRegressor.partial_fit",
     "≥ 5× scikit-learn"),
    ("per-sample SGD epoch, logistic, 1M×100 float32", "gdlab vs SGDClassifier.partial_fit",
     "≥ 5× scikit-learn"),
    ("mini-batch 32 shuffled epoch, 1M×100 float32", "gdlab vs NumPy loop vs torch loop", ""),
    ("mini-batch 256 shuffled epoch, 1M×100 float32", "gdlab vs NumPy loop vs torch loop",
     "≥ 40% of floor"),
    ("mini-batch 4096 shuffled epoch, 1M×100 float32", "gdlab vs NumPy loop vs torch loop", ""),
    ("full-batch epoch, 1M×100 float32", "gdlab vs NumPy", "≥ 60% of floor"),
    ("seed-000 fit", "gdlab vs the seed's pure Python", "≤ 0.5× its time"),
)  # fmt: skip


def fit_rows() -> list[Row]:
    return [
        Row("fit", case, variant, None, target=target, note=PENDING)
        for case, variant, target in SLOTS
    ]
