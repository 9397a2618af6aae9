#!/bin/sh
# Builds the sample kernel against the library: build/kernel.elf (multiboot1 and multiboot2) and, when
# grub-mkrescue is installed, build/kernel.iso (GRUB, multiboot2).
#   LIB=<dir with libmioos_memory.a and include/> ./build.sh      (default: ../../artifacts/lib/i386)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
lib=${LIB:-$here/../../artifacts/lib/i386}
out=${OUT:-$here/build}
mkdir -p "$out"
CFLAGS="-m32 -std=c99 -O2 -Wall -Wextra -Werror -ffreestanding -fno-pic -fno-stack-protector -fno-builtin -nostdlib -mno-sse -mno-mmx"
gcc $CFLAGS -I"$lib/include" -c "$here/kernel.c" -o "$out/kernel.o"
gcc $CFLAGS -c "$here/start.S" -o "$out/start.o"
ld.lld -m elf_i386 -nostdlib -z max-page-size=0x1000 -T "$here/linker.ld" -o "$out/kernel.elf" \
    "$out/start.o" "$out/kernel.o" "$lib/libmioos_memory.a"
if command -v grub-mkrescue >/dev/null 2>&1; then
    mkdir -p "$out/iso/boot/grub"
    cp "$out/kernel.elf" "$out/iso/boot/kernel.elf"
    printf 'set timeout=0\nset default=0\nmenuentry "MioOS C sample" {\n  multiboot2 /boot/kernel.elf\n  boot\n}\n' \
        > "$out/iso/boot/grub/grub.cfg"
    grub-mkrescue -o "$out/kernel.iso" "$out/iso" >/dev/null 2>&1
fi
echo "$out/kernel.elf"
