# rss2mail - plain make.  `make` builds build/rss2mail; `make check` runs
# every test; `make demo` runs the main job on the bundled example feeds.
include config.mk

B	= build
ALL_CPPFLAGS = -D_GNU_SOURCE -DRSS2MAIL_VERSION='"$(VERSION)"' \
	  -iquote rss2mail -iquote config -iquote imap $(PKG_CFLAGS) $(CPPFLAGS)
ALL_CFLAGS = $(WARN) $(CFLAGS)

LIB_SRC	= $(filter-out rss2mail/main.c,$(wildcard rss2mail/*.c imap/*.c config/*.c))
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

deps:
	@scripts/install-deps

check: deps
	$(MAKE) tests
	$(PYTHON) tests/run.py

demo: deps
	$(MAKE) all
	@scripts/demo

bench: deps
	$(MAKE) all
	$(PYTHON) tests/bench/bench.py

install: $(B)/rss2mail
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 755 $(B)/rss2mail $(DESTDIR)$(BINDIR)/rss2mail
	[ ! -f rss2mail.1 ] || install -m 644 rss2mail.1 $(DESTDIR)$(MANDIR)/man1/
	[ ! -f rss2mail.conf.5 ] || install -m 644 rss2mail.conf.5 $(DESTDIR)$(MANDIR)/man5/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/rss2mail $(DESTDIR)$(MANDIR)/man1/rss2mail.1 \
	    $(DESTDIR)$(MANDIR)/man5/rss2mail.conf.5

clean:
	rm -rf $(B)

.PHONY: all tests deps check demo bench install uninstall clean
-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
