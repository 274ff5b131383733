#!/usr/bin/env bash
# The serial-console prompt, typed at through Bochs' COM1 socket: vireo.cfg
# asks for base+freq; at the prompt the user sets viridian=base, saves, then
# sets log=debug and boots. The guest must get exactly base, vireo.cfg must
# hold the saved state (base, log still info), and a bad edit is refused
# with the parser's message.
. "$(dirname "$0")/lib.sh"
dir=$BUILD/e2e/console_prompt
esp_create "$dir"
esp_add "$dir" "$BUILD/vireo.efi"
esp_add "$dir" "$BUILD/probe.efi"
printf 'viridian = ["base", "freq"]\nconsole_timeout = 20\n' > "$dir/vireo.cfg"
esp_add "$dir" "$dir/vireo.cfg"
esp_script "$dir" 'fs0:' 'vireo.efi' 'echo VIREO-RC=%lasterror%' 'probe.efi' 'type fs0:\vireo.cfg' 'reset -s'
port=$((20000 + RANDOM % 20000))
bochs_config "$dir" 1 "socket:$port"
(cd "$dir" && exec timeout -s KILL 300 bochs -q -f bochsrc -rc cmds </dev/null >bochs.out 2>&1) &
bochs=$!
python3 "$E2E_ROOT/tests/e2e/console.py" "$port" "$dir/serial.log" 280 \
	'press a key within 20 s for the prompt' ' ' \
	'^vireo> ' 'show\r' \
	'^vireo> ' 'set viridian=bgse\r' \
	'^vireo> ' 'set viridian=base\r' \
	'^vireo> ' 'save\r' \
	'^vireo> ' 'set log=debug\r' \
	'^vireo> ' 'boot\r' \
	'^probe: done' '' 2> "$dir/console.err"
console_rc=$?
kill -9 $bochs 2>/dev/null
wait $bochs 2>/dev/null
rm -f "$dir/esp.img.lock"
clean_log "$dir/serial.log" > "$dir/serial.txt"
log=$dir/serial.txt
[ $console_rc -eq 0 ] && pass "the console answered every step" || fail "the console answered every step ($(cat "$dir/console.err"))"
expect "$log" '^vireo> show$' "the prompt echoes what is typed"
expect "$log" '^viridian = \["base", "freq"\]$' "show prints the configuration in file syntax"
expect "$log" 'unknown viridian group "bgse" \(expected base, freq, [a-z_, ]*defaults, all\)' "a bad edit is refused with the parser's message"
expect "$log" '^VIREO-RC=0x0$' "vireo.efi loads after boot"
expect "$log" '^vireo: mp: processor 0: APIC ID 0, boot processor$' "log=debug set at the prompt applies to this boot"
expect_line "$log" "probe: cpuid 40000003" "00000070 00000000 00000000 00000000" "the guest got exactly base: no frequency privileges"
expect_line "$log" "probe: rdmsr 40000022" "#GP" "TSC_FREQUENCY is not exposed"
expect_line "$log" "probe: mgmt get viridian" "rax=0000000000000000 value=0000000000000001" "the partition's mask is base"
# type vireo.cfg shows what save wrote: base, and log as it was then.
awk '/^probe: done/{p=1} p' "$log" > "$dir/after.txt"
expect "$dir/after.txt" '^viridian = \["base"\]' "save wrote the edited viridian to vireo.cfg"
expect "$dir/after.txt" '^log = "info"' "edits after save stay in this boot"
expect_not "$log" 'vireo: error:|unexpected VM exit|host: exception' "no host errors"
finish
