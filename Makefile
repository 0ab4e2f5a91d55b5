# coroscope -- one Makefile for the runtime, the CLI, the viewer and the tests.
#
#   make            build build/coroscope (runtime library, CLI, viewer)
#   make run        the main job: the headline comparison (viewer, or terminal)
#   make test       the whole test suite, ending in one "N passed, M failed, K skipped" line
#   make bench      every benchmark side by side with CPython asyncio and uvloop (tools/bench.py)
#   make bench-compare OLD=a.json NEW=b.json   two runs' figures compared
#   make asan       the test suite under AddressSanitizer + UBSan
#   make fuzz       every fuzz target for SECONDS seconds (default 60) each
#   make traces     regenerate the twin-line table and the golden traces in traces/golden/
#   make install    PREFIX (default /usr/local) and DESTDIR honoured: the CLI, the
#                   library (static, shared with a soname) and coroscope.pc

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
CC      ?= cc
PKGS    := libcjson sdl2 SDL2_ttf SDL2_image fontconfig

WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ifeq ($(CI),true)
WARN    += -Werror
endif
OPT     ?= -O2 -g
LTO     ?= -flto=auto -ffat-lto-objects   # the loop's hot path crosses files
SAN     ?=
# Stack overflow is caught in every function's prologue (runtime/stack.h): on
# x86-64 everything is compiled -- and, for LTO, linked -- with -fsplit-stack,
# whose prologues check each frame against the running task's stack limit.
# GCC has no split stacks elsewhere, and the sanitizers keep stacks of their
# own: there large frames are probed page by page instead.
ifeq ($(SAN),)
STACKCHECK ?= $(if $(filter x86_64%,$(shell $(CC) -dumpmachine 2>/dev/null)),-fsplit-stack -DCO_SPLIT_STACK=1,-fstack-clash-protection)
else
STACKCHECK ?= -fstack-clash-protection
endif
CFLAGS_ALL = -std=c11 -D_GNU_SOURCE $(OPT) $(LTO) $(SAN) $(STACKCHECK) $(WARN) -Iruntime -Iruntime/model -Iruntime/lesson -Iviz/model -Iviz/layout -Iviz/render -Iviz/input -Iviz/app \
             $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(CFLAGS)
LIBS_ALL   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -lpthread
TEST_LIBS  = $(shell pkg-config --libs criterion 2>/dev/null)

