"""image.c through build/tools/imagectl, on fixtures the test makes.

Each fixture is made here with Debian's python3-pil (or by hand, for the
hostile ones) and run through image_prepare as a message would embed it:
resized to the phone width, upright, metadata gone, within the caps, and
every hostile input costs that one image with a one-line reason, in bounded
time and memory.
"""
import io
import os
import random
import resource
import struct
import subprocess
import unittest
import zlib

import rig

try:
    from PIL import Image
except ImportError:          # a missing package is a failure under CI
    Image = None

IMAGECTL = os.path.join(rig.BUILD, "tools", "imagectl")


def photo(w, h, seed=1):
    """A photo-like picture: smooth gradients, shapes, some grain."""
    rnd = random.Random(seed)
    im = Image.new("RGB", (w // 8, h // 8))
    px = im.load()
    for y in range(h // 8):
        for x in range(w // 8):
            px[x, y] = ((x * 255) // (w // 8), (y * 255) // (h // 8),
                        (x + y + rnd.randrange(40)) % 256)
    im = im.resize((w, h), Image.BILINEAR)
    grain = Image.effect_noise((w, h), 18).convert("RGB")
    return Image.blend(im, grain, 0.12)


def exif_rotated_gps():
    ex = Image.Exif()
    ex[0x0112] = 6                              # Orientation: rotate 90 CW
    ex[0x010F] = "PhoneMaker"
    ex[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E",
                  4: (13.0, 24.0, 36.0)}        # GPS IFD
    return ex.tobytes()


def png_header_only(w, h):
    """A PNG that claims w x h pixels: a valid header, a tiny IDAT."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(b"\0" * 4096)) +
            chunk(b"IEND", b""))


class ImageCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if Image is None:
            if os.environ.get("CI") == "true":
                raise AssertionError("python3-pil is missing "
                                     "(scripts/install-deps)")
            raise unittest.SkipTest("python3-pil is not installed")
        if not os.access(IMAGECTL, os.X_OK):
            raise AssertionError("%s is missing: make tests" % IMAGECTL)

    def setUp(self):
        self.dir = rig.tempdir(self)

    def put(self, name, data):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def prepare(self, data, *args, name="in", mem_mb=None):
        src = self.put(name, data)
        dst = os.path.join(self.dir, name + ".out")

        def limit():
            # ASan reserves terabytes of shadow address space: an address
            # space limit only means something in the plain build
            if mem_mb and not rig.SANITIZED:
                b = mem_mb << 20
                resource.setrlimit(resource.RLIMIT_AS, (b, b))
        p = subprocess.run([IMAGECTL] + list(args) + [src, dst],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=60 * rig.TIME_FACTOR,
                           preexec_fn=limit)
        rig.check_sanitizers(p.stderr)
        out = None
        if p.returncode == 0:
            with open(dst, "rb") as f:
                out = f.read()
        return p.returncode, p.stdout.strip(), out

    def encoded(self, im, fmt, **kw):
        b = io.BytesIO()
        im.save(b, fmt, **kw)
        return b.getvalue()


class Photos(ImageCase):

    def test_phone_photo_resized_upright_without_exif(self):
        im = photo(4000, 3000)
        im.paste((255, 0, 0), (0, 0, 400, 300))    # a mark in stored top-left
        raw = self.encoded(im, "JPEG", quality=92, exif=exif_rotated_gps())
        self.assertGreater(len(raw), 1000000, "the fixture is phone-sized")
        rc, line, out = self.prepare(raw, name="photo.jpg")
        self.assertEqual(rc, 0, line)
        self.assertTrue(line.startswith("ok image/jpeg 1280x1707 "), line)
        self.assertLessEqual(len(out), 250 * 1024)
        got = Image.open(io.BytesIO(out))
        self.assertEqual(got.format, "JPEG")
        # orientation 6 applied: portrait, and the stored top-left corner
        # is now the top-right one
        self.assertEqual(got.size, (1280, 1707))
        r, g, b = got.getpixel((got.size[0] - 10, 10))
        self.assertTrue(r > 200 and g < 60 and b < 60, (r, g, b))
        # every metadata block gone: no EXIF (so no GPS), no orientation
        self.assertEqual(dict(got.getexif()), {})
        self.assertNotIn(b"Exif", out)
        self.assertNotIn(b"PhoneMaker", out)

    def test_never_scaled_up(self):
        raw = self.encoded(photo(640, 480), "JPEG", quality=85)
        rc, line, out = self.prepare(raw)
        self.assertEqual(rc, 0, line)
        self.assertIn(" 640x480 ", line)

    def test_width_zero_turns_resizing_off(self):
        raw = self.encoded(photo(1600, 1200), "JPEG", quality=70)
        rc, line, out = self.prepare(raw, "--width", "0",
                                     "--max-bytes", "2000000")
        self.assertEqual(rc, 0, line)
        self.assertIn(" 1600x1200 ", line)

    def test_budget_is_met_by_downscaling(self):
        raw = self.encoded(photo(3000, 2000, seed=3), "JPEG", quality=95)
        rc, line, out = self.prepare(raw, "--max-bytes", "40000")
        self.assertEqual(rc, 0, line)
        self.assertLessEqual(len(out), 40000)
        w = int(line.split()[2].split("x")[0])
        self.assertLess(w, 1280, line)             # smaller than the width
        self.assertGreaterEqual(w, 64)

    def test_budget_too_small_is_refused_not_looped(self):
        raw = self.encoded(photo(1000, 1000), "JPEG", quality=90)
        rc, line, out = self.prepare(raw, "--max-bytes", "300")
        self.assertEqual(rc, 3)
        self.assertTrue(line.startswith("too-large: "), line)

    def test_quality_changes_size(self):
        raw = self.encoded(photo(1200, 900), "JPEG", quality=95)
        _, a, _ = self.prepare(raw, "--quality", "40", name="a")
        _, b, _ = self.prepare(raw, "--quality", "90", name="b")
        self.assertLess(int(a.split()[3]), int(b.split()[3]))


class Formats(ImageCase):

    def test_png_with_alpha_stays_png(self):
        im = Image.new("RGBA", (300, 200), (0, 128, 255, 0))
        im.paste((255, 255, 0, 255), (50, 50, 150, 150))
        rc, line, out = self.prepare(self.encoded(im, "PNG"))
        self.assertEqual(rc, 0, line)
        got = Image.open(io.BytesIO(out))
        self.assertEqual(got.format, "PNG")
        self.assertIn("A", got.mode)
        self.assertEqual(got.getpixel((10, 10))[3], 0)

    def test_opaque_png_photo_becomes_jpeg(self):
        raw = self.encoded(photo(1000, 800), "PNG")
        rc, line, out = self.prepare(raw, "--max-bytes", "3000000")
        self.assertEqual(rc, 0, line)
        self.assertTrue(line.startswith("ok image/jpeg "), line)

    def test_opaque_png_drawing_stays_png(self):
        im = Image.new("RGB", (400, 300), (255, 255, 255))
        im.paste((0, 0, 0), (100, 100, 300, 120))
        rc, line, out = self.prepare(self.encoded(im, "PNG"))
        self.assertEqual(rc, 0, line)
        self.assertTrue(line.startswith("ok image/png "), line)

    def gif(self, w, h, frames):
        ims = [Image.new("P", (w, h), i * 40) for i in range(frames)]
        b = io.BytesIO()
        ims[0].save(b, "GIF", save_all=True, append_images=ims[1:],
                    duration=100, loop=0)
        return b.getvalue()

    def test_small_animated_gif_kept_as_is(self):
        raw = self.gif(120, 80, 4)
        rc, line, out = self.prepare(raw)
        self.assertEqual(rc, 0, line)
        self.assertEqual(out, raw)
        self.assertTrue(line.startswith("ok image/gif 120x80 "), line)

    def test_wide_animated_gif_becomes_its_first_frame(self):
        raw = self.gif(2000, 300, 3)
        rc, line, out = self.prepare(raw)
        self.assertEqual(rc, 0, line)
        got = Image.open(io.BytesIO(out))
        self.assertEqual(got.size, (1280, 192))
        self.assertEqual(getattr(got, "n_frames", 1), 1)

    def test_webp_converted(self):
        raw = self.encoded(photo(800, 600), "WEBP", quality=80)
        rc, line, out = self.prepare(raw)
        self.assertEqual(rc, 0, line)
        self.assertTrue(line.startswith("ok image/jpeg 800x600 "), line)
        self.assertEqual(Image.open(io.BytesIO(out)).format, "JPEG")


class Hostile(ImageCase):
    """Each costs one image and one line, in bounded time and memory."""

    def refused(self, data, expect, status="refused", **kw):
        rc, line, out = self.prepare(data, **kw)
        self.assertEqual(rc, 3, line)
        self.assertTrue(line.startswith(status + ": "), line)
        self.assertIn(expect, line)
        self.assertEqual(len(line.splitlines()), 1)

    def test_pixel_bomb_refused_from_its_header(self):
        # 30000 x 30000 x 3 bytes would be 2.7 GB decoded: refused under a
        # 200 MB address-space limit, so nothing was decoded
        self.refused(png_header_only(30000, 30000), "megapixel limit",
                     mem_mb=400)

    def test_truncated_jpeg(self):
        raw = self.encoded(photo(1200, 900), "JPEG", quality=90)
        self.refused(raw[:len(raw) // 2], "JPEG", status="broken")

    def test_svg_with_script(self):
        svg = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/'
               b'svg" width="10" height="10"><script>alert(1)</script>'
               b'</svg>')
        self.refused(svg, "SVG is not embedded")

    def test_html_served_as_an_image(self):
        self.refused(b"<!DOCTYPE html><html><body>Not found</body></html>",
                     "HTML page")

    def test_garbage(self):
        self.refused(os.urandom(5000), "unknown format")

    def test_tiff_is_not_decoded(self):
        im = Image.new("RGB", (50, 50), (1, 2, 3))
        self.refused(self.encoded(im, "TIFF"), "unknown format")

    def test_corrupt_png_body(self):
        raw = bytearray(self.encoded(photo(300, 300), "PNG"))
        for i in range(200, len(raw) - 20, 97):
            raw[i] ^= 0x5A
        self.refused(bytes(raw), "PNG", status="broken")


if __name__ == "__main__":
    unittest.main()
