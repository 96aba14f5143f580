# suanli — one plain GNU make build.
#
#   make            build build/suanli (installs missing Debian packages first)
#   make demo       build and run the built-in Xinjiang–Chongqing scenario
#   make test       unit tests, integration tests, and an ASan/UBSan unit run
#   make bench      run the benchmarks under bench/
#   make asan       sanitizer build of the unit tests only
#   make clean
#
# Sources are found by wildcard: a new .c under src/lib joins libsuanli, a new
# tests/unit/test_*.c becomes a test binary, a new tests/integration/*.sh runs.

CC       ?= cc
OPT      ?= -O2
CFLAGS   ?= $(OPT) -g
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wno-unused-parameter -Wformat=2 -Wno-format-truncation -Wno-format-nonliteral -Wvla
CPPFLAGS := -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -Isrc/lib -Isrc/cli -MMD -MP
LDLIBS   := -lyaml -ljansson -lsqlite3 -lmicrohttpd -lcurl -lsodium -lz -lm -lpthread
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

B        := build
LIB_SRC  := $(sort $(shell find src/lib -name '*.c'))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
UT_SRC   := $(sort $(wildcard tests/unit/test_*.c))
IT_SH    := $(sort $(wildcard tests/integration/*.sh))
BENCH_SH := $(sort $(wildcard bench/*.sh))

LIB_OBJ  := $(LIB_SRC:%.c=$(B)/obj/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(B)/obj/%.o)
UT_BIN   := $(UT_SRC:tests/unit/%.c=$(B)/tests/%)
ASAN_LIB := $(LIB_SRC:%.c=$(B)/asan/%.o)
ASAN_UT  := $(UT_SRC:tests/unit/%.c=$(B)/asan/tests/%)

.PHONY: all deps demo test unit integration asan bench clean
.DEFAULT_GOAL := all

all: deps
	@$(MAKE) --no-print-directory $(B)/suanli

deps:
	@scripts/deps.sh

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c $< -o $@

$(B)/libsuanli.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/suanli: $(CLI_OBJ) $(B)/libsuanli.a
	$(CC) $(CFLAGS) -o $@ $(CLI_OBJ) $(B)/libsuanli.a $(LDLIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libsuanli.a tests/unit/testutil.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(WARN) -o $@ $< $(B)/libsuanli.a -lcmocka $(LDLIBS)

# Sanitizer build: its own objects, never mixed with the normal ones.
$(B)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -O1 -g $(SAN) $(WARN) -c $< -o $@

$(B)/asan/libsuanli.a: $(ASAN_LIB)
	@rm -f $@
	ar rcs $@ $^

$(B)/asan/tests/%: tests/unit/%.c $(B)/asan/libsuanli.a tests/unit/testutil.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/unit -O1 -g $(SAN) $(WARN) -o $@ $< $(B)/asan/libsuanli.a -lcmocka $(LDLIBS)

demo: all
	@scripts/demo.sh

unit: all
	@$(MAKE) --no-print-directory $(UT_BIN)
	@scripts/run-tests.sh unit $(UT_BIN)

integration: all
	@scripts/run-tests.sh integration $(IT_SH)

asan: deps
	@$(MAKE) --no-print-directory $(ASAN_UT)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		scripts/run-tests.sh asan $(ASAN_UT)

test: all
	@$(MAKE) --no-print-directory $(UT_BIN) $(ASAN_UT)
	@scripts/run-tests.sh all $(UT_BIN) $(IT_SH) -- $(ASAN_UT)

bench: all
	@for b in $(BENCH_SH); do echo "== $$b"; sh $$b || exit 1; done

clean:
	rm -rf $(B)

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(ASAN_LIB:.o=.d)
