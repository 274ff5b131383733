# Vireo: a bare-metal microhypervisor for Intel VT-x, built as a UEFI application.
#
#   make            build vireo.efi and the test EFI programs
#   make run        boot Vireo in Bochs (or nested QEMU/KVM) on this terminal (GUEST=linux: then Linux;
#                   RUN_QEMU=tcg: the QEMU path under TCG, on any host)
#   make test       hosted unit tests, then the end-to-end boots
#   make unit       hosted unit tests only (ASan + UBSan)
#   make esp        build/esp.img, a bootable EFI system partition (NEXT=\\EFI\\...\\os.efi)
#   make usb DEV=/dev/sdX   write that image to a disk, after asking
#   make lint       clang-tidy and cppcheck over the tree

CC		:= gcc
LD		:= ld
NASM		:= nasm
OBJCOPY		:= objcopy
HOSTCC		?= gcc

EFI_INC		:= /usr/include/efi
EFI_LIB		:= /usr/lib
EFI_CRT0	:= $(EFI_LIB)/crt0-efi-x86_64.o

B		:= build

WARNINGS	:= -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
		   -Wpointer-arith -Wundef -Wvla -Wimplicit-fallthrough
KCFLAGS		:= -std=gnu11 -O2 -g $(WARNINGS) -ffreestanding -fno-builtin -fno-stack-protector \
		   -fno-strict-aliasing -fpic -fshort-wchar -mno-red-zone -mgeneral-regs-only \
		   -fno-asynchronous-unwind-tables -ffunction-sections -fdata-sections -fvisibility=hidden \
		   -DGNU_EFI_USE_MS_ABI \
		   -isystem $(EFI_INC) -isystem $(EFI_INC)/x86_64 -I.
# The loader runs once: boot/ is built for size, the exit path for speed.
$(B)/efi/boot/%.o: KCFLAGS += -Os
# make TRAP_ALL_MSRS=1: every MSR access exits (a measurement build for make bench).
KCFLAGS		+= $(if $(TRAP_ALL_MSRS),-DVIREO_TRAP_ALL_MSRS)
# make FAIL_LAUNCH=N: VMLAUNCH fails on processor N (a test build for the undo of a load).
KCFLAGS		+= $(if $(FAIL_LAUNCH),-DVIREO_FAIL_LAUNCH=$(FAIL_LAUNCH))
KLDFLAGS	:= -nostdlib -znocombreloc -shared -Bsymbolic --no-undefined --gc-sections --exclude-libs ALL -T linker.ld
EFI_SECTIONS	:= -j .text -j .data -j .dynamic -j .dynsym -j .rela -j .reloc

# The hypervisor image.
VIREO_SRCS	:= $(wildcard boot/*.c arch/x86/*.c hv/*.c viridian/*.c)
VIREO_ASMS	:= $(wildcard arch/x86/*.asm)
VIREO_OBJS	:= $(VIREO_SRCS:%.c=$(B)/efi/%.o) $(VIREO_ASMS:%.asm=$(B)/efi/%_asm.o)

# Guest-side programs used by the end-to-end tests (each tests/<name>/ is one .efi).
TEST_EFIS	:= $(patsubst tests/%/,$(B)/%.efi,$(dir $(wildcard tests/*/main.c)))

all: $(B)/vireo.efi $(TEST_EFIS)

# V=1 shows the commands.
Q		:= $(if $(V),,@)

$(B)/efi/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(KCFLAGS) -MMD -MP -c $< -o $@

$(B)/efi/%_asm.o: %.asm
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  NASM    $<")
	$(Q)$(NASM) -f elf64 -Werror -o $@ $<

# Compiled as one program at link time: an exit crosses arch/x86, hv/ and
# viridian/, and the calls between them are inlined where that pays.
comma		:= ,
$(VIREO_OBJS): KCFLAGS += -flto
$(B)/vireo.so: $(VIREO_OBJS) linker.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(KCFLAGS) -flto=auto -nostdlib -Wl,--build-id=none \
		$(addprefix -Wl$(comma),$(KLDFLAGS)) $(EFI_CRT0) $(VIREO_OBJS) -L$(EFI_LIB) -lgnuefi -o $@

