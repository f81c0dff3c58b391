"""A throwaway Cyrus IMAP (Debian's 3.6) for tests: the second real server.

    with Cyrus() as cy:                 # the same API as dovecot.Dovecot
        cy.url("Feeds")                 # imap://alice@127.0.0.1:port/Feeds
        cy.folder("Feeds/lwn")          # "INBOX.Feeds.lwn": the server's name
        cy.fetch_all(cy.folder("Feeds"))
        cy.log()                        # the protocol telemetry of every session

Cyrus is laid out as Debian ships it: `altnamespace: no`, `unixhierarchysep:
no`, so a user's folders live under "INBOX." with "." as separator.  It runs
from one temp directory: imapd.conf, cyrus.conf, the config directory, the
partition, a sasldb with the test user and the admin "cyrus" (who creates the
user's INBOX on start).  The cyrus-imapd package conflicts with dovecot-imapd
(both provide imap-server), so its `imapd` is unpacked under the build tree
by scripts/install-deps (build/cyrus/); cyrus-common gives the master and the
tools.  Cyrus logs to syslog only, and there is no /dev/log here: a test sees
what happened through the telemetry directory (conf/log/USER/), where imapd
writes each authenticated session's traffic under a "---------- USER
DATE" line, "<TIME<" before what the client sent, ">TIME>" before the reply.

The helpers that read the mailbox back (imap, mailboxes, fetch_all, count,
url) are Dovecot's: only the lifecycle and the log differ.
"""
import os
import pwd
import shutil
import subprocess
import tempfile
import time

import dovecot
import serverproc

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
MASTER = "/usr/sbin/cyrmaster"
TOOLS = "/usr/lib/cyrus/bin"
SASLPASSWD = shutil.which("saslpasswd2") or "/usr/sbin/saslpasswd2"
IMAPD = os.environ.get("R2M_CYRUS_IMAPD") or os.path.join(
    TOP, "build", "cyrus", "usr", "lib", "cyrus", "bin", "imapd")
ADMIN_PW = "cyrus-admin-pw"


class CyrusError(dovecot.DovecotError):
    pass


class Cyrus(dovecot.Dovecot):
    """One Cyrus instance on loopback; see the module docstring."""

    what = "cyrus"
    Error = CyrusError
    output = None

    @staticmethod
    def available():
        return all(os.access(p, os.X_OK) for p in (MASTER, IMAPD, SASLPASSWD))

    def __init__(self, user="alice", password="secret-pw", users=None,
                 extra="", start=True):
        """extra: raw imapd.conf lines appended."""
        self.extra_conf = extra
        super().__init__(user=user, password=password, users=users,
                         start=False, separator=".", prefix="INBOX.")
        if start:
            self.start()

    # -- lifecycle --------------------------------------------------------

    def _paths(self):
        d = self.dir
        self.conf = os.path.join(d, "imapd.conf")
        self.master_conf = os.path.join(d, "cyrus.conf")
        self.configdir = os.path.join(d, "conf")
        self.partition = os.path.join(d, "spool")
        self.sockdir = os.path.join(d, "sock")
        self.sasldb = os.path.join(d, "sasldb2")
        self.log_path = os.path.join(d, "master.log")
        self.telemetry = os.path.join(self.configdir, "log")

    def _write_config(self):
        with open(self.conf, "w") as f:
            f.write("\n".join([
                "configdirectory: " + self.configdir,
                "partition-default: " + self.partition,
                "defaultpartition: default",
                "admins: cyrus",
                "servername: localhost",
                "sasl_pwcheck_method: auxprop",
                "sasl_auxprop_plugin: sasldb",
                "sasl_sasldb_path: " + self.sasldb,
                "sasl_mech_list: PLAIN LOGIN",
                "allowplaintext: yes",
                "altnamespace: no",
                "unixhierarchysep: no",
                "virtdomains: off",
                "lmtpsocket: " + os.path.join(self.sockdir, "lmtp"),
                "idlesocket: " + os.path.join(self.sockdir, "idle"),
                "notifysocket: " + os.path.join(self.sockdir, "notify"),
                "statuscache: no",
                self.extra_conf, ""]))
        with open(self.master_conf, "w") as f:
            f.write('START {\n  recover cmd="%s/ctl_cyrusdb -C %s -r"\n}\n'
                    'SERVICES {\n  imap cmd="%s -C %s" listen="127.0.0.1:%d"'
                    ' prefork=0\n}\nEVENTS {\n}\n' %
                    (TOOLS, self.conf, IMAPD, self.conf, self.port))
        self._own()

    def _write_passwd(self):
        accounts = dict(self.users)
        accounts["cyrus"] = ADMIN_PW
        for name, pw in accounts.items():
            p = subprocess.run([SASLPASSWD, "-p", "-c", "-f", self.sasldb,
                                "-u", "localhost", name],
                               input=pw.encode(), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=30)
            if p.returncode != 0:
                raise CyrusError("saslpasswd2: %s" % p.stdout.decode())

    def _own(self):
        """Cyrus drops to the cyrus user: it owns its whole tree."""
        if os.geteuid() != 0:
            return
        pw = pwd.getpwnam("cyrus")
        for root, dirs, files in os.walk(self.dir):
            for n in dirs + files:
                os.chown(os.path.join(root, n), pw.pw_uid, pw.pw_gid)
        os.chown(self.dir, pw.pw_uid, pw.pw_gid)

    def start(self, timeout=30.0):
        if self.proc is not None:
            return
        if not self.available():
            raise CyrusError("cyrus is not installed (scripts/install-deps)")
        fresh = self.dir is None
        if fresh:
            self.dir = tempfile.mkdtemp(prefix="r2m-cyrus-")
            os.chmod(self.dir, 0o755)
            self._paths()
            for d in (self.configdir, self.partition, self.sockdir):
                os.makedirs(d, exist_ok=True)
            for u in self.users:
                os.makedirs(os.path.join(self.telemetry, u), exist_ok=True)
            self._write_passwd()
        self._start_attempts(timeout)
        if fresh:
            self._create_inboxes()

    def _command(self):
        return [MASTER, "-C", self.conf, "-M", self.master_conf, "-p",
                os.path.join(self.dir, "master.pid"), "-L", self.log_path]

    def _diagnostics(self):
        return self.log()

    # cyrmaster stops on SIGTERM
    _shutdown = serverproc.ServerProcess._shutdown

    def _create_inboxes(self):
        c = self.imap("cyrus", ADMIN_PW)
        try:
            for u in self.users:
                typ, data = c.create("user." + u)
                if typ != "OK":
                    raise CyrusError("CREATE user.%s: %r" % (u, data))
        finally:
            c.logout()

    def imap(self, user=None, password=None):
        if user == "cyrus":
            password = password or ADMIN_PW
        return super().imap(user, password)

    def _after_stop(self):
        # the forked imapd processes may outlive the master's group
        subprocess.run(["pkill", "-KILL", "-f", "%s -C %s" % (IMAPD,
                        self.conf)], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)

    # -- what happened ----------------------------------------------------

    def log(self):
        """The master's log, then every session's telemetry (oldest first):
        what clients sent is on lines that start with "<"."""
        parts = [dovecot.Dovecot.log(self)]
        for path in self._telemetry_files():
            try:
                with open(path, "r", errors="replace") as f:
                    parts.append(f.read())
            except OSError:
                pass
        return "\n".join(parts)

    def _telemetry_files(self):
        out = []
        if not getattr(self, "telemetry", None) or \
                not os.path.isdir(self.telemetry):
            return out
        for u in sorted(os.listdir(self.telemetry)):
            d = os.path.join(self.telemetry, u)
            for n in os.listdir(d):
                out.append(os.path.join(d, n))
        out.sort(key=lambda p: (os.path.getmtime(p), p))
        return out

    def log_mark(self):
        return len(self.log())

    def log_since(self, mark):
        return self.log()[mark:]

    def login_count(self, text=None):
        """Sessions that logged in (telemetry starts one section per
        session once it is authenticated; failed logins are not seen)."""
        text = self.log() if text is None else text
        return sum(1 for line in text.splitlines()
                   if line.startswith("---------- "))

    def wait_idle(self, timeout=15.0):
        """Wait until no client connection to the server is open (a client
        killed mid-APPEND leaves imapd finishing that command)."""
        deadline = time.monotonic() + timeout
        while True:
            if not _established(self.port):
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)


def _established(port):
    """True while a TCP connection to 127.0.0.1:port is established."""
    want = ":%04X" % port
    try:
        with open("/proc/net/tcp") as f:
            next(f)
            for line in f:
                parts = line.split()
                if parts[1].endswith(want) and parts[3] == "01":
                    return True
    except OSError:
        pass
    return False
