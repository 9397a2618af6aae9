/* The exported malloc API with its C and POSIX semantics, over the heap (heap.h). Each function checks what the
 * heap cannot see (size_t beyond 32 bits, overflow, alignment rules, pointers outside the window), counts the
 * call (library.c), calls the heap (which takes its lock), and turns its answer into C's (NULL and errno ENOMEM; a status for
 * posix_memalign). As glibc's: malloc(0) and realloc(NULL, 0) return a unique pointer, realloc(p, 0) frees p and
 * returns NULL, every pointer is 16-byte aligned (x86-64's max_align_t). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "library.h"

#define EXPORT __attribute__((visibility("default")))

#define PAGE 4096u

/* A request of 0 bytes takes the smallest block (a unique pointer, as glibc's malloc(0)). */
static inline uint32_t request_of(size_t size)
{
    return size == 0 ? 1 : (uint32_t)size;
}

static void *allocate(size_t size)
{
    if (size > MIOOS_HEAP_MAX_REQUEST)
        return 0;
    void *p = mioos_pointer_of(mioos_heap_malloc(request_of(size)));
    mioos_requested_give(p, size);
    return p;
}

/* alignment: a power of two. */
static void *allocate_aligned(size_t alignment, size_t size)
{
    if (alignment <= MIOOS_HEAP_GRANULE)
        return allocate(size);
    if (size > MIOOS_HEAP_MAX_REQUEST || alignment > (1u << 31))
        return 0;
    void *p = mioos_pointer_of(mioos_heap_aligned(request_of(size), (uint32_t)alignment));
    mioos_requested_give(p, size);
    return p;
}

static void release(enum mioos_call call, void *pointer)
{
    uint32_t offset;
    if (!mioos_offset_of(pointer, &offset)) {
        mioos_refused(call, MIOOS_HEAP_FOREIGN_POINTER, pointer);
        return;
    }
    uint32_t asked = mioos_requested_take(pointer);
    uint32_t status = mioos_heap_free(offset);
    if (status != MIOOS_HEAP_OK) {
        mioos_requested_restore(pointer, asked);
        mioos_refused(call, status, pointer);
    }
}

/* realloc of a live pointer to a size above 0; NULL with errno set on failure (the old block untouched). */
static void *resize(enum mioos_call call, void *pointer, size_t size)
{
    uint32_t offset;
    if (!mioos_offset_of(pointer, &offset)) {
        mioos_refused(call, MIOOS_HEAP_FOREIGN_POINTER, pointer);
        errno = EINVAL;
        return 0;
    }
    if (size > MIOOS_HEAP_MAX_REQUEST) {
        errno = ENOMEM;
        return 0;
    }
    uint32_t status = MIOOS_HEAP_OK;
    uint32_t asked = mioos_requested_take(pointer);
    uint32_t moved = mioos_heap_realloc(offset, (uint32_t)size, &status);
    if (moved != 0) {
        mioos_requested_give(mioos_pointer_of(moved), size);
        return mioos_pointer_of(moved);
    }
    mioos_requested_restore(pointer, asked);
    if (status == MIOOS_HEAP_OUT_OF_MEMORY || status == MIOOS_HEAP_SIZE_OVERFLOW) {
        errno = ENOMEM;
    } else {
        mioos_refused(call, status, pointer);
        errno = EINVAL;
    }
    return 0;
}

static void *reallocate(enum mioos_call call, void *pointer, size_t size)
{
    if (!mioos_begin(call)) {
        errno = ENOMEM;
        return 0;
    }
    void *result;
    if (pointer == 0) {
        result = allocate(size);
        if (result == 0)
            errno = ENOMEM;
    } else if (size == 0) {
        release(call, pointer);
        result = 0;
    } else {
        result = resize(call, pointer, size);
    }
    mioos_end();
    return result;
}

EXPORT void *malloc(size_t size)
{
    if (!mioos_begin(MIOOS_CALL_MALLOC)) {
        errno = ENOMEM;
        return 0;
    }
    void *result = allocate(size);
    mioos_end();
    if (result == 0)
        errno = ENOMEM;
    return result;
}

EXPORT void free(void *pointer)
{
    if (!mioos_begin(MIOOS_CALL_FREE))
        return;
    if (pointer != 0)
        release(MIOOS_CALL_FREE, pointer);
    mioos_end();
}

