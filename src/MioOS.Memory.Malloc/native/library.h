/* The library's state shared by the exported functions (malloc.c) and its life cycle (library.c): start-up, the
 * lock, the options read from the environment, the counters, misuse, fork and the report at exit. */
#ifndef MIOOS_MALLOC_LIBRARY_H
#define MIOOS_MALLOC_LIBRARY_H

#include <stddef.h>
#include <stdint.h>

#include "heap.h"

/* The exported functions, in the order of the statistics line. */
enum mioos_call {
    MIOOS_CALL_MALLOC,
    MIOOS_CALL_FREE,
    MIOOS_CALL_CALLOC,
    MIOOS_CALL_REALLOC,
    MIOOS_CALL_REALLOCARRAY,
    MIOOS_CALL_POSIX_MEMALIGN,
    MIOOS_CALL_ALIGNED_ALLOC,
    MIOOS_CALL_MEMALIGN,
    MIOOS_CALL_VALLOC,
    MIOOS_CALL_PVALLOC,
    MIOOS_CALL_USABLE_SIZE,
    MIOOS_CALLS
};

/* Counts the call (starting the heap on the first one); 0 when the heap could not start. */
int mioos_begin(enum mioos_call call);

/* After a call: the figures the statistics need, the periodic integrity walk (each takes the heap's lock). */
void mioos_end(void);

/* A call refused for misuse (status: a heap status): counted and remembered; with MIOOS_MALLOC_ABORT=1, one line
 * and abort. */
void mioos_refused(enum mioos_call call, uint32_t status, const void *pointer);

/* True with MIOOS_MALLOC_STATS=1. */
int mioos_statistics_on(void);

/* requested.c: the requested bytes of the live blocks, exactly, for the statistics line (nothing without it).
 * give: a block was handed out for a request of size bytes; take: before a block goes back (a free, or the old
 * block of a realloc), returns what it was asked for and forgets it; restore: the block stayed after all (the free
 * or realloc was refused or failed). */
void mioos_requested_give(void *pointer, size_t size);
uint32_t mioos_requested_take(const void *pointer);
void mioos_requested_restore(void *pointer, uint32_t size);
uint64_t mioos_requested_peak(void);

/* lock.c: the heap's lock (the futex behind the core's LayerLock hook), for fork. */
void mioos_futex_lock(int *word);
void mioos_futex_unlock(int *word);
void mioos_heap_hold(void);
void mioos_heap_let_go(void);
void mioos_heap_reset_in_child(void);

/* A pointer's heap offset: 0 when it is not inside the window (the heap would not know it either). */
static inline int mioos_offset_of(const void *pointer, uint32_t *offset)
{
    uintptr_t p = (uintptr_t)pointer, base = (uintptr_t)mioos_window_base;
    if (p <= base || p - base >= MIOOS_WINDOW_BYTES)
        return 0;
    *offset = (uint32_t)(p - base);
    return 1;
}

static inline void *mioos_pointer_of(uint32_t offset)
{
    return offset == 0 ? (void *)0 : mioos_window_base + offset;
}

#endif
