# inc — build, test and install.  GNU make; no configure step.
#
#   make            build every command into $(BUILD)/bin
#   make check      build, then run every test; ends with "N passed, N failed"
#   make run        the service on its defaults (for now: the demo pipeline)
#   make deps       install missing Debian packages (scripts/install-deps)
#   make bench      print the figures of bench/ (never pass/fail)
#   make SANITIZE=1 check   the same tests under ASan and UBSan
#   make install PREFIX=/usr/local DESTDIR=

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
SHAREDIR ?= $(PREFIX)/share/inc
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d

BUILD ?= build
ifeq ($(SANITIZE),1)
BUILD := build/sanitize
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
endif

PKGS := libcurl jansson sqlite3 libpq libmagic openssl gmime-3.0 yaml-0.1 \
	libmicrohttpd pocketsphinx sphinxbase sndfile soxr
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CC ?= cc
CFLAGS ?= -O2 -g
ALL_CFLAGS := -Wall -Wextra -Werror -std=c11 -D_GNU_SOURCE $(CFLAGS) \
	-DINC_SHAREDIR='"$(SHAREDIR)"' \
	$(SANFLAGS) -Ilib $(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS := $(SANFLAGS) -Wl,--as-needed $(LDFLAGS)
LDLIBS := $(PKG_LIBS) -lm

LIB_SRC := $(wildcard lib/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CMD_SRC := $(wildcard cmd/inc-*.c)
CMDS := $(CMD_SRC:cmd/%.c=$(BUILD)/bin/%)
UNIT_SRC := $(wildcard tests/unit/*-test.c)
UNITS := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
SCRIPTS := $(wildcard scripts/inc-*)

.PHONY: all check run deps bench install clean
all: $(CMDS) $(UNITS)

# V=1 shows the whole command lines.
Q := $(if $(V),,@)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libinc.a: $(LIB_OBJ)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/cmd/%.o $(BUILD)/libinc.a
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(BUILD)/libinc.a
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

# check and run set up a fresh machine themselves: packages first, then a
# second make, so that pkg-config sees the libraries just installed.
check: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(abspath $(BUILD)) sh tests/run

run: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(abspath $(BUILD)) sh scripts/run

deps:
	@sh scripts/install-deps

bench: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(abspath $(BUILD)) sh bench/run

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(SHAREDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR)
	install -m 755 $(CMDS) $(SCRIPTS) $(DESTDIR)$(BINDIR)
	install -m 644 $(wildcard man/*.1) $(DESTDIR)$(MANDIR)/man1
	install -m 644 $(wildcard man/*.5) $(DESTDIR)$(MANDIR)/man5
	install -m 644 $(wildcard man/*.7) $(DESTDIR)$(MANDIR)/man7
	cp -R share/inc/. $(DESTDIR)$(SHAREDIR)/
	install -m 644 $(wildcard systemd/*.socket systemd/*.service \
		systemd/*.timer) $(DESTDIR)$(UNITDIR)
	install -m 644 systemd/inc.sysusers.conf $(DESTDIR)$(SYSUSERSDIR)/inc.conf

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CMD_SRC:%.c=$(BUILD)/%.d) \
	$(UNIT_SRC:%.c=$(BUILD)/%.d)
.SECONDARY:
