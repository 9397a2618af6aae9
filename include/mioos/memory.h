/*
 * mioos/memory.h - the MioOS memory-management subsystem for i386 kernels written in C.
 *
 * Link:   ld.lld -m elf_i386 ... your objects ... libmioos_memory.a   (nothing else: the library needs no symbol
 *         from its host and exports only the functions below). See docs/embedding.md.
 * Host:   a multiboot-loaded kernel in 32-bit protected mode, flat segments, paging off before mm_init,
 *         interrupts disabled (or handled by the host), the kernel image between 1 MiB and kernel_start + 0x100000.
 *         Calls are not reentrant: one CPU, or the host serialises them (each layer takes its own lock, heap, then
 *         VMM, then PMM, with interrupts off while held and EFLAGS.IF restored as found, but this layer's last status
 *         and log line are shared). Stack: 24 KiB for mm_init, 8 KiB for the other calls (docs/embedding.md gives the
 *         measured figures).
 * CPU:    each function enters through a thunk that, on the first call, checks CPUID for SSE2 and enables it
 *         (CR0.MP=1, CR0.EM=0, CR4.OSFXSR=1, CR4.OSXMMEXCPT=1). Without SSE2 nothing runs: mm_status results are
 *         MM_E_CPU_UNSUPPORTED, pointers NULL, virt_to_phys MM_NOT_MAPPED, is_mapped false.
 *
 * C99, freestanding: only stdint.h, stddef.h and stdbool.h.
 */
#ifndef MIOOS_MEMORY_H
#define MIOOS_MEMORY_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int32_t mm_status;            /* MM_OK (0) or a negative MM_E... code */
#define MM_OK 0