# Each test program: tests/<name>/*.c (+ *.asm) linked the same way as Vireo.
# (pc is a literal %, so that make does not substitute the stem into patsubst.)
.SECONDEXPANSION:
pc := %
$(B)/%.so: $$(patsubst $$(pc).c,$(B)/efi/$$(pc).o,$$(wildcard tests/$$*/*.c)) \
	   $$(patsubst $$(pc).asm,$(B)/efi/$$(pc)_asm.o,$$(wildcard tests/$$*/*.asm)) linker.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(KLDFLAGS) $(EFI_CRT0) $(filter %.o,$^) -L$(EFI_LIB) -lefi -lgnuefi -o $@

$(B)/%.efi: $(B)/%.so
	@$(if $(Q),echo "  EFI     $@")
	$(Q)$(OBJCOPY) $(EFI_SECTIONS) --strip-all --target efi-app-x86_64 --subsystem=10 $< $@

# ---------------------------------------------------------------- hosted unit tests
#
# hv/, viridian/ and the pure parts of arch/x86 and boot/ compile for Linux and
# link against fakes of the hardware interfaces (tests/unit/fake_*.c).

HOST_CFLAGS	:= -std=gnu11 -O1 -g $(WARNINGS) -I. -DHOSTED \
		   -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HOSTED_EXTRA	:= arch/x86/vmx_caps.c arch/x86/cr.c arch/x86/mtrr.c arch/x86/ept.c arch/x86/insn_store.c boot/config.c boot/config_syntax.c boot/prompt.c
HOST_SRCS	:= $(wildcard hv/*.c viridian/*.c) $(HOSTED_EXTRA)
HOST_FAKES	:= $(wildcard tests/unit/fake_*.c)
UNIT_TESTS	:= $(patsubst tests/unit/%.c,$(B)/host/%,$(wildcard tests/unit/test_*.c))
HOST_OBJS	:= $(patsubst %.c,$(B)/host/%.o,$(wildcard $(HOST_SRCS)) $(HOST_FAKES))

$(B)/host/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(B)/host/test_%: $(B)/host/tests/unit/test_%.o $(HOST_OBJS)
	@$(if $(Q),echo "  HOSTLD  $@")
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $^ -o $@

unit: $(UNIT_TESTS)
	@tests/run-unit $(UNIT_TESTS)

include tests/fuzz/fuzz.mk

# ---------------------------------------------------------------- end to end

deps:
	@tests/deps

test: deps
	@$(MAKE) --no-print-directory all $(UNIT_TESTS)
	@tests/run-all

run: deps
	@$(MAKE) --no-print-directory all
	@GUEST=$(GUEST) RUN_QEMU=$(RUN_QEMU) tests/e2e/run-interactive

# A bootable ESP image that starts Vireo, then NEXT (a loader path on it) or the firmware's next boot option.
esp: $(B)/vireo.efi
	@boot/make-esp $(B)/esp.img $(if $(NEXT),--next '$(NEXT)')

# Writes that image to a USB stick or disk, after asking.
usb: esp
	@boot/write-usb $(B)/esp.img "$(DEV)"

lint:
	@tests/lint

clean:
	rm -rf $(B)

.PHONY: all unit deps test run esp usb lint clean
.DELETE_ON_ERROR:

-include $(shell find $(B) -name '*.d' 2>/dev/null)
.SECONDARY:

# ---------------------------------------------------------------- bench
#
# make bench: exit round trips in Bochs, instructions of the hosted dispatch
# code under callgrind, and Vireo's footprint, printed as one table and kept
# as CSV under bench/results/ (tests/bench/run; bench/README.md explains the
# columns). Not part of make test.

BENCH_CFLAGS	:= -std=gnu11 -O2 -g $(WARNINGS) -I. -DHOSTED -fno-builtin -fno-strict-aliasing \
		   -fno-stack-protector
BENCH_SRCS	:= tests/bench/dispatch_bench.c $(wildcard $(HOST_SRCS)) $(HOST_FAKES)

$(B)/bench/dispatch_bench: $(BENCH_SRCS) $(wildcard hv/*.h viridian/*.h arch/x86/*.h boot/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTLD  $@")
	$(Q)$(HOSTCC) $(BENCH_CFLAGS) $(BENCH_SRCS) -o $@

bench: deps
	@$(MAKE) --no-print-directory all $(B)/bench/dispatch_bench
	@tests/bench/run

.PHONY: bench
