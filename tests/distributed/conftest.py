"""One LocalCluster per test module (per xdist worker): 2 worker processes, 1 thread each,
free ports, no dashboard — made by gdlab.distributed.cluster_client, the CLI's --workers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gdlab.distributed import cluster_client


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with cluster_client(workers=2) as client:
        yield client