/* ---- Status codes: every failure is one of these, never a crash. mm_status_name() gives the name. ---- */
/* The library itself */
#define MM_E_CPU_UNSUPPORTED           (-1)  /* no CPUID or no SSE2: the library did not run */
#define MM_E_NOT_INITIALIZED           (-2)  /* mm_init has not succeeded yet */
#define MM_E_ALREADY_INITIALIZED       (-3)  /* mm_init already succeeded (or failed after turning paging on) */
#define MM_E_BAD_FLAGS                 (-4)  /* a flag bit other than MM_PAGE_WRITE/USER/PWT/PCD/GLOBAL */
#define MM_E_INVALID_ARGUMENT          (-5)  /* a NULL pointer where one is needed */
/* mm_init: the boot information (multiboot1 or multiboot2) */
#define MM_E_BAD_MAGIC                 (-10) /* multiboot_magic is neither 0x2BADB002 nor 0x36D76289 */
#define MM_E_INFO_OUTSIDE_MEMORY       (-11) /* the info block does not lie in memory below 4 GiB */
#define MM_E_INFO_MISALIGNED           (-12) /* the multiboot2 info block is not 8-byte aligned */
#define MM_E_INFO_TOO_SMALL            (-13) /* multiboot2 total_size cannot hold its header and an end tag */
#define MM_E_TAG_TRUNCATED             (-14) /* a multiboot2 tag header does not fit, or its size is below 8 */
#define MM_E_TAG_PAST_END              (-15) /* a multiboot2 tag runs past total_size */
#define MM_E_NO_END_TAG                (-16) /* the multiboot2 tag list has no end tag */
#define MM_E_MAP_ENTRY_TOO_SMALL       (-17) /* a memory-map entry size is smaller than an entry */
#define MM_E_MAP_ENTRY_PAST_END        (-18) /* a memory-map entry runs past the end of the map */
#define MM_E_MAP_OUTSIDE_MEMORY        (-19) /* multiboot1 mmap_addr/mmap_length do not lie in memory */
#define MM_E_NO_MEMORY_MAP             (-20) /* neither a memory map nor basic memory information */
#define MM_E_TOO_MANY_MAP_ENTRIES      (-21) /* more memory-map entries than the library has room for (128) */
#define MM_E_TOO_MANY_MODULES          (-22) /* more boot modules than the library has room for (16) */
#define MM_E_TOO_MANY_BOOT_REGIONS     (-23) /* more boot ranges to reserve than there is room for */
#define MM_E_MODULE_LIST_OUTSIDE_MEMORY (-24) /* the multiboot1 module list does not lie in memory */
#define MM_E_MODULE_INVALID            (-25) /* a module ends before it starts, or lies outside memory */
#define MM_E_STRING_UNTERMINATED       (-26) /* a command line or name has no terminating NUL */
/* mm_init: the kernel layout and the physical memory manager's start */
#define MM_E_BAD_KERNEL_LAYOUT         (-30) /* kernel_start is not 4 KiB aligned, or kernel_end < kernel_start */
#define MM_E_KERNEL_OVERLAPS_HEAP      (-31) /* the kernel image reaches the heap at kernel_start + 0x100000 */
#define MM_E_BOOT_INFO_IN_HEAP         (-32) /* boot information or a module lies in the heap or PMM metadata area */
#define MM_E_NO_USABLE_LOW_MEMORY      (-33) /* the kernel, the 3 MiB heap and the metadata do not fit in available RAM */
/* PMM (alloc_frame, free_frame) */
#define MM_E_ZERO_FRAMES               (-40) /* num_blocks is 0 */
#define MM_E_BAD_ALIGNMENT             (-41) /* an alignment that is not a power of two */
#define MM_E_OUT_OF_MEMORY             (-42) /* not enough free memory (frames, or heap space after growing) */
#define MM_E_NO_CONTIGUOUS_RUN         (-43) /* enough frames are free, but not that many in one run */
#define MM_E_MAPPING_FAILED            (-44) /* the identity mapping could not be made; the frames were given back */
#define MM_E_NOT_IDENTITY_MAPPABLE     (-45) /* identity mapping asked for memory at or above 4 GiB */
#define MM_E_MISALIGNED                (-46) /* an address that is not on the boundary its call needs */
#define MM_E_DOUBLE_FREE               (-47) /* free of a heap block that is already free, or of a frame run freed recently */
#define MM_E_INTERIOR_POINTER          (-48) /* free of an address inside an allocation, not its start */
#define MM_E_NOT_ALLOCATED             (-49) /* free of an address this layer never handed out */
#define MM_E_OUT_OF_METADATA           (-50) /* the PMM's record pool is exhausted (cannot happen; reported) */
#define MM_E_RESERVED_MEMORY           (-51) /* free_frame of memory never handed out: kernel image, heap area, PMM metadata, boot data */
#define MM_E_NOT_OWNER                 (-52) /* free_frame of frames the VMM (page tables) or the heap (segments) holds */
#define MM_E_NO_MAPPER                 (-53) /* identity mapping asked for before the VMM exists */
/* VMM (alloc_page, alloc_page_4mib, identity_map_region, free_page, virt_to_phys) */
#define MM_E_ALREADY_MAPPED            (-60) /* the virtual page is already mapped */
#define MM_E_INSIDE_LARGE_PAGE         (-61) /* a 4 KiB page was asked for inside a 4 MiB page */
#define MM_E_PAGE_TABLE_IN_PLACE       (-62) /* a 4 MiB page was asked for where a page table already is */
#define MM_E_NOT_MAPPED                (-63) /* nothing is mapped at the virtual address */
#define MM_E_NO_FRAME_FOR_TABLE        (-64) /* no free frame for a page table */
#define MM_E_PHYS_TOO_HIGH             (-65) /* the physical address cannot be mapped (>= 4 GiB for 4 KiB pages, no PSE-36, >= 2^MAXPHYADDR) */
#define MM_E_NO_LARGE_PAGES            (-66) /* the CPU has no PSE: no 4 MiB pages */
#define MM_E_RESERVED_RANGE            (-67) /* the virtual address is in the VMM's own top 8 MiB (0xFF800000 and up) */
#define MM_E_INVALID_RANGE             (-68) /* a range is empty, reversed, or reaches past 4 GiB */
#define MM_E_PAGING_ALREADY_ENABLED    (-69) /* paging was already on when mm_init ran */
#define MM_E_ADDRESS_SPACE_IN_USE      (-70) /* the address space is the kernel's or the current one */
#define MM_E_INVALID_ADDRESS_SPACE     (-71) /* not a page directory the VMM made */
#define MM_E_OUTSIDE_KERNEL_SPACE      (-72) /* a kernel range reaches into the user part of the address space */
#define MM_E_TOO_MANY_ADDRESS_SPACES   (-73) /* the VMM's list of address spaces is full */
/* Heap (kmalloc, kcalloc, krealloc, kfree) */
#define MM_E_SIZE_OVERFLOW             (-80) /* the size is above the largest request, or num * size overflowed */
#define MM_E_HEAP_HEADER_CORRUPTED     (-81) /* a block header was overwritten (an overrun of the block before it) */
#define MM_E_HEAP_BLOCK_ORDER          (-82) /* the blocks of a heap segment do not tile it */
#define MM_E_HEAP_ADJACENT_FREE        (-83) /* two neighbouring free blocks were not coalesced */
#define MM_E_HEAP_TOTALS_MISMATCH      (-84) /* the heap's counters do not match its blocks */
#define MM_E_HEAP_TREE_MISMATCH        (-85) /* the heap's free tree is malformed or misses a free block */
#define MM_E_HEAP_CONTROL_CORRUPTED    (-86) /* the heap's control block or segment table is damaged */
#define MM_E_HEAP_CROSS_CHECK          (-87) /* the free tree's answer differed from a linear first-fit scan */
#define MM_E_HEAP_BAD_GROWTH           (-88) /* the heap was given a growth range it cannot use */
/* mm_check: the PMM's integrity walk */
#define MM_E_PMM_BAD_MAGIC             (-90) /* the PMM's control block magic is gone */
#define MM_E_PMM_BROKEN_TREE           (-91) /* a PMM tree's links, order, heights or maxima are inconsistent */
#define MM_E_PMM_OUTSIDE_USABLE        (-92) /* a PMM extent lies outside available memory or its region */
#define MM_E_PMM_TOUCHES_RESERVED      (-93) /* a PMM extent touches a reserved range */
#define MM_E_PMM_OVERLAP               (-94) /* two PMM extents overlap */
#define MM_E_PMM_NOT_MERGED            (-95) /* two free PMM extents touch without being merged */
#define MM_E_PMM_COUNT_MISMATCH        (-96) /* the PMM's frame counts disagree with its trees */
#define MM_E_VMM_NOT_ACTIVE            (-97) /* paging is off, or CR3 is not the kernel's page directory */

