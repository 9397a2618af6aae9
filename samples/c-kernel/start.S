/* Multiboot headers and the entry point of the sample kernel. The loader jumps to _start in 32-bit protected
   mode, paging off, EAX = magic, EBX = physical address of the boot information. */
#define MB1_MAGIC 0x1BADB002
#define MB1_FLAGS 0x00000003            /* page-align modules, memory information */
#define MB2_MAGIC 0xE85250D6

    .section .multiboot, "a"
    .align 4
mb1_header:                             /* multiboot1: QEMU -kernel */
    .long MB1_MAGIC, MB1_FLAGS, -(MB1_MAGIC + MB1_FLAGS)
    .align 8
mb2_header:                             /* multiboot2: GRUB's multiboot2 command */
    .long MB2_MAGIC, 0, mb2_header_end - mb2_header
    .long -(MB2_MAGIC + 0 + (mb2_header_end - mb2_header))
    .short 0, 0                         /* end tag */
    .long 8
mb2_header_end:

    .text
    .globl _start
_start:
    cli
    lgdt gdt_descriptor                 /* multiboot leaves GDTR undefined: flat segments of our own */
    ljmp $0x08, $1f
1:  mov $0x10, %cx
    mov %cx, %ds
    mov %cx, %es
    mov %cx, %fs
    mov %cx, %gs
    mov %cx, %ss
    mov $stack_top, %esp
    push %ebx                           /* kmain(magic, info) */
    push %eax
    call kmain
2:  hlt
    jmp 2b

    .section .rodata
    .align 8
gdt:
    .quad 0
    .quad 0x00CF9A000000FFFF            /* 0x08: code, flat 4 GiB */
    .quad 0x00CF92000000FFFF            /* 0x10: data, flat 4 GiB */
gdt_descriptor:
    .short gdt_descriptor - gdt - 1
    .long gdt

    .section .bss
    .align 16
    .globl stack_bottom, stack_top
stack_bottom:
    .skip 65536
stack_top:

    .section .note.GNU-stack, "", @progbits   /* no executable stack */
