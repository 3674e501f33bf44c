"""The machine a benchmark ran on, as its results file records it."""

import platform


def machine() -> dict[str, str]:
    """Python's version, the platform and the processor of this machine."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
    }
