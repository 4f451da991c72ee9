"""Every process the benchmark starts, so each is stopped by its PID whatever happens.

Resolvers and servers run in their own session (a Ctrl-C reaches the harness, which then stops
them in order); short-lived tools (dnsperf, the load generator) run in the foreground with a
timeout.
"""

import os
import signal
import subprocess
import time


def _wrap(argv, cpus, nice):
    """taskset and nice exec the program: the PID we hold is the program's own."""
    if cpus is not None:
        argv = ["taskset", "-c", cpus] + list(argv)
    if nice:
        argv = ["nice", "-n", str(nice)] + list(argv)
    return argv


class ProcessSet:
    def __init__(self, nice=0):
        self._running = []  # (name, Popen)
        self.nice = nice

    def start(self, name, argv, cpus=None, cwd=None, log_path=None):
        argv = _wrap(argv, cpus, self.nice)
        log = open(log_path, "wb") if log_path else subprocess.DEVNULL
        try:
            proc = subprocess.Popen(argv, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        finally:
            if log is not subprocess.DEVNULL:
                log.close()
        self._running.append((name, proc))
        return proc

    def stop(self, proc, grace=5.0):
        """SIGTERM, then SIGKILL after `grace` seconds; only this PID."""
        if proc.poll() is None:
            try:
                os.kill(proc.pid, signal.SIGTERM)
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=grace)
            except ProcessLookupError:
                pass
        self._running = [(n, p) for n, p in self._running if p is not proc]

    def stop_all(self):
        for _, proc in reversed(list(self._running)):
            self.stop(proc)


def run_tool(argv, timeout, cpus=None, nice=0):
    """Runs a bounded foreground tool; returns (exit code, stdout text). Never raises on timeout."""
    argv = _wrap(argv, cpus, nice)
    try:
        done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, timeout=timeout)
        return done.returncode, done.stdout.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if e.stdout else ""
        return -1, out + "\n(timed out after %ss)" % timeout


def wait_until(predicate, timeout, step=0.1):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
