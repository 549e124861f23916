#!/usr/bin/env bash
# avx512_emu.sh [OUT_DIR] - run the kernel tests on an emulated AVX-512 CPU,
# for machines that have none (the AVX-512 micro-kernels and SIMD kernels are
# otherwise built but skipped). Not part of scripts/test.sh: it takes about
# 25 minutes on a Zen 3 core. Correctness only: an emulator's speed says
# nothing.
#
# Bochs (Debian's bochs 2.7, CPU model corei7_skylake_x: AVX-512 F/CD/BW/DQ/VL)
# boots Debian's own kernel with an initramfs holding busybox, the test
# binaries of a fresh Release build and the shared libraries they load; /init
# runs the tests and powers off. The guest's serial console is the log.
# Linux 6.1 turns XSAVE off (so AVX too) when the XSAVE sizes CPUID reports
# disagree, and Bochs 2.7 reports the compacted size wrongly, so the kernel is
# told to ignore XSAVES/XSAVEC (clearcpuid=xsaves,xsavec): the standard format
# it then uses has the right size.
#
# Writes OUT_DIR/serial.txt (the guest's console) and OUT_DIR/meta.txt; exits 0
# only if every test passed and the AVX-512 kernels were among those tested.
# MLPB_EMU_TIMEOUT: seconds before giving up (default 7200).
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
out=${1:-results/avx512_emu}
timeout_s=${MLPB_EMU_TIMEOUT:-7200}
work=$(mktemp -d "${TMPDIR:-/tmp}/mlpb-emu.XXXXXX")
bx_pid=""
cleanup() { [ -z "$bx_pid" ] || kill -9 "$bx_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
trap 'echo "avx512_emu: interrupted" >&2; exit 130' INT TERM

pkgs="cmake make gcc pkg-config libhwloc-dev zlib1g-dev bochs bochs-sdl bochsbios vgabios busybox-static isolinux syslinux-common genisoimage"
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ -n "$missing" ]; then
  echo "avx512_emu: installing:$missing" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >&2
fi

# Debian's current kernel image, unpacked here (not installed)
kpkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
[ -n "$kpkg" ] || { echo "avx512_emu: apt knows no linux-image-amd64 dependency" >&2; exit 1; }
(cd "$work" && apt-get download "$kpkg" >/dev/null 2>&1) ||
  { echo "avx512_emu: apt-get download $kpkg failed" >&2; exit 1; }
dpkg-deb -x "$work"/"$kpkg"_*.deb "$work/kernel"
vmlinuz=$(ls "$work"/kernel/boot/vmlinuz-* | head -1)

echo "avx512_emu: building the tests (Release, $work/build)" >&2
cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/build" -j"$(nproc)" --target test_ukernels test_vec_simd test_kernels test_nn >/dev/null

# the initramfs: busybox, the tests, their libraries at the host's paths
root=$work/initrd
mkdir -p "$root"/{bin,proc,sys,dev,t}
cp /bin/busybox "$root/bin/"
for a in sh mount poweroff grep sort tr uname; do ln -s busybox "$root/bin/$a"; done
for t in test_ukernels test_vec_simd test_kernels test_nn; do cp "$work/build/tests/$t" "$root/t/"; done
for lib in $(for t in "$root"/t/*; do ldd "$t" | grep -o '/[^ ]*'; done | sort -u); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
libdirs=$(cd "$root" && find . -name '*.so*' -printf '/%h\n' | sed 's|^/\./|/|' | sort -u | paste -sd:)
cat > "$root/init" <<EOF
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
export LD_LIBRARY_PATH=$libdirs PATH=/bin
echo "EMU-CPU: \$(grep -o 'avx512[a-z]*' /proc/cpuinfo | sort -u | tr '\n' ' ')"
cd /t
for t in "test_ukernels avx512" "test_vec_simd" "test_kernels gemm" "test_kernels vec" "test_kernels threads" \\
         "test_nn gradcheck" "test_nn determinism" "test_nn learn"; do
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
cat > "$work/iso/isolinux/isolinux.cfg" <<'EOF'
default linux
prompt 0
timeout 0
label linux
  kernel /vmlinuz
  append initrd=/initrd.gz console=ttyS0,115200 rdinit=/init nokaslr mitigations=off clearcpuid=xsaves,xsavec
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

echo "avx512_emu: booting Bochs (corei7_skylake_x); the guest's console: $work/serial.txt" >&2
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
  if ! kill -0 "$bx_pid" 2>/dev/null; then echo "avx512_emu: Bochs stopped before the tests ended ($work/bochs.out)" >&2; break; fi
  if [ $((now - start)) -gt "$timeout_s" ]; then echo "avx512_emu: timed out after $timeout_s s" >&2; break; fi
done
kill -9 "$bx_pid" 2>/dev/null || true
bx_pid=""

mkdir -p "$out"
tr -d '\r' < "$work/serial.txt" > "$out/serial.txt" 2>/dev/null || : > "$out/serial.txt"
{
  echo "commit: $(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$src" diff --quiet 2>/dev/null || echo ' (with local changes)')"
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(( $(date +%s) - start )) s in Bochs"
  echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "emulator: $(dpkg-query -W -f='bochs ${Version}' bochs), cpu model corei7_skylake_x"
  echo "guest kernel: $kpkg $(dpkg-deb -f "$work"/"$kpkg"_*.deb Version)"
} > "$out/meta.txt"

fail=0
grep -aq '^EMU-DONE' "$out/serial.txt" || { echo "avx512_emu: the tests did not finish" >&2; fail=1; }
grep -aq '^EMU-CPU: .*avx512f' "$out/serial.txt" || { echo "avx512_emu: the guest saw no AVX-512" >&2; fail=1; }
grep -aq '^avx512_' "$out/serial.txt" || { echo "avx512_emu: no AVX-512 micro-kernel was tested" >&2; fail=1; }
if grep -aq '^SKIP avx512' "$out/serial.txt"; then echo "avx512_emu: AVX-512 tests were skipped" >&2; fail=1; fi
grep -a '^EMU-RC: ' "$out/serial.txt" >&2 || true
if grep -a '^EMU-RC: ' "$out/serial.txt" | grep -vq ' rc=0$'; then fail=1; fi
if [ $fail -ne 0 ]; then   # Bochs' own words, for the diagnosis
  tr -d '\r' < "$work/bochs.out" > "$out/bochs.out" 2>/dev/null || true
  cp "$work/bochs.log" "$out/bochs.log" 2>/dev/null || true
fi
echo "avx512_emu: $([ $fail -eq 0 ] && echo passed || echo FAILED); $out/serial.txt, $out/meta.txt" >&2
exit $fail
