# demo-gitops -- top-level build.
#
#   make            build build/bin/{myapp,gitops,sim}
#   make test       install missing packages, build with ASan+UBSan, run every test
#   make demo       install missing packages, build, start the demo
#   make check      run the unit tests of the current configuration
#   make fuzz       build the fuzz targets with clang/libFuzzer and run each briefly
#   make SAN=1                   ASan+UBSan build (in build/debug-san); or SAN=address,undefined
#   make BUILD=release           optimised build (in build/release)
#   make WERROR=0                warnings are not errors
#
# Modules: every directory engine/X holds one library libX.a; app/ and sim/
# likewise.  A file named *_test.c is a Check unit test binary; *_fuzz.c is a
# libFuzzer target; main.c is a program's entry point.

BUILD ?= debug
SAN ?=
# SAN=1 is shorthand for the sanitizers `make test` uses.
ifeq ($(SAN),1)
override SAN := address,undefined
endif
WERROR ?= 1
O ?= build/$(BUILD)$(if $(SAN),-san)
# The default configuration's programs land in build/bin; others in $(O)/bin.
BIN ?= $(if $(filter build/debug,$(O)),build/bin,$(O)/bin)
PKG_CONFIG ?= pkg-config
CC ?= cc

PKGS := libmicrohttpd libcurl libcjson yaml-0.1 libgit2 zlib
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) check 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lm -lpthread
TEST_LIBS = $(shell $(PKG_CONFIG) --libs check 2>/dev/null)

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wformat=2 -Wwrite-strings -Wpointer-arith -Wvla -Wundef
ifeq ($(WERROR),1)
WARN += -Werror
endif
ifeq ($(BUILD),release)
OPT := -O2 -g -DNDEBUG
else
OPT := -O1 -g3
endif
ifneq ($(SAN),)
OPT += -fsanitize=$(SAN) -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS += -fsanitize=$(SAN)
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

# -iquote: project headers only for #include "...", so none can hide a system header.
INC := -iquote engine -iquote sim -iquote app
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(OPT) $(INC) $(PKG_CFLAGS) $(CFLAGS)

