#!/usr/bin/env python3
"""phonecheck - render messages as a phone's mail app would, and measure.

    phonecheck.py [--width 360] [--height 740] [--screenshot PNG] FILE.eml...

Most phone mail apps show a message's HTML part in a WebView.  This takes
each message's text/html part, inlines its cid: images as data: URLs (as
the mail app would show the related parts), and loads them all into one
page of headless Chromium (Debian's), each in an iframe exactly --width
pixels wide.  After the images have loaded, a script in that page measures
each message's document: scrollWidth against the width (sideways
scrolling), every image's box, the smallest computed font size of text,
and the same in dark mode (prefers-color-scheme: dark) for text contrast.
It prints one JSON object per message and exits 0; 2 when Chromium could
not be run.  Only the standard library.

Used by tests/integration/test_phone.py; run it by hand with --screenshot
to look at the result (the file tool shows PNGs).
"""
import argparse
import base64
import email
import email.policy
import html
import json
import os
import shutil
import subprocess
import sys
import tempfile

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# flags that keep Chromium off the (closed) network and quiet as root
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--mute-audio", "--hide-scrollbars"]

MEASURE = r"""
<script>
function luminance(rgb) {
  var m = rgb.match(/[\d.]+/g); if (!m) return 1;
  var c = m.slice(0, 3).map(function (v) {
    v = v / 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}
function background(el, win) {
  for (; el; el = el.parentElement) {
    var b = win.getComputedStyle(el).backgroundColor;
    if (b && b !== 'transparent' && !/rgba\(.*, 0\)$/.test(b)) return b;
  }
  return win.matchMedia('(prefers-color-scheme: dark)').matches ?
      'rgb(0, 0, 0)' : 'rgb(255, 255, 255)';
}
function measure(frame) {
  var win = frame.contentWindow, doc = frame.contentDocument;
  var W = frame.clientWidth, out = {name: frame.dataset.name, width: W};
  out.scrollWidth = Math.max(doc.documentElement.scrollWidth,
                             doc.body ? doc.body.scrollWidth : 0);
  out.images = []; out.wide = [];
  doc.querySelectorAll('img').forEach(function (im) {
    var r = im.getBoundingClientRect();
    out.images.push({src: im.getAttribute('src').slice(0, 40),
                     left: r.left, right: r.right, width: r.width,
                     loaded: im.complete && im.naturalWidth > 0});
  });
  var minFont = 1e9, minContrast = 1e9, worst = '';
  var walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_TEXT);
  for (var n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.nodeValue.trim()) continue;
    var el = n.parentElement, cs = win.getComputedStyle(el);
    if (cs.display === 'none' || cs.visibility === 'hidden') continue;
    var r = el.getBoundingClientRect();
    if (r.right > W + 0.5) out.wide.push(el.tagName + ': ' + n.nodeValue.trim().slice(0, 40));
    minFont = Math.min(minFont, parseFloat(cs.fontSize));
    var l1 = luminance(cs.color), l2 = luminance(background(el, win));
    var c = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    if (c < minContrast) { minContrast = c; worst = n.nodeValue.trim().slice(0, 30); }
  }
  out.minFontPx = minFont; out.minContrast = minContrast; out.lowContrastText = worst;
  out.dark = win.matchMedia('(prefers-color-scheme: dark)').matches;
  return out;
}
window.addEventListener('load', function () {
  var res = [];
  document.querySelectorAll('iframe').forEach(function (f) { res.push(measure(f)); });
  document.getElementById('result').textContent = JSON.stringify(res);
});
</script>
"""


def html_part(raw):
    """The message's text/html with cid: references as data: URLs."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    body, parts = None, {}
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "text/html" and body is None:
            body = part.get_content()
        cid = part.get("Content-ID")
        if cid and part.get_content_maintype() == "image":
            data = part.get_payload(decode=True) or b""
            parts[cid.strip().strip("<>")] = "data:%s;base64,%s" % (
                ctype, base64.b64encode(data).decode())
    if body is None:
        return None
    for cid, url in parts.items():
        body = body.replace("cid:" + cid, url)
    return body


def harness(docs, width, height):
    frames = []
    for name, body in docs:
        frames.append('<iframe data-name="%s" style="width:%dpx;height:%dpx;'
                      'border:0;display:block;margin:0 0 8px 0" srcdoc="%s">'
                      '</iframe>' % (html.escape(name), width, height,
                                     html.escape(body, quote=True)))
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'></head>"
            "<body style='margin:0'>%s<pre id='result'></pre>%s</body>"
            "</html>" % ("".join(frames), MEASURE))


def render(docs, width=360, height=740, dark=False, screenshot=None,
           timeout=60):
    """[{name, scrollWidth, images, minFontPx, minContrast, ...}] for the
    (name, html) pairs, measured in one Chromium run."""
    tmp = tempfile.mkdtemp(prefix="phonecheck-")
    try:
        page = os.path.join(tmp, "page.html")
        with open(page, "w", encoding="utf-8") as f:
            f.write(harness(docs, width, height))
        flags = FLAGS + ["--user-data-dir=" + os.path.join(tmp, "profile"),
                         "--virtual-time-budget=10000",
                         "--window-size=%d,%d" % (width + 40, height)]
        if dark:
            flags.append("--force-dark-mode")
            flags.append("--blink-settings=preferredColorScheme=0")
        p = subprocess.run([CHROMIUM] + flags + ["--dump-dom",
                                                 "file://" + page],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
        out = p.stdout.decode("utf-8", "replace")
        start = out.find('<pre id="result">')
        end = out.find("</pre>", start)
        if p.returncode != 0 or start < 0 or end < 0:
            raise RuntimeError("chromium: exit %d: %s" % (
                p.returncode, p.stderr.decode("utf-8", "replace")[-1500:]))
        res = json.loads(html.unescape(out[start + len('<pre id="result">'):
                                           end]))
        if screenshot:
            subprocess.run([CHROMIUM] + flags[:-1] + [
                "--window-size=%d,%d" % (width + 40, (height + 8) *
                                         len(docs)),
                "--screenshot=" + os.path.abspath(screenshot),
                "file://" + page], stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, timeout=timeout)
        return res
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--width", type=int, default=360)
    ap.add_argument("--height", type=int, default=740)
    ap.add_argument("--dark", action="store_true")
    ap.add_argument("--screenshot")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    docs = []
    for path in a.files:
        with open(path, "rb") as f:
            body = html_part(f.read())
        if body is not None:
            docs.append((os.path.basename(path), body))
    try:
        res = render(docs, a.width, a.height, a.dark, a.screenshot)
    except (OSError, RuntimeError, subprocess.TimeoutExpired) as e:
        print("phonecheck: %s" % e, file=sys.stderr)
        return 2
    for r in res:
        print(json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
