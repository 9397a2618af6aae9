; The last section of the image: the boot stack, the bump arena and the image_end symbol. Uninitialised, so
; it costs nothing in the file (the loader zeroes it through bss_end_addr). lld-link places it after every
; other section (observed: output sections other than .text/.rdata/.data come in name order, and .zend sorts
; last); MioOS.ImageBuilder checks that it is the last section and that image_end is the end of the image.
bits 32

global image_end, stack_top, bump_arena, bump_arena_end

section .zend bss
align 16
bump_arena: resb 16384
bump_arena_end:
stack_bottom: resb 65536
stack_top:
image_end:
