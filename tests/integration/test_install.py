"""`make install` honours PREFIX and DESTDIR and puts the binary, both man
pages, the bash completion and the contrib files in place; `make
uninstall` takes them all away again."""
import os
import subprocess
import unittest

import rig

WANT = ["usr/bin/rss2mail",
        "usr/share/man/man1/rss2mail.1",
        "usr/share/man/man5/rss2mail.conf.5",
        "usr/share/bash-completion/completions/rss2mail",
        "usr/share/doc/rss2mail/rss2mail.service",
        "usr/share/doc/rss2mail/rss2mail.timer",
        "usr/share/doc/rss2mail/crontab.example"]


class Install(unittest.TestCase):

    def test_install_and_uninstall(self):
        d = rig.tempdir(self)
        # always the plain build: `make asan` builds it too, and naming
        # another build dir here could make make rebuild it with other flags
        make = ["make", "-s", "-C", rig.TOP, "DESTDIR=" + d, "PREFIX=/usr"]
        r = subprocess.run(make + ["install"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stdout)
        for f in WANT:
            self.assertTrue(os.path.isfile(os.path.join(d, f)), f)
        binary = os.path.join(d, "usr/bin/rss2mail")
        self.assertTrue(os.access(binary, os.X_OK))
        v = subprocess.run([binary, "--version"], stdout=subprocess.PIPE,
                           text=True, timeout=30)
        self.assertTrue(v.stdout.startswith("rss2mail "))
        r = subprocess.run(make + ["uninstall"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stdout)
        left = [os.path.join(p, f) for p, _, fs in os.walk(d) for f in fs]
        self.assertEqual(left, [])


if __name__ == "__main__":
    unittest.main()
