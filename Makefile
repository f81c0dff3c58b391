# rss2mail - plain make.  `make` builds build/rss2mail; `make check` runs
# every test; `make demo` runs the main job on the bundled example feeds.
include config.mk

B	= build
ALL_CPPFLAGS = -D_GNU_SOURCE -DRSS2MAIL_VERSION='"$(VERSION)"' \
	  -iquote lib -iquote rss2mail -iquote config -iquote imap -iquote smtp $(PKG_CFLAGS) $(CPPFLAGS)
ALL_CFLAGS = $(WARN) $(CFLAGS)

LIB_SRC	= $(filter-out rss2mail/main.c,$(wildcard lib/*.c rss2mail/*.c imap/*.c smtp/*.c config/*.c))
LIB_OBJ	= $(LIB_SRC:%.c=$(B)/obj/%.o)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
# helpers a unit test may link (fakes behind our own interfaces)
UNIT_AUX = $(wildcard tests/unit/fake_*.c tests/unit/testutil.c)
UNIT_AUX_OBJ = $(UNIT_AUX:%.c=$(B)/obj/%.o)
FUZZ_SRC = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_REPLAY = $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz-replay/%)
# small drivers the integration tests run (tests/tools/NAME.c -> build/tools/NAME)
TOOL_SRC = $(wildcard tests/tools/*.c)
TOOL_BIN = $(TOOL_SRC:tests/tools/%.c=$(B)/tools/%)

all: $(B)/rss2mail

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(B)/librss2mail.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $(LIB_OBJ)

$(B)/rss2mail: $(B)/obj/rss2mail/main.o $(B)/librss2mail.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lz

# a unit test links its fakes first, so they replace the library's members
$(B)/tests/test_%: $(B)/obj/tests/unit/test_%.o $(UNIT_AUX_OBJ) $(B)/librss2mail.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CMOCKA_LIBS) -lz

# fuzz targets built as plain programs that replay their corpus
$(B)/fuzz-replay/fuzz_%: $(B)/obj/tests/fuzz/fuzz_%.o $(B)/obj/tests/fuzz/replay.o $(B)/librss2mail.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lz

$(B)/tools/%: $(B)/obj/tests/tools/%.o $(B)/librss2mail.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lz

tests: $(UNIT_BIN) $(FUZZ_REPLAY) $(TOOL_BIN) $(B)/rss2mail

# regenerate the reviewed golden messages on purpose (then review the diff)
golden: $(B)/tests/test_message
	GOLDEN_UPDATE=1 $(B)/tests/test_message

# libFuzzer builds of the fuzz targets (make fuzz)
FUZZ_BIN = $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz/%)
$(B)/fuzz/fuzz_%: $(B)/obj/tests/fuzz/fuzz_%.o $(B)/librss2mail.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lz
fuzz-bins: $(FUZZ_BIN)

deps:
	@scripts/install-deps

check: deps
	$(MAKE) tests
	$(PYTHON) tests/run.py
	@$(MAKE) --no-print-directory conformance-if-corpus

# feedparser's own test corpus (tests/conformance.py); make check runs it
# when the corpus is there (../shared/corpora/feedparser)
CORPUS ?= ../shared/corpora/feedparser
conformance: $(B)/rss2mail
	$(PYTHON) tests/conformance.py --quiet --corpus $(CORPUS) --bin $(B)/rss2mail
conformance-if-corpus:
	@if [ -d $(CORPUS) ]; then $(MAKE) --no-print-directory conformance; \
	else echo "conformance: skipped (no corpus at $(CORPUS))"; fi

# the layering alone (make check runs it too, through tests/run.py): no
# include cycle between directories, no link cycle between objects
check-layers: tests
	$(PYTHON) scripts/check-layers
	$(PYTHON) scripts/check-layers --self-test

demo: deps
	$(MAKE) all
	@scripts/demo

# The whole test suite against an ASan+UBSan(+LeakSanitizer) build.
SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	    -fno-sanitize-recover=all
asan: deps
	$(MAKE) tests	# the integration tests' drivers (build/tools) too
	$(MAKE) B=build/asan CFLAGS="$(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" tests
	RSS2MAIL_BUILD=$(CURDIR)/build/asan \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:exitcode=99 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    $(PYTHON) tests/run.py

# Each fuzz target under libFuzzer (clang, ASan+UBSan) for FUZZ_SECONDS,
# seeded from tests/fuzz/corpus/TARGET; new inputs go to build/fuzz/new/,
# crashes to build/fuzz/crash-*.  Add a crash's input to the corpus once
# it is fixed.
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	      -fsanitize=fuzzer-no-link
fuzz:
	@INSTALL_DEPS_EXTRA=clang scripts/install-deps
	$(MAKE) B=build/fuzz CC=clang CFLAGS="$(FUZZ_CFLAGS)" \
	    LDFLAGS="-fsanitize=address,undefined" fuzz-bins
	@set -e; for src in $(FUZZ_SRC); do \
	    t=$$(basename $$src .c); t=$${t#fuzz_}; \
	    mkdir -p build/fuzz/new/$$t tests/fuzz/corpus/$$t; \
	    echo "fuzz $$t: $(FUZZ_SECONDS)s"; \
	    ASAN_OPTIONS=detect_leaks=1 \
	    LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	    build/fuzz/fuzz/fuzz_$$t \
	        -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=1024 \
	        -artifact_prefix=build/fuzz/crash-$$t- -print_final_stats=0 \
	        build/fuzz/new/$$t tests/fuzz/corpus/$$t 2>build/fuzz/$$t.log \
	        || { tail -n 40 build/fuzz/$$t.log; exit 1; }; \
	    grep -E '^#[0-9]+[[:space:]]+DONE' build/fuzz/$$t.log | tail -n 1 \
	        || true; \
	done

bench: deps
	$(MAKE) all
	$(PYTHON) tests/bench/bench.py

# the parser alone: a 50 MB feed, CDATA and entity-escaped bodies
bench-parse: $(B)/tools/bench_parse
	$(B)/tools/bench_parse 50 3
	$(B)/tools/bench_parse 50 3 escaped

# SMTP: 1,000 messages into the local Postfix rig, beside rss2email (r2e)
bench-smtp: deps
	$(MAKE) all tests
	$(PYTHON) tests/bench/smtp.py

# IMAP across a 50 ms link, per provider profile, beside mbsync (isync)
bench-field: deps
	@INSTALL_DEPS_EXTRA=isync scripts/install-deps
	$(MAKE) all
	$(PYTHON) tests/bench/field.py

install: $(B)/rss2mail
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(DOCDIR)
	install -m 755 $(B)/rss2mail $(DESTDIR)$(BINDIR)/rss2mail
	install -m 644 rss2mail.1 $(DESTDIR)$(MANDIR)/man1/rss2mail.1
	install -m 644 rss2mail.conf.5 $(DESTDIR)$(MANDIR)/man5/rss2mail.conf.5
	install -m 644 contrib/rss2mail.bash-completion \
	    $(DESTDIR)$(BASHCOMPDIR)/rss2mail
	install -m 644 README.md contrib/rss2mail.service contrib/rss2mail.timer \
	    contrib/rss2mail-daemon.service contrib/crontab.example \
	    $(DESTDIR)$(DOCDIR)/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/rss2mail $(DESTDIR)$(MANDIR)/man1/rss2mail.1 \
	    $(DESTDIR)$(MANDIR)/man5/rss2mail.conf.5 \
	    $(DESTDIR)$(BASHCOMPDIR)/rss2mail
	rm -rf $(DESTDIR)$(DOCDIR)

clean:
	rm -rf $(B)

# keep the objects of the fuzz and tool programs between builds
.SECONDARY:
.PHONY: all tests deps check check-layers demo bench bench-parse bench-smtp bench-field install uninstall clean asan fuzz fuzz-bins golden \
	conformance conformance-if-corpus
-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