CORE_SRC  := $(wildcard runtime/*.c)
CORE_ASM  := $(wildcard runtime/arch/*.S)
MODEL_SRC := $(wildcard runtime/model/*.c)
LESSON_SRC := $(wildcard runtime/lesson/*.c)
SCEN_SRC  := $(wildcard runtime/scenarios/*.c)
CLI_SRC   := $(filter-out runtime/cli/main.c,$(wildcard runtime/cli/*.c))
VIZ_SRC   := $(wildcard viz/*/*.c)
TEST_SRC  := $(wildcard tests/unit/*.c)
# Headers a program built on the runtime includes (internal.h, context.h,
# heap.h and stack.h are the runtime's own).
PUBLIC_H  := $(filter-out runtime/internal.h runtime/context.h runtime/heap.h runtime/stack.h,$(wildcard runtime/*.h))

obj = $(patsubst %.S,$(BUILD)/%.o,$(patsubst %.c,$(BUILD)/%.o,$(1)))
CORE_OBJ  := $(call obj,$(CORE_SRC) $(CORE_ASM))
# The runtime as a shared library too: position-independent objects of their own.
VERSION   := 0.1.0
SOVERSION := 0
PIC_OBJ   := $(patsubst $(BUILD)/%,$(BUILD)/pic/%,$(CORE_OBJ))
SHLIB     := libcoroscope.so.$(VERSION)
APP_OBJ   := $(call obj,$(MODEL_SRC) $(LESSON_SRC) $(SCEN_SRC) $(CLI_SRC) $(VIZ_SRC)) $(BUILD)/gen/twins.o
TEST_BIN  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRC))

# The CPython recorder's speedups (runtime/recorder/speedups.c), a Python
# extension built for the interpreter `coroscope record` runs (COROSCOPE_PYTHON,
# else python3) when its headers are there; without it the recorder runs in
# pure Python, the same traces more slowly.
PYTHON      ?= $(or $(COROSCOPE_PYTHON),python3)
PY_INCLUDE  := $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_paths()["include"])' 2>/dev/null)
PY_EXT      := $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX") or "")' 2>/dev/null)
SPEEDUPS    := $(if $(and $(PY_EXT),$(wildcard $(PY_INCLUDE)/Python.h)),$(BUILD)/pyext/_coroscope_speedups$(PY_EXT))

.PHONY: all run test bench bench-compare deps-bench asan traces install uninstall clean deps deps-test tests-build fuzz
all: deps $(BUILD)/coroscope $(SPEEDUPS)

deps:
	@sh tools/deps.sh build
deps-test:
	@sh tools/deps.sh test

# Archives are rebuilt whole, so an object whose source was deleted leaves too.
$(BUILD)/libcoroscope.a: $(CORE_OBJ)
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/$(SHLIB): $(PIC_OBJ)
	$(CC) -shared -Wl,-soname,libcoroscope.so.$(SOVERSION) $(OPT) $(LTO) $(STACKCHECK) -o $@ $^ -lm -lpthread

$(BUILD)/pic/%.o: %.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -fPIC -MMD -MP -c $< -o $@

$(BUILD)/pic/%.o: %.S | deps
	@mkdir -p $(@D)
	$(CC) $(SAN) $(filter -D%,$(STACKCHECK)) -fPIC -c $< -o $@

# pkg-config's description of the installed library (coroscope.pc.in).
$(BUILD)/coroscope.pc: coroscope.pc.in Makefile
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' coroscope.pc.in >$@

$(BUILD)/libcoroscope-app.a: $(APP_OBJ)
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

# The process's strtod (runtime/model/tm_strtod.c: glibc's answers, short
# decimals fast) is linked as an object, never left to the archive, so that
# every binary that loads traces has it, cJSON's calls included.
STRTOD_OBJ := $(BUILD)/runtime/model/tm_strtod.o

$(BUILD)/coroscope: $(BUILD)/runtime/cli/main.o $(STRTOD_OBJ) $(BUILD)/libcoroscope-app.a $(BUILD)/libcoroscope.a
	$(CC) $(OPT) $(LTO) $(SAN) $(STACKCHECK) -o $@ $^ $(LIBS_ALL)

# Objects wait for `deps` (order-only): with -j, nothing compiles before the
# packages it includes are installed.
$(BUILD)/%.o: %.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

# The scenarios' Python twins and their line table, as C data (tools/embed_twins.sh).
$(BUILD)/gen/twins.c: $(wildcard runtime/scenarios/*.py) runtime/scenarios/twin_lines.tsv tools/embed_twins.sh
	@sh tools/embed_twins.sh $@
$(BUILD)/gen/twins.o: $(BUILD)/gen/twins.c | deps
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/%.o: %.S | deps
	@mkdir -p $(@D)
	$(CC) $(SAN) $(filter -D%,$(STACKCHECK)) -c $< -o $@

$(BUILD)/tests/%: tests/unit/%.c $(STRTOD_OBJ) $(BUILD)/libcoroscope-app.a $(BUILD)/libcoroscope.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -MMD -MP -MF $@.d -o $@ $^ $(LIBS_ALL) $(TEST_LIBS)

$(BUILD)/pyext/_coroscope_speedups$(PY_EXT): runtime/recorder/speedups.c | deps
	@mkdir -p $(@D)
	$(CC) -std=c11 -shared -fPIC $(OPT) $(WARN) -Werror=implicit-function-declaration -fvisibility=hidden -I$(PY_INCLUDE) -o $@ $<

tests-build: $(BUILD)/coroscope $(SPEEDUPS) $(TEST_BIN) $(BUILD)/$(SHLIB)

run: deps $(BUILD)/coroscope $(SPEEDUPS)
	@sh tools/run.sh $(BUILD)/coroscope

test: deps-test
	@$(MAKE) --no-print-directory tests-build
	@sh tests/run.sh $(BUILD)

asan: deps-test
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g" LTO= \
	    SAN="-fsanitize=address,undefined -fno-omit-frame-pointer" tests-build
	@ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp sh tests/run.sh build-asan

# Every fuzz target (tests/fuzz) for SECONDS seconds each: executions and findings per target.
fuzz:
	@FUZZ_SECONDS=$(or $(SECONDS),60) sh tests/fuzz/run.sh

$(BUILD)/bench_rt: tests/bench/bench_rt.c $(BUILD)/libcoroscope.a
	$(CC) $(CFLAGS_ALL) -o $@ $^ -lm -lpthread

$(BUILD)/bench_writer: tests/bench/writer.c $(BUILD)/libcoroscope.a
	$(CC) $(CFLAGS_ALL) -o $@ $^ -lm

deps-bench:
	@sh tools/deps.sh bench

# ROUNDS=N and ONLY=id,substrings pass through (see the top of tools/bench.py).
bench: deps-bench
	@$(MAKE) --no-print-directory $(BUILD)/bench_rt $(BUILD)/bench_writer $(BUILD)/coroscope $(SPEEDUPS)
	@python3 tools/bench.py --build $(BUILD)

bench-compare:
	@python3 tools/bench.py compare $(OLD) $(NEW)

# The twin-line table first (it is compiled in), then the golden traces.
traces: $(BUILD)/coroscope
	@python3 tools/twin_lines.py regenerate $(BUILD)/coroscope
	@$(MAKE) --no-print-directory $(BUILD)/coroscope
	@sh tools/golden.sh regenerate $(BUILD)/coroscope

# The library: libcoroscope.a, libcoroscope.so.$(VERSION) with its soname link
# libcoroscope.so.$(SOVERSION) and the development link libcoroscope.so, the
# public headers under include/coroscope, and lib/pkgconfig/coroscope.pc, so
# that `cc prog.c $$(pkg-config --cflags --libs coroscope)` builds a program.
install: all $(BUILD)/$(SHLIB) $(BUILD)/coroscope.pc
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	    $(DESTDIR)$(PREFIX)/include/coroscope $(DESTDIR)$(PREFIX)/share/coroscope/recorder
	install -m 755 $(BUILD)/coroscope $(DESTDIR)$(PREFIX)/bin/coroscope
	install -m 644 $(BUILD)/libcoroscope.a $(DESTDIR)$(PREFIX)/lib/libcoroscope.a
	install -m 755 $(BUILD)/$(SHLIB) $(DESTDIR)$(PREFIX)/lib/$(SHLIB)
	ln -sf $(SHLIB) $(DESTDIR)$(PREFIX)/lib/libcoroscope.so.$(SOVERSION)
	ln -sf libcoroscope.so.$(SOVERSION) $(DESTDIR)$(PREFIX)/lib/libcoroscope.so
	install -m 644 $(BUILD)/coroscope.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/coroscope.pc
	install -m 644 $(PUBLIC_H) $(DESTDIR)$(PREFIX)/include/coroscope/
	install -m 644 runtime/recorder/coroscope_record.py $(DESTDIR)$(PREFIX)/share/coroscope/recorder/
	$(if $(SPEEDUPS),install -m 644 $(SPEEDUPS) $(DESTDIR)$(PREFIX)/share/coroscope/recorder/)
	install -d $(DESTDIR)$(PREFIX)/share/coroscope/lessons
	@for f in lessons/*.md lessons/*.py; do [ -f "$$f" ] || continue; \
	    install -m 644 "$$f" $(DESTDIR)$(PREFIX)/share/coroscope/lessons/ || exit 1; done

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/coroscope $(DESTDIR)$(PREFIX)/lib/libcoroscope.a \
	    $(DESTDIR)$(PREFIX)/lib/$(SHLIB) $(DESTDIR)$(PREFIX)/lib/libcoroscope.so.$(SOVERSION) \
	    $(DESTDIR)$(PREFIX)/lib/libcoroscope.so $(DESTDIR)$(PREFIX)/lib/pkgconfig/coroscope.pc
	rm -rf $(DESTDIR)$(PREFIX)/include/coroscope $(DESTDIR)$(PREFIX)/share/coroscope

clean:
	rm -rf build build-asan

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
