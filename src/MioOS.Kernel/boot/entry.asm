; MioOS kernel entry stub and runtime helpers (nasm -f win32, linked by lld-link at 0x100000).
; The multiboot headers are written into the flat image by MioOS.ImageBuilder; the loader jumps to _start in
; 32-bit protected mode with paging off, EAX = magic, EBX = physical address of the info block.

bits 32

section .text

global _start
extern _kmain

_start:
    cli
    cld
    mov esi, eax                    ; keep magic and info: the code below clobbers EAX
    mov edi, ebx

    ; Multiboot leaves GDTR undefined: load our own before touching a segment register.
    lgdt [gdt_descriptor]
    jmp 0x08:.reload_cs
.reload_cs:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov esp, stack_top
    xor ebp, ebp

    ; The generated code uses SSE2 from its first instructions: check the CPU before any of it runs, then
    ; CR0.EM off, CR0.MP on, CR4.OSFXSR and OSXMMEXCPT on.
    call mio_cpu_missing            ; runtime.inc
    test eax, eax
    jnz cpu_unsupported
    call mio_sse_enable
    fninit

    push edi                        ; info
    push esi                        ; magic
    call _kmain                     ; cdecl; does not return (it exits QEMU)
    add esp, 8
.hang:
    cli
    hlt
    jmp .hang

; The runtime helpers and the cdecl hardware helpers shared with the C library.
%include "runtime.inc"

; Application processors: the real-mode trampoline and their way into the kernel.
%include "ap_start.inc"

