# libFuzzer targets, included by the Makefile.
#
#   make fuzz         run every target for FUZZ_SECONDS (default 60) each
#   make fuzz-short   a bounded run, FUZZ_SHORT_SECONDS (default 20) shared by all targets
#
# Each tests/fuzz/fuzz_<name>.c is one target, linked with the hosted sources
# and fakes the unit tests use and built with clang (libFuzzer + ASan + UBSan).
# It starts from the seed corpus tests/fuzz/corpus/<name>/ (and the
# dictionary tests/fuzz/fuzz_<name>.dict if there is one); new inputs go to
# build/fuzz/corpus/<name>/, crashing ones to build/fuzz/artifacts/.

FUZZ_CC			?= clang
FUZZ_SECONDS		?= 60
FUZZ_SHORT_SECONDS	?= 20
FUZZ_CFLAGS		:= -std=gnu11 -O1 -g $(WARNINGS) -I. -DHOSTED \
			   -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
			   -fno-omit-frame-pointer
FUZZ_TARGETS		:= $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_OBJS		:= $(patsubst %.c,$(B)/fuzz/obj/%.o,$(wildcard $(HOST_SRCS)) $(HOST_FAKES))

$(B)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

$(B)/fuzz/fuzz_%: $(B)/fuzz/obj/tests/fuzz/fuzz_%.o $(FUZZ_OBJS)
	@$(if $(Q),echo "  FUZZLD  $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ -o $@

fuzz: $(FUZZ_TARGETS)
	@tests/fuzz/run $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-short: $(FUZZ_TARGETS)
	@tests/fuzz/run $$(( $(FUZZ_SHORT_SECONDS) / $(words $(FUZZ_TARGETS)) )) $(FUZZ_TARGETS)

.PHONY: fuzz fuzz-short
