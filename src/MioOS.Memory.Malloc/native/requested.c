/* The statistics' requested bytes: the size each live block was asked for, kept beside the window (the heap keeps
 * block sizes, not requests). A table of one 32-bit word per granule of the window, reserved once with
 * MAP_NORESERVE and filled in by the kernel's zero pages as blocks touch it, only while MIOOS_MALLOC_STATS=1. A
 * slot is non-zero only for a live block's start: it is written when the block is handed out and taken back
 * (read and zeroed) before the block goes back to the heap, while the caller still owns it, so no other thread
 * can be handed the same start in between. */
#include <sys/mman.h>

#include "library.h"

#define SLOTS (MIOOS_WINDOW_BYTES / MIOOS_HEAP_GRANULE)

static uint32_t *table;      /* the slots, or 0 before the first use (and for good if the reservation failed) */
static int reserve_state;    /* 0 not tried, 1 reserving, 2 done */
static uint64_t live;        /* requested bytes of the blocks handed out and not yet taken back */
static uint64_t peak;

static uint32_t *slots(void)
{
    uint32_t *t = __atomic_load_n(&table, __ATOMIC_ACQUIRE);
    if (__builtin_expect(t != 0, 1))
        return t;
    int expected = 0;
    if (__atomic_compare_exchange_n(&reserve_state, &expected, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        void *p = mmap(0, (size_t)SLOTS * sizeof(uint32_t), PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        __atomic_store_n(&table, p == MAP_FAILED ? (uint32_t *)0 : (uint32_t *)p, __ATOMIC_RELEASE);
        __atomic_store_n(&reserve_state, 2, __ATOMIC_RELEASE);
    }
    while (__atomic_load_n(&reserve_state, __ATOMIC_ACQUIRE) != 2)
        ;
    return __atomic_load_n(&table, __ATOMIC_ACQUIRE);
}

void mioos_requested_give(void *pointer, size_t size)
{
    uint32_t offset;
    if (!mioos_statistics_on() || pointer == 0 || !mioos_offset_of(pointer, &offset))
        return;
    uint32_t *t = slots();
    if (t == 0)
        return;
    /* A request of 0 bytes (malloc(0)) counts 0 and leaves its slot 0. */
    t[offset / MIOOS_HEAP_GRANULE] = (uint32_t)size;
    uint64_t now = __atomic_add_fetch(&live, size, __ATOMIC_RELAXED);
    uint64_t seen = __atomic_load_n(&peak, __ATOMIC_RELAXED);
    while (now > seen && !__atomic_compare_exchange_n(&peak, &seen, now, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
}

uint32_t mioos_requested_take(const void *pointer)
{
    uint32_t offset;
    uint32_t *t = __atomic_load_n(&table, __ATOMIC_ACQUIRE);
    if (t == 0 || pointer == 0 || !mioos_offset_of(pointer, &offset) || offset % MIOOS_HEAP_GRANULE != 0)
        return 0;
    uint32_t size = __atomic_exchange_n(&t[offset / MIOOS_HEAP_GRANULE], 0, __ATOMIC_RELAXED);
    __atomic_sub_fetch(&live, size, __ATOMIC_RELAXED);
    return size;
}

void mioos_requested_restore(void *pointer, uint32_t size)
{
    if (size != 0)
        mioos_requested_give(pointer, size);
}

uint64_t mioos_requested_peak(void)
{
    return __atomic_load_n(&peak, __ATOMIC_RELAXED);
}
