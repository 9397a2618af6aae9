; The C library's public entry points (nasm -f win32; tools/MioOS.CoffToElf turns the object into ELF).
;
; Every function of include/mioos/memory.h is a thunk here that owns the public name (kmalloc, mm_init, ...)
; and jumps to its C# body (_mioos_cs_kmalloc, ... in Api/Exports.cs) with the caller's stack untouched (cdecl:
; the arguments stay where the C caller put them, the C# body returns straight to it). The generated code uses
; SSE2 from its first instructions (zeroing locals), so before any of it runs, the first call checks the CPU:
; CPUID must exist (EFLAGS.ID can be toggled: early 486s cannot) and report FXSR, SSE and SSE2; then CR0.EM is
; cleared, CR0.MP set, CR4.OSFXSR and CR4.OSXMMEXCPT set, and the static constructors run. A CPU without them
; gets MM_E_CPU_UNSUPPORTED (NULL, MM_NOT_MAPPED, false) from every call, and no C# code ever runs.

%include "runtime.inc"

MM_E_CPU_UNSUPPORTED equ -1
MM_STATS_SIZE equ 192                ; sizeof(struct mm_stats)

section .text

extern _mioos_cs_start, _mioos_cs_runtime_failure

; Returns EAX = 1 when the library may run (the CPU was set up), 0 when it may not. Clobbers ECX, EDX.
mioos_enter:
    mov al, [cpu_state]
    cmp al, 1
    je .ready
    cmp al, 2
    je .refused
    call mio_cpu_missing            ; runtime.inc: CPUID (EFLAGS.ID), then FXSR, SSE and SSE2
    test eax, eax
    jnz .unsupported
    call mio_sse_enable             ; runtime.inc: CR0.EM off, CR0.MP on, CR4.OSFXSR and CR4.OSXMMEXCPT on
    mov byte [cpu_state], 1
    call _mioos_cs_start            ; once: the static constructors ILC left to run time
.ready:
    mov eax, 1
    ret
.unsupported:
    mov byte [cpu_state], 2
.refused:
    xor eax, eax
    ret

; THUNK name, result: what the call returns when the CPU cannot run the library.
%macro THUNK 2
global %1
extern _mioos_cs_%1
%1:
    call mioos_enter
    test eax, eax
    jz .refused
    jmp _mioos_cs_%1
.refused:
%ifidn %2, status
    mov eax, MM_E_CPU_UNSUPPORTED
%elifidn %2, zero
    xor eax, eax
%elifidn %2, not_mapped
    mov eax, -1
    mov edx, -1
%elifidn %2, void
%else
%error unknown result kind %2
%endif
    ret
%endmacro

THUNK mm_init, status
THUNK alloc_frame, zero
THUNK free_frame, status
THUNK alloc_page, status
THUNK alloc_page_4mib, status
THUNK identity_map_region, status
THUNK free_page, status
THUNK virt_to_phys, not_mapped
THUNK is_mapped, zero
THUNK kmalloc, zero
THUNK kcalloc, zero
THUNK krealloc, zero
THUNK kfree, void
THUNK mm_check, status
THUNK mm_status_name, zero
THUNK mm_set_log, void
THUNK mm_last_status, status

; mm_stats zeroes *out itself when the CPU cannot run the library.
global mm_stats
extern _mioos_cs_mm_stats
mm_stats:
    call mioos_enter
    test eax, eax
    jz .refused
    jmp _mioos_cs_mm_stats
.refused:
    push edi
    mov edi, [esp + 8]
    test edi, edi
    jz .done
    mov ecx, MM_STATS_SIZE / 4
    xor eax, eax
    cld
    rep stosd
.done:
    pop edi
    ret

; ---------------------------------------------------------------------------------------------------------
; Runtime failure paths the generated code may call: a log line (when the host gave a log) and a halt.
global RhpThrowEx, RhpFallbackFailFast

RhpThrowEx:
    push dword 1
    call _mioos_cs_runtime_failure
RhpFallbackFailFast:
    push dword 2
    call _mioos_cs_runtime_failure

section .data
cpu_state: db 0                     ; 0 not checked yet, 1 set up, 2 unsupported
