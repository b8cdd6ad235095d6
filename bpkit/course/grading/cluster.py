"""Grading on a dask.distributed cluster: one task per submission (``bpkit grade --scheduler``).

``--scheduler tcp://host:8786`` sends the submissions to a running dask scheduler; ``--scheduler local:N``
starts a ``LocalCluster`` of N single-threaded worker processes here. Each task is the same
:func:`~bpkit.course.grading.grade._grade_job` a plain run does in its worker processes (every submission
in its own sandbox, verdicts in the grader), so the gradebook is the same; results come back as they
finish. dask is not a dependency of bpkit: ``pip install bpkit[cluster]``.
"""
from __future__ import annotations

import importlib
import re
from typing import Callable

CLUSTER_EXTRA = "pip install 'bpkit[cluster]'"


class SchedulerError(ValueError):
    """A --scheduler that cannot be used, said in words (``bpkit`` exits with 2)."""


def parse_scheduler(text: str) -> tuple[str, int | str]:
    """``"local:N"`` -> ("local", N); ``"tcp://host:port"`` (or another dask address) -> ("address", text)."""
    match = re.fullmatch(r"local:(\d+)", text.strip())
    if match:
        workers = int(match.group(1))
        if workers < 1:
            raise SchedulerError(f"--scheduler {text}: a local cluster needs at least 1 worker")
        return "local", workers
    if re.fullmatch(r"[a-z]+://[^\s/]+(:\d+)?/?", text.strip()):
        return "address", text.strip()
    raise SchedulerError(f"--scheduler {text!r}: give a scheduler address (tcp://host:8786) or local:N")


def require_dask() -> None:
    """A :class:`SchedulerError` naming the extra to install when dask.distributed is not importable."""
    try:
        importlib.import_module("distributed")
    except ImportError as e:
        raise SchedulerError(f"--scheduler needs dask.distributed, which is not installed ({e}): "
                             f"{CLUSTER_EXTRA}") from None


def cluster_map(function: Callable, jobs: list, scheduler: str, *, on_result: Callable | None = None,
                on_lost: Callable | None = None) -> list:
    """``[function(j) for j in jobs]`` as dask tasks, results in the order of ``jobs``.

    ``on_result(index, result)`` is called here as each task finishes; a task whose worker died (or that
    raised) gets ``on_lost(job, error)`` as its result.
    """
    require_dask()
    from distributed import Client, LocalCluster, as_completed

    kind, value = parse_scheduler(scheduler)
    results: list = [None] * len(jobs)
    cluster = None
    try:
        if kind == "local":
            cluster = LocalCluster(n_workers=value, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=40)
            client = Client(cluster)
        else:
            try:
                client = Client(value, timeout="30s")
            except OSError as e:
                raise SchedulerError(f"--scheduler {value}: no dask scheduler answers there ({e})") from None
        with client:
            futures = {client.submit(function, job, pure=False, key=f"bpkit-grade-{k}"): k
                       for k, job in enumerate(jobs)}
            for future in as_completed(futures):
                k = futures[future]
                try:
                    result = future.result()
                except Exception as e:  # the worker died, or the task could not run
                    if on_lost is None:
                        raise
                    result = on_lost(jobs[k], e)
                results[k] = result
                if on_result is not None:
                    on_result(k, result)
    finally:
        if cluster is not None:
            cluster.close()
    return results
