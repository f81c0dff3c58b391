"""One representative scenario under valgrind (memcheck): three feeds over
HTTP, parsed, composed and delivered over IMAP into Dovecot, then a second
conditional run; zero errors and no definite leaks.  Always the plain build
(build/rss2mail): valgrind and ASan do not mix."""
import os
import re
import shutil
import subprocess
import unittest

import dovecot
import rig

PLAIN = os.path.join(rig.TOP, "build", "rss2mail")


class Valgrind(unittest.TestCase):

    def test_pipeline_under_memcheck(self):
        rig.need_dovecot(self)
        vg = shutil.which("valgrind")
        if vg is None:
            self.skipTest("valgrind is not installed (scripts/install-deps)")
        if not os.path.exists(PLAIN):
            subprocess.run(["make", "-s", "-C", rig.TOP, "all"], check=True,
                           timeout=600)
        d = rig.tempdir(self)
        http = rig.feed_server(self)
        for name in ("rail-notes.rss", "stellwerk.atom", "shinkansen.rdf"):
            with open(os.path.join(rig.EXAMPLES, name), "rb") as f:
                http.put("/" + name, f.read())
        with dovecot.Dovecot() as dc:
            pw = rig.write_secret(d, dc.password)
            text = ("[rss2mail]\nfrom = Feeds <feeds@example.org>\n"
                    "to = me@example.org\ndeliver = imap\nimap-url = %s\n"
                    "imap-tls = none\npassword-file = %s\n"
                    "state = %s/state.db\nfolder = Feeds/{name}\n" %
                    (dc.url(""), pw, d))
            for name in ("rail-notes.rss", "stellwerk.atom",
                         "shinkansen.rdf"):
                text += "\n[feed.%s]\nurl = %s\n" % (
                    name.split(".")[0], http.url("/" + name))
            cfg = rig.write_config(d, text)
            for run in (1, 2):
                log = os.path.join(d, "vg%d.log" % run)
                p = subprocess.run(
                    [vg, "--error-exitcode=99", "--leak-check=full",
                     "--errors-for-leak-kinds=definite",
                     "--show-leak-kinds=definite", "--log-file=" + log,
                     PLAIN, "-c", cfg, "run"],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                    text=True, timeout=600)
                with open(log) as f:
                    report = f.read()
                self.assertEqual(p.returncode, 0, p.stderr + report[-6000:])
                self.assertIn("ERROR SUMMARY: 0 errors", report)
                self.assertIsNone(re.search(r"definitely lost: [1-9]",
                                            report), report[-6000:])
            self.assertEqual(dc.count("Feeds/rail-notes"), 2)
            self.assertEqual(dc.count("Feeds/shinkansen"), 1)


if __name__ == "__main__":
    unittest.main()
