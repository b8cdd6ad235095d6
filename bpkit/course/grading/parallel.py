"""Worker processes for grading and validating many notebooks at once."""
from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Callable


def _process_context() -> multiprocessing.context.BaseContext:
    """``fork`` when it is safe (POSIX, no other threads): workers then inherit the imports;
    otherwise ``forkserver`` (POSIX) or ``spawn``, with bpkit's grading package preloaded."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["bpkit.course.grading"])
        return context
    return multiprocessing.get_context("spawn")


def parallel_map(function: Callable, jobs: list, workers: int,
                 on_result: Callable | None = None, on_lost: Callable | None = None) -> list:
    """``[function(j) for j in jobs]`` in up to ``workers`` processes, results in the order of ``jobs``.

    ``on_result(index, result)`` is called (in this process) as each job finishes, in the order they
    finish. A job whose worker process died gets ``on_lost(job, error)`` as its result (without
    ``on_lost`` the error is raised)."""
    results: list = [None] * len(jobs)

    def done(k, result):
        results[k] = result
        if on_result is not None:
            on_result(k, result)

    if workers <= 1 or len(jobs) <= 1:
        for k, job in enumerate(jobs):
            done(k, function(job))
        return results
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=_process_context()) as pool:
        pending = {pool.submit(function, job): k for k, job in enumerate(jobs)}
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                k = pending.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool as e:
                    if on_lost is None:
                        raise
                    result = on_lost(jobs[k], e)
                done(k, result)
    return results