EXPORT void *calloc(size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total) || total > MIOOS_HEAP_MAX_REQUEST) {
        if (mioos_begin(MIOOS_CALL_CALLOC))
            mioos_end();
        errno = ENOMEM;
        return 0;
    }
    if (!mioos_begin(MIOOS_CALL_CALLOC)) {
        errno = ENOMEM;
        return 0;
    }
    void *result = allocate(total);
    mioos_end();
    if (result == 0) {
        errno = ENOMEM;
        return 0;
    }
    /* Zeroed outside the heap's lock, with libc's vectorised memset (the heap's own kcalloc zeroes a byte at a time, as
     * its checked window needs). */
    memset(result, 0, total);
    return result;
}

EXPORT void *realloc(void *pointer, size_t size)
{
    return reallocate(MIOOS_CALL_REALLOC, pointer, size);
}

EXPORT void *reallocarray(void *pointer, size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        if (mioos_begin(MIOOS_CALL_REALLOCARRAY))
            mioos_end();
        errno = ENOMEM;
        return 0;
    }
    return reallocate(MIOOS_CALL_REALLOCARRAY, pointer, total);
}

static void *aligned_call(enum mioos_call call, size_t alignment, size_t size)
{
    if (!mioos_begin(call)) {
        errno = ENOMEM;
        return 0;
    }
    void *result = allocate_aligned(alignment, size);
    mioos_end();
    if (result == 0)
        errno = ENOMEM;
    return result;
}

static inline int power_of_two(size_t value)
{
    return value != 0 && (value & (value - 1)) == 0;
}

/* POSIX: the alignment a power of two multiple of sizeof(void *), else EINVAL; ENOMEM when nothing fits; errno
 * and *result untouched either way. */
EXPORT int posix_memalign(void **result, size_t alignment, size_t size)
{
    if (!power_of_two(alignment) || alignment % sizeof(void *) != 0) {
        if (mioos_begin(MIOOS_CALL_POSIX_MEMALIGN))
            mioos_end();
        return EINVAL;
    }
    int saved = errno;
    void *p = aligned_call(MIOOS_CALL_POSIX_MEMALIGN, alignment, size);
    errno = saved;
    if (p == 0)
        return ENOMEM;
    *result = p;
    return 0;
}

/* C17 and POSIX: an alignment that is not a power of two is refused with EINVAL (as glibc since 2.38). */
EXPORT void *aligned_alloc(size_t alignment, size_t size)
{
    if (!power_of_two(alignment)) {
        if (mioos_begin(MIOOS_CALL_ALIGNED_ALLOC))
            mioos_end();
        errno = EINVAL;
        return 0;
    }
    return aligned_call(MIOOS_CALL_ALIGNED_ALLOC, alignment, size);
}

/* As glibc's: an alignment that is not a power of two is rounded up to one; above SIZE_MAX / 2 + 1, EINVAL. */
EXPORT void *memalign(size_t alignment, size_t size)
{
    if (alignment > SIZE_MAX / 2 + 1) {
        if (mioos_begin(MIOOS_CALL_MEMALIGN))
            mioos_end();
        errno = EINVAL;
        return 0;
    }
    size_t rounded = MIOOS_HEAP_GRANULE;
    while (rounded < alignment)
        rounded <<= 1;
    return aligned_call(MIOOS_CALL_MEMALIGN, rounded, size);
}

EXPORT void *valloc(size_t size)
{
    return aligned_call(MIOOS_CALL_VALLOC, PAGE, size);
}

/* The size rounded up to whole pages (overflow: ENOMEM), page-aligned. */
EXPORT void *pvalloc(size_t size)
{
    if (size > SIZE_MAX - (PAGE - 1)) {
        if (mioos_begin(MIOOS_CALL_PVALLOC))
            mioos_end();
        errno = ENOMEM;
        return 0;
    }
    return aligned_call(MIOOS_CALL_PVALLOC, PAGE, (size + PAGE - 1) & ~(size_t)(PAGE - 1));
}

EXPORT size_t malloc_usable_size(void *pointer)
{
    if (pointer == 0)
        return 0;
    uint32_t offset;
    if (!mioos_begin(MIOOS_CALL_USABLE_SIZE))
        return 0;
    size_t size = mioos_offset_of(pointer, &offset) ? mioos_heap_usable(offset) : 0;
    mioos_end();
    return size;
}
