"""Process helpers the hack scripts share (imported from scripts run as `python3 hack/<script>.py`)."""
from __future__ import annotations

import subprocess
from typing import IO


def stop_process(proc: subprocess.Popen | None, log: IO | None = None, timeout: float = 10) -> None:
    """Stops `proc` if it still runs: SIGTERM, up to `timeout` seconds to exit, then SIGKILL. Closes `log` (the
    file its output went to) either way."""
    try:
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
    finally:
        if log is not None:
            log.close()
