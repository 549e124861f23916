#!/usr/bin/env bash
# avx512_emu.sh [OUT_DIR] - the kernel tests on an emulated AVX-512 CPU, for
# machines without one (there the AVX-512 kernels are built but skipped).
# Bochs 2.7 (model corei7_skylake_x) boots Debian's kernel with an initramfs
# of busybox, the tests and their libraries; /init runs the tests, the serial
# console is the log. Needs a Debian host (apt). Not part of scripts/test.sh:
# about 21 minutes on a Zen 3 core. Correctness only, never speed.
# Writes OUT_DIR (default results/avx512_emu): serial.txt, meta.txt; exits 0
# only if every test ran and passed with the AVX-512 kernels among them.
# MLPB_EMU_TIMEOUT: seconds before giving up (default 7200).
set -euo pipefail
out=$(realpath -m "${1:-$(dirname "$0")/../results/avx512_emu}")
cd "$(dirname "$0")/.."
src=$PWD
timeout_s=${MLPB_EMU_TIMEOUT:-7200}
work=$(mktemp -d "${TMPDIR:-/tmp}/mlpb-emu.XXXXXX")
bx_pid=""
cleanup() { [ -z "$bx_pid" ] || kill -9 "$bx_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
trap 'echo "avx512_emu: interrupted" >&2; exit 130' INT
trap 'echo "avx512_emu: terminated" >&2; exit 143' TERM HUP

pkgs="cmake make gcc pkg-config libhwloc-dev zlib1g-dev bochs bochs-sdl bochsbios vgabios busybox-static isolinux syslinux-common genisoimage"
scripts/need_pkgs.sh avx512_emu $pkgs
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"   # for apt-get update below

# Debian's current kernel image, unpacked here (not installed); with stale
# package lists the download fails: then update them once and try again
kernel_pkg() { apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }'; }
kpkg=$(kernel_pkg || true)
if [ -z "$kpkg" ] || ! (cd "$work" && apt-get download "$kpkg" >/dev/null); then
  $sudo apt-get update -qq
  kpkg=$(kernel_pkg || true)
  [ -n "$kpkg" ] || { echo "avx512_emu: apt knows no kernel for linux-image-amd64" >&2; exit 1; }
  (cd "$work" && apt-get download "$kpkg" >/dev/null) || { echo "avx512_emu: apt-get download $kpkg failed" >&2; exit 1; }
fi
dpkg-deb -x "$work"/"$kpkg"_*.deb "$work/kernel"
vmlinuz=$(ls "$work"/kernel/boot/vmlinuz-* | head -1)

commit="$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$src" diff HEAD --quiet 2>/dev/null || echo ' with local changes')"
echo "avx512_emu: building the tests of $commit (Release, in a temporary folder)" >&2
cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/build" -j"$(nproc)" --target test_ukernels test_vec_simd test_nn >/dev/null

