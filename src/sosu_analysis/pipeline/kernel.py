"""One chapter in one Jupyter kernel: what a worker process of a run executes (kept light to import).

:func:`sosu_analysis.pipeline.run.run_pipeline` hands each chapter to a worker process
(:func:`execute_chapter`), so that independent chapters run side by side; each worker sets the
chapter's environment before papermill starts the kernel, which inherits it.
"""

from __future__ import annotations

import os

KERNEL_NAME = "python3"
#: the kernel talks to papermill over Unix sockets in the user's Jupyter runtime folder (IPC transport),
#: not over unencrypted TCP on localhost, which ipykernel warns about on every start
KERNEL_MANAGER_CONFIG = {"KernelManager": {"transport": "ipc"}}
#: jupyter_client's shutdown sends the kernel SIGINT before its shutdown request; when that lands while the
#: kernel is still handling a message, ipykernel logs "KeyboardInterrupt caught in kernel" at ERROR on our
#: stderr, although nothing went wrong (the notebook is complete by then). The kernel's own log is therefore
#: kept to CRITICAL; an error in a notebook still reaches the user through papermill, with its cell.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]
#: BLAS threads of a chapter's kernel, unless the user's environment sets them: chapters run side by side
#: on the machine's cores, and a multi-threaded OpenBLAS on top of that oversubscribes them (the small
#: matrices of the campus comparison gain nothing from threads; benchmarks/README.md measures it).
#: Single-threaded BLAS is also the setting the stored outputs and nbval runs use (Makefile).
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def chapter_environment(chapter: str, chapter_variable: str) -> dict[str, str]:
    """Return the environment variables a chapter's kernel gets on top of the run's own."""
    env = {chapter_variable: chapter}
    for name in BLAS_THREAD_VARIABLES:
        env[name] = os.environ.get(name) or "1"
    return env


def execute_chapter(src: str, dst: str, parameters: dict, cwd: str, env: dict[str, str], ipc_path: str
                    ) -> tuple[object, str, str] | None:
    """Execute notebook ``src`` into ``dst`` with papermill in a new kernel that gets ``env``.

    ``ipc_path`` is the kernel's own prefix for its Unix sockets (``PREFIX-1`` ...): kernels that start at
    the same time in different workers would otherwise pick the same default names and read each
    other's messages.

    Returns ``None`` when every cell ran, else ``(cell number, error name, error value)`` of the cell
    that failed (plain values, so that they cross the process boundary).
    """
    import papermill
    from traitlets.config import Config

    os.environ.update(env)
    os.makedirs(os.path.dirname(ipc_path), mode=0o700, exist_ok=True)
    try:
        papermill.execute_notebook(
            src, dst, parameters=parameters, kernel_name=KERNEL_NAME, cwd=cwd,
            progress_bar=False, log_output=False, request_save_on_cell_execute=False,
            config=Config({"KernelManager": dict(KERNEL_MANAGER_CONFIG["KernelManager"], ip=ipc_path)}),
            extra_arguments=list(KERNEL_ARGUMENTS),
        )
    except papermill.PapermillExecutionError as exc:
        return exc.exec_count, str(exc.ename), str(exc.evalue)
    return None
