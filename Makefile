# kiln build.  `make` builds ./kiln (release), `make asan` builds ./build/asan/kiln
# with AddressSanitizer + UndefinedBehaviorSanitizer, `make test` runs the suite.
CC       ?= cc
MODE     ?= release
BUILD    := build/$(MODE)

PKGS     := libpcre2-8 libprotobuf-c libzstd zlib libutf8proc libxxhash liblz4 yaml-0.1 sqlite3
# libpq, libcurl, libcrypto, libmariadb and snappy are opened with dlopen on
# first use (src/common/dynlib.h): compiled against their headers, never linked.
DLOPEN_PKGS := libpq libcurl libcrypto libmariadb snappy
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) $(DLOPEN_PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))

WARN     := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wvla
CSTD     := -std=c17 -D_GNU_SOURCE
ifeq ($(MODE),release)
  OPT    := -O2 -g
else ifeq ($(MODE),asan)
  OPT    := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
else ifeq ($(MODE),debug)
  OPT    := -O0 -g
else ifeq ($(MODE),fuzz)
  # libFuzzer targets (scripts/fuzz.sh, CC=clang): the library instrumented for coverage
  OPT    := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
endif
CFLAGS   := $(CSTD) $(WARN) $(OPT) -Isrc $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS  := $(OPT) $(EXTRA_LDFLAGS)
LIBS     := -lpg_query $(PKG_LIBS) -lbz2 -lpthread -lm

LIB_SRCS := $(shell find src -name '*.c' ! -path 'src/main.c' | sort)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
UNIT_OBJS := $(UNIT_SRCS:%.c=$(BUILD)/%.o)
SLT_SRCS := $(sort $(wildcard tests/sqllogictest/*.c))
SLT_OBJS := $(SLT_SRCS:%.c=$(BUILD)/%.o)

.PHONY: all release asan test clean bins demo print-libs print-pkg-cflags
all: bins
	@if [ "$(MODE)" = release ]; then ln -sf $(BUILD)/kiln kiln; fi

bins: $(BUILD)/kiln $(BUILD)/unit_tests $(BUILD)/sqllogictest $(BUILD)/shop-generate

$(BUILD)/libkiln.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

# Binaries are linked to a temporary name and renamed into place, so that a
# test running the previous binary during a rebuild never sees a half-written
# file ("text file busy", "Permission denied").
$(BUILD)/kiln: $(BUILD)/src/main.o $(BUILD)/libkiln.a
	$(CC) $(LDFLAGS) -o $@.tmp $^ $(LIBS) && mv -f $@.tmp $@

$(BUILD)/unit_tests: $(UNIT_OBJS) $(BUILD)/libkiln.a
	$(CC) $(LDFLAGS) -o $@.tmp $^ $(LIBS) && mv -f $@.tmp $@

$(BUILD)/sqllogictest: $(SLT_OBJS) $(BUILD)/libkiln.a
	$(CC) $(LDFLAGS) -o $@.tmp $^ $(LIBS) && mv -f $@.tmp $@

# The example project's data generator (examples/shop), a small program of
# its own that needs only zlib and SQLite.
$(BUILD)/shop-generate: examples/shop/generate.c
	@mkdir -p $(BUILD)
	$(CC) $(CSTD) $(WARN) $(OPT) $(shell pkg-config --cflags zlib sqlite3) -o $@ $< $(shell pkg-config --libs zlib sqlite3)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

asan:
	$(MAKE) MODE=asan bins

# The example project: a day of generated data through the whole DAG.
demo: all
	bash examples/shop/demo.sh

test:
	bash scripts/test.sh

clean:
	rm -rf build kiln

# for scripts that link against libkiln.a themselves (scripts/fuzz.sh)
print-libs:
	@echo $(LIBS)
print-pkg-cflags:
	@echo $(PKG_CFLAGS)

-include $(LIB_OBJS:.o=.d) $(UNIT_OBJS:.o=.d) $(SLT_OBJS:.o=.d) $(BUILD)/src/main.d
