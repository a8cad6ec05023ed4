"""gdlab's benchmark suite: one runner, one process, one run, ratios measured side by side.

    python -m benchmarks                 # the full table (a few minutes), JSON under results/
    python -m benchmarks --quick         # tiny sizes: a smoke test of the runner (CI)
    python -m benchmarks --only steps    # one group: bandwidth, steps, overhead, sweep, fit,
                                         #   distributed (Dask: `python -m benchmarks.distributed`)

torch and scikit-learn are benchmark-only dependencies; a missing one marks its rows skipped.
"""
