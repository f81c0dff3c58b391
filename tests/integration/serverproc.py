"""The lifecycle the throwaway servers of the rig share (dovecot.py,
cyrus.py, postfix.py): a server is a child process group started on free
loopback ports, waited for until it answers, and stopped gracefully, then
killed as a group; its directory is removed on close().

    class Mine(serverproc.ServerProcess):
        what = "mine"                   # for "mine did not start: ..."
        Error = MineError
        keep_env = "R2M_KEEP_MINE"      # =1 keeps the directory on close()
        def _pick_ports(self, reuse): ...   # set self.port (reuse: keep it)
        def _write_config(self): ...
        def _command(self): return [argv...]
        def _shutdown(self, proc): ...      # graceful stop, bounded
        def start(self):
            ...                             # checks, directory, files
            self._start_attempts(timeout)

Every wait is bounded.  A started server gets SIGTERM when the test
process dies, even by SIGKILL (PR_SET_PDEATHSIG), and every server still
running is stopped at interpreter exit, also when a test failed.

Only the standard library is used (tests may run under any python3).
"""
import atexit
import os
import shutil
import signal
import socket
import subprocess
import time

_live = []


def _stop_all():
    for srv in list(_live):
        srv.close()


atexit.register(_stop_all)


def die_with_parent():
    """In the child before exec: get SIGTERM when the test process dies,
    even by SIGKILL, so no server outlives its tests (Linux only).  The
    signal follows the creating *thread*: start servers from the main
    thread (or one that lives as long as the server)."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)       # PR_SET_PDEATHSIG
    except Exception:
        pass


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def wait_port(port, timeout=15.0, proc=None):
    """Wait until 127.0.0.1:port accepts a connection; False on timeout
    (or at once when proc, the server, has exited)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.05)
    return False


class ServerProcess:
    """Start attempts, readiness, stop and close for one server; the
    subclass says what to run and how it stops (module docstring)."""

    what = "server"
    Error = RuntimeError
    keep_env = None
    output = None           # a file in self.dir for the child's output
    diagnostics_tail = 3000

    proc = None
    dir = None

    # -- what a subclass gives ---------------------------------------------

    def _pick_ports(self, reuse):
        raise NotImplementedError

    def _write_config(self):
        raise NotImplementedError

    def _command(self):
        raise NotImplementedError

    def _ports(self):
        """The ports that must answer before the server counts as up."""
        return [self.port]

    def _ready(self, timeout):
        return all(wait_port(p, timeout, self.proc) for p in self._ports())

    def _diagnostics(self):
        """What to show when the server did not start."""
        return self.log() if hasattr(self, "log") else ""

    def _shutdown(self, proc):
        """Ask the server to stop, and wait for it a bounded time."""
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass

    def _after_stop(self):
        """What may outlive the process group (after it was killed)."""

    # -- the lifecycle ---------------------------------------------------------

    def _spawn(self):
        out = subprocess.DEVNULL
        if self.output:
            out = open(os.path.join(self.dir, self.output), "ab")
        try:
            self.proc = subprocess.Popen(
                self._command(), stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=die_with_parent)
        finally:
            if self.output:
                out.close()
        _live.append(self)

    def _start_attempts(self, timeout):
        """Up to three starts: a restart keeps its ports when it can
        (clients reconnect to the same address), otherwise, and after a
        clash, _pick_ports takes free ones."""
        keep = getattr(self, "port", None) is not None
        last = ""
        for attempt in range(3):
            self._pick_ports(keep and attempt == 0)
            self._write_config()
            self._spawn()
            if self._ready(timeout):
                return
            last = self._diagnostics()
            self._stop()
        raise self.Error("%s did not start:\n%s" % (
            self.what, last[-self.diagnostics_tail:]))

    def _stop(self):
        p = self.proc
        if p is None:
            return
        self.proc = None
        self._shutdown(p)
        # the server and its children share a process group of their own
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self._after_stop()
        if self in _live:
            _live.remove(self)

    def close(self):
        """Stop the server and remove its directory; safe to call twice."""
        self._stop()
        if self.dir and not (self.keep_env and
                             os.environ.get(self.keep_env) == "1"):
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