/* ---- Bring-up, in the spec's order: boot info -> PMM -> VMM (paging on) -> heap at kernel_start + 0x100000. ----
   Pass EAX and EBX as the loader left them, and the image's first byte and first byte after it (bss included).
   After MM_OK, a second call returns MM_E_ALREADY_INITIALIZED. A refused call (bad magic, malformed or missing
   map, a kernel reaching the heap, no usable memory) changes nothing and may be repeated with other arguments;
   once a call failed after paging was touched (an MM_E_ code of the VMM or heap), mm_init stays refused. */
mm_status mm_init(uint32_t multiboot_magic, uint32_t multiboot_info,
                  uint32_t kernel_start, uint32_t kernel_end);

/* ---- PMM (spec section 1). Physical addresses (low memory, below 4 GiB); 1 block = 4 KiB; NULL when refused
   (mm_last_status() says why). The pointer may be dereferenced only where it is mapped (identity_map, or the
   kernel's own maps). identity_map maps into the kernel half, below 2 GiB: a run reaching 2 GiB is refused with
   MM_E_MAPPING_FAILED. free_frame gives back the whole allocation and removes the identity mapping it made (not
   pages you mapped over it yourself: free_page those first). ---- */
void     *alloc_frame(uint32_t num_blocks, bool identity_map);
mm_status free_frame(void *ptr);

/* ---- VMM (spec section 2). flags: the x86 entry bits below; PRESENT is implied. ---- */
#define MM_PAGE_WRITE   0x002u
#define MM_PAGE_USER    0x004u
#define MM_PAGE_PWT     0x008u
#define MM_PAGE_PCD     0x010u
#define MM_PAGE_GLOBAL  0x100u   /* any other bit is refused (0x80 is PAT in a PTE but PS in a PDE) */
mm_status alloc_page(uint32_t virt, uint32_t phys, uint32_t flags);
mm_status alloc_page_4mib(uint32_t virt, uint64_t phys, uint32_t flags);   /* phys >= 4 GiB via PSE-36 */
mm_status identity_map_region(uint32_t start, uint32_t end, uint32_t flags); /* [start, end), rounded out; 4 KiB pages */
mm_status free_page(uint32_t virt_addr);                                    /* unmaps and invalidates */
#define MM_NOT_MAPPED (~0ull)
uint64_t  virt_to_phys(uint32_t virt);            /* MM_NOT_MAPPED when not mapped */
bool      is_mapped(uint32_t virt);

