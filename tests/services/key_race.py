"""Several workers reading the instance secret key at once, from a small process.

Run as ``python -m tests.services.key_race FOLDER ROUNDS WORKERS``: for each round,
WORKERS forked processes wait at a barrier and then call ``instance_secret_key``
on a new folder under FOLDER; the keys they read are printed as one JSON list per
round. The test runs this in a fresh interpreter because forking the test worker
itself (hundreds of megabytes) hundreds of times costs seconds; forking this one
costs milliseconds, and the race is the same.
"""

import json
import multiprocessing
import sys
from multiprocessing.synchronize import Barrier
from pathlib import Path
from queue import Queue

from planner.config import instance_secret_key


def _start_worker(folder: str, start: Barrier, results: "Queue[str]") -> None:
    start.wait()
    results.put(instance_secret_key(Path(folder)))


def race(root: Path, rounds: int, workers: int) -> list[list[str]]:
    context = multiprocessing.get_context("fork")
    found: list[list[str]] = []
    for number in range(rounds):
        folder = root / f"instance-{number}"
        start = context.Barrier(workers)
        results = context.Queue()
        processes = [
            context.Process(target=_start_worker, args=(str(folder), start, results))
            for _ in range(workers)
        ]
        for process in processes:
            process.start()
        found.append([results.get(timeout=30) for _ in processes])
        for process in processes:
            process.join()
    return found


if __name__ == "__main__":
    root, rounds, workers = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    for keys in race(root, rounds, workers):
        sys.stdout.write(json.dumps(keys) + "\n")
