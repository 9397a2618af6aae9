/* The seam between the C side of libmioos_malloc.so and the heap compiled from C# (Api/HeapEntryPoints.cs,
 * Api/WindowGrowth.cs). Heap addresses are 32-bit offsets in the address window (window.c). Every call into the
 * heap is made with the library's lock held (lock.h), except mioos_heap_create (once, before any other). */
#ifndef MIOOS_MALLOC_HEAP_H
#define MIOOS_MALLOC_HEAP_H

#include <stdint.h>

/* The heap's statuses (src/MioOS.Memory/Heap/HeapStatus.cs), the ones the C side tells apart. */
enum mioos_heap_status {
    MIOOS_HEAP_OK = 0,
    MIOOS_HEAP_OUT_OF_MEMORY = 1,
    MIOOS_HEAP_SIZE_OVERFLOW = 2,
    MIOOS_HEAP_INVALID_ALIGNMENT = 3,
    MIOOS_HEAP_FOREIGN_POINTER = 4,
    MIOOS_HEAP_MISALIGNED_POINTER = 5,
    MIOOS_HEAP_NOT_A_BLOCK_START = 6,
    MIOOS_HEAP_DOUBLE_FREE = 7,
    MIOOS_HEAP_HEADER_CORRUPTED = 8,
    MIOOS_HEAP_BLOCK_ORDER_BROKEN = 9,
    MIOOS_HEAP_ADJACENT_FREE_BLOCKS = 10,
    MIOOS_HEAP_TOTALS_MISMATCH = 11,
    MIOOS_HEAP_TREE_MISMATCH = 12,
    MIOOS_HEAP_CONTROL_CORRUPTED = 13,
    MIOOS_HEAP_CROSS_CHECK_MISMATCH = 14,
    MIOOS_HEAP_BAD_GROWTH = 15,
};

/* The largest request the heap accepts (HeapLayout.MaxRequest). */
#define MIOOS_HEAP_MAX_REQUEST 0x7FFF0000u

/* The heap's granule in this library (HeapLayout.MallocGranule): every pointer is 16-byte aligned. */
#define MIOOS_HEAP_GRANULE 16u

/* Api/HeapEntryPoints.cs HeapFigures, field for field. */
struct mioos_heap_figures {
    uint32_t size_bytes;
    uint32_t used_bytes;
    uint32_t blocks;
    uint32_t in_use_extent;
    uint32_t peak_in_use_extent;
    uint32_t segments;
    uint32_t grows;
    uint32_t releases;
    uint32_t misuse_count;
    uint32_t last_misuse;
    uint32_t last_misuse_address;
};

uint32_t mioos_heap_create(unsigned char *window, uint64_t limit, uint32_t start, uint32_t length);
uint32_t mioos_heap_malloc(uint32_t size);
uint32_t mioos_heap_calloc(uint32_t count, uint32_t size);
uint32_t mioos_heap_realloc(uint32_t pointer, uint32_t size, uint32_t *status);
uint32_t mioos_heap_aligned(uint32_t size, uint32_t alignment);
uint32_t mioos_heap_free(uint32_t pointer);
uint32_t mioos_heap_usable(uint32_t pointer);
uint32_t mioos_heap_check(uint32_t *address);
void mioos_heap_figures(struct mioos_heap_figures *figures);

/* window.c: the reserved address range the heap's offsets are in. */
#define MIOOS_WINDOW_BYTES (1ull << 32)
extern unsigned char *mioos_window_base;
int mioos_window_reserve(uint32_t initial_start, uint32_t initial_length);
int mioos_window_grow(uint32_t min_bytes, uint32_t *start, uint32_t *length);
void mioos_window_release(uint32_t start, uint32_t length);
uint64_t mioos_window_peak_committed(void);

/* report.c: lines on stderr without stdio (no allocation, usable from inside malloc). */
struct mioos_line {
    char text[512];
    unsigned length;
};
void mioos_line_text(struct mioos_line *line, const char *text);
void mioos_line_number(struct mioos_line *line, uint64_t value);
void mioos_line_hex(struct mioos_line *line, uint64_t value);
void mioos_line_write(struct mioos_line *line);
void mioos_report_keep_stderr(void);
const char *mioos_status_name(uint32_t status);

#endif