; ---------------------------------------------------------------------------------------------------------
; A CPU the generated code cannot run on (EAX = mio_cpu_missing's answer): one line on COM1 saying what is missing
; and which CPUs have it, then isa-debug-exit with 0x12 (QEMU exit status 37: the machine cannot run the kernel,
; see kernel/Panic.cs). Only integer instructions from here on.

EXIT_UNSUPPORTED equ 0x12
COM1 equ 0x3F8

cpu_unsupported:
    mov ebx, eax
    mov dx, COM1 + 1                ; COM1 as kernel/Serial.cs sets it up: 115200 8N1, polled
    mov al, 0x00
    out dx, al
    mov dx, COM1 + 3
    mov al, 0x80
    out dx, al
    mov dx, COM1
    mov al, 0x01
    out dx, al
    mov dx, COM1 + 1
    mov al, 0x00
    out dx, al
    mov dx, COM1 + 3
    mov al, 0x03
    out dx, al
    mov dx, COM1 + 2
    mov al, 0xC7
    out dx, al
    mov dx, COM1 + 4
    mov al, 0x03
    out dx, al
    mov esi, cpu_msg_head
    call serial_puts
    xor ebp, ebp                    ; how many names are written
    mov edi, cpu_missing_names
.name:
    mov eax, [edi]
    test eax, eax
    jz .tail
    test ebx, eax
    jz .next
    test ebp, ebp
    jz .first
    mov esi, cpu_msg_comma
    call serial_puts
.first:
    mov esi, [edi + 4]
    call serial_puts
    inc ebp
.next:
    add edi, 8
    jmp .name
.tail:
    mov esi, cpu_msg_tail
    call serial_puts
    mov dx, 0xF4
    mov al, EXIT_UNSUPPORTED
    out dx, al
    jmp _mio_halt

; Writes the NUL-terminated string at ESI to COM1. Clobbers EAX, ECX, EDX, ESI.
serial_puts:
    mov al, [esi]
    test al, al
    jz .done
    mov ah, al
    mov ecx, 100000                 ; as kernel/Serial.cs: wait for the transmitter, but not forever
    mov dx, COM1 + 5
.wait:
    in al, dx
    test al, 0x20
    jnz .ready
    dec ecx
    jnz .wait
.ready:
    mov dx, COM1
    mov al, ah
    out dx, al
    inc esi
    jmp serial_puts
.done:
    ret

section .rdata
cpu_msg_head: db 13, 10, "MIOOS CPU UNSUPPORTED: no ", 0
cpu_msg_comma: db ", ", 0
cpu_msg_tail: db " (needs a Pentium 4, Pentium M, Athlon 64 or later; QEMU: -cpu qemu32 or newer)", 13, 10, 0
cpu_name_cpuid: db "CPUID", 0
cpu_name_fxsr: db "FXSR", 0
cpu_name_sse: db "SSE", 0
cpu_name_sse2: db "SSE2", 0
align 4
cpu_missing_names:                  ; (mio_cpu_missing bit, name), in the order they are written
    dd MIO_CPU_NO_CPUID, cpu_name_cpuid
    dd MIO_CPU_FXSR, cpu_name_fxsr
    dd MIO_CPU_SSE, cpu_name_sse
    dd MIO_CPU_SSE2, cpu_name_sse2
    dd 0, 0

section .text

; ---------------------------------------------------------------------------------------------------------
; Kernel-only helpers, cdecl.

global _mio_outb, _mio_inb, _mio_image_end, _mio_image_base

_mio_outb:
    mov edx, [esp + 4]
    mov eax, [esp + 8]
    out dx, al
    ret

_mio_inb:
    mov edx, [esp + 4]
    xor eax, eax
    in al, dx
    ret

_mio_image_base:
    mov eax, ___ImageBase
    ret

global _mio_idle, _mio_pause, _mio_flush_tlb

_mio_idle:                          ; interrupts on, then sleep until one arrives (sti's shadow covers hlt)
    sti
    hlt
    ret

_mio_pause:                         ; the spin-wait hint (SDM vol. 2, PAUSE)
    pause
    ret

_mio_flush_tlb:                     ; every translation, global ones too: CR4.PGE off and on again (SDM vol. 3, 4.10.4.1)
    mov eax, cr4
    test eax, 1 << 7
    jz .reload
    mov ecx, eax
    and ecx, ~(1 << 7)
    mov cr4, ecx
    mov cr4, eax
    ret
.reload:
    mov eax, cr3
    mov cr3, eax
    ret

_mio_image_end:
    mov eax, image_end
    ret

extern ___ImageBase, image_end, stack_top, bump_arena, bump_arena_end

; ---------------------------------------------------------------------------------------------------------
; The kernel's own runtime helpers: a failure leaves QEMU through isa-debug-exit, allocation is a bump pointer.

global RhpFallbackFailFast, RhpThrowEx, RhpNewFast, RhpNewArray

RhpFallbackFailFast:
RhpThrowEx:
    push dword 0x11
    push dword 0xF4
    call _mio_outb
    jmp _mio_halt

; Object allocation (fastcall: ECX = MethodTable*, EDX = element count): a bump pointer in a small arena.
; The kernel does not allocate; this only exists so a stray allocation works or panics cleanly.
RhpNewFast:
    mov eax, [ecx + 4]              ; base size
    jmp alloc_common
RhpNewArray:
    movzx eax, word [ecx]           ; component size
    imul eax, edx
    add eax, [ecx + 4]
alloc_common:
    add eax, 3
    and eax, ~3
    push edx
    mov edx, [bump_next]
    add eax, edx
    cmp eax, bump_arena_end
    ja alloc_fail
    mov [bump_next], eax
    mov eax, edx
    mov [eax], ecx                  ; method table
    pop edx
    mov [eax + 4], edx              ; array length (harmless for objects: inside base size)
    ret
alloc_fail:
    jmp RhpThrowEx

section .rdata
align 8
gdt:
    dq 0                            ; null
    dq 0x00CF9A000000FFFF           ; 0x08: code, base 0, limit 4 GiB, 32-bit
    dq 0x00CF92000000FFFF           ; 0x10: data, base 0, limit 4 GiB
gdt_end:
gdt_descriptor:
    dw gdt_end - gdt - 1
    dd gdt

section .data
align 4
bump_next: dd bump_arena



; ---------------------------------------------------------------------------------------------------------
; Traps: an IDT for the 32 CPU exceptions. Every stub pushes (error code or 0, vector) and joins trap_common,
; which saves the registers and the SSE state (the interrupted C# code may have live XMM values), calls
; mio_on_trap(TrapFrame*) (C#, cdecl) and returns with iretd. The handler may change the saved EIP (a fix-up)
; or map the faulting page; returning re-runs the faulting instruction (a #PF is a fault).

section .text

%macro TRAP_NOERR 1
trap_%1:
    push dword 0
    push dword %1
    jmp trap_common
%endmacro

%macro TRAP_ERR 1
trap_%1:
    push dword %1
    jmp trap_common
%endmacro

%assign v 0
%rep 32
%if v = 8 || (v >= 10 && v <= 14) || v = 17 || v = 21 || v = 29 || v = 30
TRAP_ERR v
%else
TRAP_NOERR v
%endif
%assign v v + 1
%endrep

; Two interrupts besides the exceptions (kernel/Smp): the TLB shootdown IPI goes through trap_common like a trap
; (vector 0xF0, no error code); the local APIC's spurious vector 0xFF returns at once, with no EOI (SDM vol. 3,
; 10.9 "Spurious Interrupt").
IPI_SHOOTDOWN_VECTOR equ 0xF0
SPURIOUS_VECTOR equ 0xFF

trap_shootdown:
    push dword 0
    push dword IPI_SHOOTDOWN_VECTOR
    jmp trap_common

trap_spurious:
    iretd

extern _mio_on_trap

trap_common:
    pushad                          ; TrapFrame: edi esi ebp esp ebx edx ecx eax, vector, error, eip, cs, eflags
    mov ebx, esp
    sub esp, 512 + 16
    and esp, ~15
    fxsave [esp]
    cld
    push ebx
    call _mio_on_trap
    add esp, 4
    fxrstor [esp]
    mov esp, ebx
    popad
    add esp, 8                      ; vector, error code
    iretd

global _mio_idt_install
idt_set_gate:                       ; EAX = handler, ECX = vector: a 32-bit interrupt gate, DPL 0
    lea edx, [idt + ecx * 8]
    mov [edx], ax
    mov word [edx + 2], 0x08
    mov word [edx + 4], 0x8E00
    shr eax, 16
    mov [edx + 6], ax
    ret

_mio_idt_install:                   ; fills the IDT's first 32 gates and the two interrupt gates, loads IDTR
    push ebx
    xor ecx, ecx
.gate:
    mov eax, [trap_table + ecx * 4]
    lea edx, [idt + ecx * 8]
    mov [edx], ax                   ; offset 15:0
    mov word [edx + 2], 0x08        ; code selector
    mov word [edx + 4], 0x8E00      ; present, DPL 0, 32-bit interrupt gate
    shr eax, 16
    mov [edx + 6], ax               ; offset 31:16
    inc ecx
    cmp ecx, 32
    jb .gate
    mov eax, trap_shootdown
    mov ecx, IPI_SHOOTDOWN_VECTOR
    call idt_set_gate
    mov eax, trap_spurious
    mov ecx, SPURIOUS_VECTOR
    call idt_set_gate
    lidt [idt_descriptor]
    pop ebx
    ret

; Probes: one load or store at a known instruction, so the page-fault handler can resume after it.
; mio_probe_read(address, uint* value) / mio_probe_write(address, value) return 1, or 0 if the access faulted.
global _mio_probe_read, _mio_probe_write, _mio_probe_fault_ip, _mio_probe_fixup_ip
_mio_probe_read:
    mov ecx, [esp + 4]
    mov edx, [esp + 8]
probe_read_insn:
    mov eax, [ecx]
    mov [edx], eax
    mov eax, 1
    ret

_mio_probe_write:
    mov ecx, [esp + 4]
    mov edx, [esp + 8]
probe_write_insn:
    mov [ecx], edx
    mov eax, 1
    ret

probe_fixup:
    xor eax, eax
    ret

_mio_probe_fault_ip:                ; (which) 0: the read probe's instruction, 1: the write probe's
    mov eax, probe_read_insn
    cmp dword [esp + 4], 0
    je .done
    mov eax, probe_write_insn
.done:
    ret

_mio_probe_fixup_ip:
    mov eax, probe_fixup
    ret

section .rdata
align 4
trap_table:
%assign v 0
%rep 32
    dd trap_ %+ v
%assign v v + 1
%endrep

idt_descriptor:
    dw 256 * 8 - 1
    dd idt

section .bss
align 8
idt: resb 256 * 8

; Harness check: load an empty IDT and raise an exception, so the CPU triple-faults (QEMU -no-reboot exits 0).
section .text
global _mio_triple_fault
_mio_triple_fault:
    lidt [empty_idt]
    int3
    jmp _mio_halt

section .rdata
align 4
empty_idt:
    dw 0
    dd 0