/* ---- Heap (spec section 3). 8-byte aligned payloads; kmalloc(0) returns NULL; krealloc(NULL, n) = kmalloc(n);
   krealloc(p, 0) frees p and returns NULL; kcalloc returns NULL (MM_E_SIZE_OVERFLOW) when num * size overflows.
   kfree(NULL) does nothing. A misused kfree (double, interior, foreign pointer) changes nothing: it is refused,
   counted in struct mm_stats (heap_misuse_count, heap_last_misuse, heap_last_misuse_address) and logged. ---- */
void *kmalloc(size_t size);
void *kcalloc(size_t num, size_t size);
void *krealloc(void *ptr, size_t size);
void  kfree(void *ptr);

/* ---- Reports. ---- */
mm_status   mm_check(void);                       /* integrity walks of every layer */
const char *mm_status_name(mm_status status);     /* e.g. "MM_E_DOUBLE_FREE"; "MM_E_UNKNOWN" for other values */
void        mm_set_log(void (*log)(const char *line)); /* optional: the library prints nothing without it */

/* The status of the last call that returns no mm_status (alloc_frame, virt_to_phys, kmalloc, kcalloc,
   krealloc, kfree): MM_OK when it succeeded. */
mm_status   mm_last_status(void);

/* What meminfo and heapinfo show. Frames are 4 KiB. "low" is below 4 GiB, "high" at or above it. */
struct mm_stats {
    /* PMM */
    uint64_t installed_bytes;          /* RAM the firmware lists (every type but reserved) */
    uint64_t usable_frames_low;        /* frames the PMM manages below 4 GiB */
    uint64_t usable_frames_high;       /* frames the PMM manages at or above 4 GiB */
    uint64_t untracked_frames_high;    /* available frames above what the PMM can track or map */
    uint64_t reserved_frames;          /* available frames kept back: kernel, heap, metadata, boot info */
    uint64_t free_frames_low;
    uint64_t free_frames_high;
    uint64_t used_frames;              /* allocated (usable - free) */
    uint64_t failed_frame_allocations; /* alloc_frame refusals */
    uint64_t bad_frame_frees;          /* free_frame refusals (double, interior, foreign) */
    uint64_t double_frame_frees;       /* ... of which double frees */
    uint64_t pmm_metadata_base;        /* where the PMM keeps its records (physical) */
    uint64_t pmm_metadata_length;
    uint32_t free_extents;             /* runs of free frames */
    uint32_t frame_allocations;        /* live alloc_frame allocations */
    /* VMM */
    uint32_t paging_enabled;           /* 1 once mm_init turned paging on */
    uint32_t page_directory;           /* CR3: the kernel page directory (physical) */
    uint32_t page_tables;              /* page tables in the kernel directory */
    uint32_t pages_4k;                 /* 4 KiB pages mapped */
    uint32_t pages_4m;                 /* 4 MiB pages mapped */
    uint32_t large_page_address_bits;  /* physical address bits a 4 MiB page can reach (32, or 36..40 with PSE-36) */
    /* Heap */
    uint32_t heap_start;
    uint32_t heap_size;                /* bytes the blocks of all segments cover (the initial 3 MiB less the heap's control block, plus each growth) */
    uint32_t heap_used;                /* bytes of the blocks in use: payloads with their 8-byte headers and rounding */
    uint32_t heap_free;
    uint32_t heap_blocks;
    uint32_t heap_free_blocks;
    uint32_t heap_largest_free;
    uint32_t heap_segments;            /* the initial 3 MiB plus each growth */
    uint32_t heap_fragmentation_per_mille;
    uint32_t heap_peak_in_use;         /* the highest in-use extent reached */
    uint32_t heap_grows;
    uint32_t heap_misuse_count;        /* refused kfree/krealloc calls */
    mm_status heap_last_misuse;        /* MM_E_DOUBLE_FREE, MM_E_INTERIOR_POINTER, ... or MM_OK */
    uint32_t heap_last_misuse_address;
};
void mm_stats(struct mm_stats *out);              /* zeroes *out before mm_init; NULL is ignored */

#ifdef __cplusplus
}
#endif

#endif /* MIOOS_MEMORY_H */