# the initramfs: busybox, the tests, their libraries at the host's paths
root=$work/initrd
mkdir -p "$root"/{bin,proc,sys,dev,t}
cp /bin/busybox "$root/bin/"
for a in sh mount poweroff grep sort tr uname; do ln -s busybox "$root/bin/$a"; done
for t in test_ukernels test_vec_simd test_nn; do cp "$work/build/tests/$t" "$root/t/"; done
for lib in $(for t in "$root"/t/*; do ldd "$t" | grep -o '/[^ ]*'; done | sort -u); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
libdirs=$(cd "$root" && find . -name '*.so*' -printf '/%h\n' | sed 's|^/\./|/|' | sort -u | paste -sd:)
# test_kernels is left out: it runs the scalar micro-kernel only. test_nn's
# SIMD rung takes the CPU's best ISA: AVX-512 in the guest.
tests=("test_ukernels avx512" "test_vec_simd" "test_nn gradcheck" "test_nn determinism" "test_nn learn")
cat > "$root/init" <<EOF
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
export LD_LIBRARY_PATH=$libdirs PATH=/bin
echo "EMU-CPU: \$(grep -o 'avx512[a-z]*' /proc/cpuinfo | sort -u | tr '\n' ' ')"
cd /t
for t in $(printf '"%s" ' "${tests[@]}"); do
  echo "EMU-RUN: \$t"
  ./\$t 2>&1
  echo "EMU-RC: \$t rc=\$?"
done
echo "EMU-DONE"
sleep 2   # let the console drain: poweroff -f cuts it off
poweroff -f
EOF
chmod +x "$root/init"
mkdir -p "$work/iso/isolinux"
(cd "$root" && find . | busybox cpio -o -H newc 2>/dev/null) | gzip -1 > "$work/iso/initrd.gz"
cp "$vmlinuz" "$work/iso/vmlinuz"
cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$work/iso/isolinux/"
# clearcpuid: Linux 6.1 turns XSAVE (so AVX) off when the XSAVE sizes CPUID
# reports disagree, and Bochs 2.7 misreports the compacted one; told to ignore
# XSAVES/XSAVEC, the kernel uses the standard format, whose size is right
cat > "$work/iso/isolinux/isolinux.cfg" <<'EOF'
default linux
prompt 0
timeout 0
label linux
  kernel /vmlinuz
  append initrd=/initrd.gz console=ttyS0,115200 rdinit=/init quiet nokaslr mitigations=off clearcpuid=xsaves,xsavec
EOF
genisoimage -quiet -o "$work/emu.iso" -b isolinux/isolinux.bin -c isolinux/boot.cat -no-emul-boot \
  -boot-load-size 4 -boot-info-table -J -R "$work/iso"

cat > "$work/bochsrc" <<EOF
megs: 1536
cpu: model=corei7_skylake_x, count=1, ips=400000000
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
display_library: sdl2
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-master: type=cdrom, path=$work/emu.iso, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=$work/serial.txt
clock: sync=none, time0=local
# no sound: with ALSA's default device missing, Bochs 2.7 aborts at start
speaker: enabled=0
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
log: $work/bochs.log
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
EOF
printf 'c\nquit\n' > "$work/dbgcmds"   # Debian's bochs starts in its debugger: continue

echo "avx512_emu: booting Bochs (corei7_skylake_x)" >&2
start=$(date +%s)
# no window: SDL's dummy video driver (Bochs' term display blocks once its
# terminal's buffer is full)
SDL_VIDEODRIVER=dummy bochs -q -f "$work/bochsrc" -rc "$work/dbgcmds" < /dev/null > "$work/bochs.out" 2>&1 &
bx_pid=$!
last=""
while :; do
  sleep 10
  now=$(date +%s)
  if [ -f "$work/serial.txt" ]; then
    cur=$(grep -a '^EMU-RUN: ' "$work/serial.txt" | tail -1 || true)
    if [ -n "$cur" ] && [ "$cur" != "$last" ]; then echo "avx512_emu: $((now - start)) s: ${cur#EMU-RUN: }" >&2; last=$cur; fi
    grep -aq '^EMU-DONE' "$work/serial.txt" && break
  fi
  if ! kill -0 "$bx_pid" 2>/dev/null; then echo "avx512_emu: Bochs stopped before the tests ended ($out/bochs.out)" >&2; break; fi
  if [ $((now - start)) -gt "$timeout_s" ]; then echo "avx512_emu: timed out after $timeout_s s" >&2; break; fi
done
kill -9 "$bx_pid" 2>/dev/null || true
bx_pid=""

mkdir -p "$out"
rm -f "$out/bochs.out" "$out/bochs.log"   # a failed run's, if any
tr -d '\r' < "$work/serial.txt" > "$out/serial.txt" 2>/dev/null || : > "$out/serial.txt"
{
  echo "commit: $commit"
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(( $(date +%s) - start )) s in Bochs"
  echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "emulator: $(dpkg-query -W -f='bochs ${Version}' bochs), cpu model corei7_skylake_x"
  echo "guest kernel: $kpkg $(dpkg-deb -f "$work"/"$kpkg"_*.deb Version)"
} > "$out/meta.txt"

fail=0
grep -aq '^EMU-DONE' "$out/serial.txt" || { echo "avx512_emu: the tests did not finish" >&2; fail=1; }
grep -aq '^EMU-CPU: .*avx512f' "$out/serial.txt" || { echo "avx512_emu: the guest saw no AVX-512" >&2; fail=1; }
# each test's own line naming AVX-512: the micro-kernel's cases, the exp sweep, the gradient check
for line in '^avx512_[0-9x]* .* cases, ok$' '^avx512 *exp: ' '^kernel 2 (avx512_[0-9x]*) reduction '; do
  grep -aq "$line" "$out/serial.txt" || { echo "avx512_emu: no line /$line/: AVX-512 not tested" >&2; fail=1; }
done
grep -a '^EMU-RC: ' "$out/serial.txt" >&2 || true
passed=$(grep -ac '^EMU-RC: .* rc=0$' "$out/serial.txt" || true)
[ "$passed" -eq "${#tests[@]}" ] || { echo "avx512_emu: $passed of ${#tests[@]} tests passed" >&2; fail=1; }
if [ $fail -ne 0 ]; then   # Bochs' own words, for the diagnosis
  tr -d '\r' < "$work/bochs.out" > "$out/bochs.out" 2>/dev/null || true
  cp "$work/bochs.log" "$out/bochs.log" 2>/dev/null || true
fi
echo "avx512_emu: $([ $fail -eq 0 ] && echo passed || echo FAILED); $out/serial.txt, $out/meta.txt" >&2
exit $fail