# ---- modules ------------------------------------------------------------------
# Link order matters for static libraries: users before what they use.
ENGINE_MODS := $(notdir $(filter-out engine/cmd,$(patsubst %/,%,$(wildcard engine/*/))))
# Higher layers first, core last; a new module not listed here links after these.
LAYER_ORDER := canary gitops registry prom git helm kube core

srcs_of = $(filter-out %_test.c %_fuzz.c %/main.c,$(wildcard $(1)/*.c))
lib_of  = $(O)/lib/lib$(2).a

define module_lib
$(O)/lib/lib$(1).a: $(patsubst %.c,$(O)/%.o,$(call srcs_of,$(2)))
	@mkdir -p $$(@D)
	@rm -f $$@
	$$(Q)$$(if $$^,$$(AR) rcs $$@ $$^,$$(AR) rcs $$@)
ALL_LIBS += $(O)/lib/lib$(1).a
endef
$(foreach m,$(ENGINE_MODS),$(eval $(call module_lib,$(m),engine/$(m))))
$(eval $(call module_lib,app,app))
$(eval $(call module_lib,sim,sim))

# What each module links against, below itself (static libraries: users
# before what they use).  A module not listed links against every engine lib.
DEPS_core :=
DEPS_kube := core
DEPS_helm := core
DEPS_app := core
DEPS_sim := kube core
DEPS_cmd := $(LAYER_ORDER)
ENGINE_LINK = $(foreach m,$(LAYER_ORDER),$(if $(filter $(m),$(ENGINE_MODS)),$(m))) \
              $(filter-out $(LAYER_ORDER),$(ENGINE_MODS))
deps_of = $(if $(filter undefined,$(origin DEPS_$(1))),$(ENGINE_LINK),$(DEPS_$(1)))
# libs_for MODULE: its own library (unless cmd) and those it depends on, in order.
libs_for = $(patsubst %,$(O)/lib/lib%.a,$(filter-out cmd,$(1)) \
             $(filter $(ENGINE_MODS),$(filter-out $(1),$(call deps_of,$(1)))))

# ---- programs -----------------------------------------------------------------
PROGS := $(BIN)/myapp $(if $(wildcard engine/cmd/main.c),$(BIN)/gitops) $(if $(wildcard sim/main.c),$(BIN)/sim)
CMD_SRCS := $(wildcard engine/cmd/*.c)

all: $(PROGS)

$(BIN)/myapp: $(O)/app/main.o $(call libs_for,app) | $(BIN)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)
$(BIN)/gitops: $(patsubst %.c,$(O)/%.o,$(CMD_SRCS)) $(call libs_for,cmd) | $(BIN)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)
$(BIN)/sim: $(O)/sim/main.o $(call libs_for,sim) | $(BIN)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)
$(BIN):
	@mkdir -p $@

# ---- objects ------------------------------------------------------------------
$(O)/%.o: %.c $(O)/.cflags
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(O)/.cflags: FORCE
	@$(PKG_CONFIG) --exists $(PKGS) check || { echo "missing pkg-config modules ($(PKGS) check): run 'make deps'" >&2; exit 1; }
	@mkdir -p $(@D); echo '$(ALL_CFLAGS)' | cmp -s - $@ || echo '$(ALL_CFLAGS)' > $@

# ---- unit tests ---------------------------------------------------------------
TEST_SRCS := $(wildcard engine/*/*_test.c app/*_test.c sim/*_test.c)
TESTS := $(patsubst %.c,$(O)/tests/%,$(notdir $(TEST_SRCS)))

# A test's module is its folder's name: engine/helm/x_test.c -> helm.
mod_of = $(notdir $(patsubst %/,%,$(dir $(1))))
define test_bin
$(O)/tests/$(basename $(notdir $(1))): $(O)/$(1:.c=.o) $(call libs_for,$(call mod_of,$(1)))
	@mkdir -p $$(@D)
	$$(Q)$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(TEST_LIBS) $$(PKG_LIBS)
endef
$(foreach t,$(TEST_SRCS),$(eval $(call test_bin,$(t))))

tests: $(TESTS)

# Unit tests run from the top of the tree (fixtures use relative paths).
check: $(TESTS) $(PROGS)
	@scripts/run-unit.sh $(TESTS)

# End-to-end and scenario tests: tests/*.sh, each prints 'N passed, N failed'.
e2e: $(PROGS)
	@BIN=$(abspath $(BIN)) scripts/run-e2e.sh

# ---- fuzzing ------------------------------------------------------------------
FUZZ_SRCS := $(wildcard engine/*/*_fuzz.c app/*_fuzz.c sim/*_fuzz.c)
FUZZ_SECONDS ?= 20
fuzz:
	@scripts/deps.sh fuzz
	@$(MAKE) --no-print-directory CC=clang BUILD=fuzz SAN=fuzzer,address,undefined \
	    O=build/fuzz fuzz-bins
	@scripts/run-fuzz.sh build/fuzz/fuzz $(FUZZ_SECONDS)

FUZZ_BINS := $(patsubst %.c,$(O)/fuzz/%,$(notdir $(FUZZ_SRCS)))
define fuzz_bin
$(O)/fuzz/$(basename $(notdir $(1))): $(O)/$(1:.c=.o) $(call libs_for,$(call mod_of,$(1)))
	@mkdir -p $$(@D)
	$$(Q)$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(PKG_LIBS)
endef
$(foreach t,$(FUZZ_SRCS),$(eval $(call fuzz_bin,$(t))))
fuzz-bins: $(FUZZ_BINS)

# ---- the two commands ---------------------------------------------------------
deps:
	@scripts/deps.sh

test: deps
	@$(MAKE) --no-print-directory SAN=address,undefined check e2e

demo: deps
	@$(MAKE) --no-print-directory BUILD=release all
	@BIN=$(abspath build/release/bin) scripts/demo.sh

valgrind: $(TESTS)
	@scripts/run-unit.sh --valgrind $(TESTS)

clean:
	rm -rf build

.PHONY: all tests check e2e fuzz fuzz-bins deps test demo valgrind clean FORCE
.SECONDARY:
-include $(shell find $(O) -name '*.d' 2>/dev/null)
