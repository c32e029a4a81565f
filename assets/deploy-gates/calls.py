"""One AWS call made patiently: throttling waited out until the gate's bound, any other error worded once.

Shared by the cutover gate (cutover.py) and the start of a shift from a simple record (shift_start.py);
built on index.py's wait and error codes.
"""
from index import THROTTLING, GateFailed, error_code, wait


def retried(clock, deadline, call, what, retry=THROTTLING, after=""):
    """The call's result, trying again after each error in `retry` until the deadline; any other error fails with its code."""
    while True:
        try:
            return call()
        except GateFailed:
            raise
        except Exception as error:
            if error_code(error) not in retry:
                raise GateFailed(f"{what} ({error_code(error) or type(error).__name__}: {error}){after}") from None
        wait(clock, deadline, f"{what}: throttled until the gate's bound")
