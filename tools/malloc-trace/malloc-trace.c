/* An LD_PRELOAD shim that records one process's heap calls in the trace format of data/traces/README.md.
 *
 *   MIOOS_TRACE_FILE=out.trace LD_PRELOAD=malloc-trace.so PROGRAM ARGS...
 *
 * Every call goes on to glibc's own allocator (__libc_malloc and friends), so the program behaves as it does
 * without the shim; the shim only writes one line per call. What it guarantees about the trace:
 * - IDs are dense and 0-based in the order blocks first appear; a successful realloc gives a new ID.
 * - A call and its line are made under one lock, so the order of lines is an order in which the calls could
 *   have happened (a block freed by one thread and handed to another is logged free first).
 * - Only the process that opened the file writes to it: the variable is removed from the environment at start
 *   (programs it starts are not traced, and do not truncate the file), and a forked child stops tracing.
 * - Not logged: free(NULL), frees and reallocs of pointers the shim never saw handed out (blocks from before
 *   the shim started), failed calls. realloc(p, 0), which frees p on glibc, is logged as a free. realloc of a
 *   pointer from before the shim started is logged as a malloc of the new block.
 * The shim itself never calls malloc: its pointer table and output buffer are mmap'd. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void __libc_free(void *pointer);
extern void *__libc_memalign(size_t alignment, size_t size);

#define EXPORT __attribute__((visibility("default")))

/* The live blocks: pointer -> ID, open addressing with linear probing and backward-shift deletion (no
 * tombstones, so the table never fills with dead slots). 2^24 slots reserved, touched only where used. */
#define TABLE_BITS 24
#define TABLE_SLOTS (1ul << TABLE_BITS)
struct slot {
    uintptr_t pointer; /* 0: empty */
    uint64_t id;
};
static struct slot *table;
static uint64_t live_count;
static uint64_t next_id;

static int out_fd = -1;
static pid_t traced_pid;
static atomic_flag busy = ATOMIC_FLAG_INIT;

#define BUFFER_BYTES (1u << 20)
#define LINE_MAX_BYTES 96
static char *buffer;
static size_t buffered;
static int finished; /* after the destructor: every line is written at once */

static void lock(void)
{
    while (atomic_flag_test_and_set_explicit(&busy, memory_order_acquire))
        sched_yield();
}

static void unlock(void)
{
    atomic_flag_clear_explicit(&busy, memory_order_release);
}

static int tracing(void)
{
    return out_fd >= 0 && getpid() == traced_pid;
}

static size_t slot_of(uintptr_t pointer)
{
    /* Fibonacci hashing: allocator addresses differ mostly in their middle bits. */
    return (size_t)((pointer * 0x9E3779B97F4A7C15ull) >> (64 - TABLE_BITS));
}

static void remember(void *pointer, uint64_t id)
{
    if (live_count + 1 >= TABLE_SLOTS / 2)
        return; /* a table this full would be slow; such a block is simply never seen freed */
    size_t i = slot_of((uintptr_t)pointer);
    while (table[i].pointer != 0 && table[i].pointer != (uintptr_t)pointer)
        i = (i + 1) & (TABLE_SLOTS - 1);
    if (table[i].pointer == 0)
        live_count++;
    table[i].pointer = (uintptr_t)pointer;
    table[i].id = id;
}

/* Removes the pointer; returns 1 and its ID if it was live. */
static int forget(void *pointer, uint64_t *id)
{
    size_t i = slot_of((uintptr_t)pointer);
    while (table[i].pointer != (uintptr_t)pointer) {
        if (table[i].pointer == 0)
            return 0;
        i = (i + 1) & (TABLE_SLOTS - 1);
    }
    *id = table[i].id;
    live_count--;
    /* Backward shift: move later members of the probe run into the hole when their home allows it. */
    size_t hole = i;
    for (size_t j = (i + 1) & (TABLE_SLOTS - 1); table[j].pointer != 0; j = (j + 1) & (TABLE_SLOTS - 1)) {
        size_t home = slot_of(table[j].pointer);
        int home_outside = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
        if (home_outside) {
            table[hole] = table[j];
            hole = j;
        }
    }
    table[hole].pointer = 0;
    return 1;
}

static void flush(void)
{
    size_t done = 0;
    while (done < buffered) {
        ssize_t n = write(out_fd, buffer + done, buffered - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    buffered = 0;
}

static char *put_number(char *at, uint64_t value)
{
    char digits[20];
    int n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (n > 0)
        *at++ = digits[--n];
    return at;
}

/* One line: the letter, then the fields; a field of UINT64_MAX is written "-". */
static void line(char letter, int count, uint64_t a, uint64_t b, uint64_t c)
{
    if (buffered + LINE_MAX_BYTES > BUFFER_BYTES)
        flush();
    char *at = buffer + buffered;
    *at++ = letter;
    uint64_t fields[3] = {a, b, c};
    for (int i = 0; i < count; i++) {
        *at++ = ' ';
        if (fields[i] == UINT64_MAX)
            *at++ = '-';
        else
            at = put_number(at, fields[i]);
    }
    *at++ = '\n';
    buffered = (size_t)(at - buffer);
    if (finished)
        flush();
}

static uint64_t born(void *pointer)
{
    uint64_t id = next_id++;
    remember(pointer, id);
    return id;
}

static void before_fork(void)
{
    lock();
}

static void after_fork_parent(void)
{
    unlock();
}

static void after_fork_child(void)
{
    unlock(); /* getpid() differs now, so the child never writes to the parent's trace */
}

__attribute__((constructor(101))) static void start(void)
{
    const char *path = getenv("MIOOS_TRACE_FILE");
    if (path == 0 || *path == 0)
        return;
    table = mmap(0, TABLE_SLOTS * sizeof(struct slot), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    buffer = mmap(0, BUFFER_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (table == MAP_FAILED || buffer == MAP_FAILED)
        return;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    unsetenv("MIOOS_TRACE_FILE");
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
    traced_pid = getpid();
    out_fd = fd;
}

__attribute__((destructor(101))) static void finish(void)
{
    if (!tracing())
        return;
    lock();
    flush();
    finished = 1;
    unlock();
}

EXPORT void *malloc(size_t size)
{
    if (!tracing())
        return __libc_malloc(size);
    lock();
    void *p = __libc_malloc(size);
    if (p != 0)
        line('m', 2, born(p), size, 0);
    unlock();
    return p;
}

EXPORT void *calloc(size_t count, size_t size)
{
    if (!tracing())
        return __libc_calloc(count, size);
    lock();
    void *p = __libc_calloc(count, size);
    if (p != 0)
        line('c', 3, born(p), count, size);
    unlock();
    return p;
}

EXPORT void free(void *pointer)
{
    if (!tracing() || pointer == 0) {
        __libc_free(pointer);
        return;
    }
    lock();
    uint64_t id;
    if (forget(pointer, &id))
        line('f', 1, id, 0, 0);
    __libc_free(pointer);
    unlock();
}

EXPORT void *realloc(void *pointer, size_t size)
{
    if (!tracing())
        return __libc_realloc(pointer, size);
    lock();
    if (pointer != 0 && size == 0) {
        uint64_t id;
        if (forget(pointer, &id))
            line('f', 1, id, 0, 0);
        void *none = __libc_realloc(pointer, 0);
        unlock();
        return none;
    }
    void *p = __libc_realloc(pointer, size);
    if (p != 0) {
        uint64_t old;
        if (pointer == 0)
            line('r', 3, UINT64_MAX, born(p), size);
        else if (forget(pointer, &old))
            line('r', 3, old, born(p), size);
        else
            line('m', 2, born(p), size, 0);
    }
    unlock();
    return p;
}

static void *aligned(size_t alignment, size_t size)
{
    if (!tracing())
        return __libc_memalign(alignment, size);
    lock();
    void *p = __libc_memalign(alignment, size);
    if (p != 0)
        line('a', 3, born(p), alignment, size);
    unlock();
    return p;
}

static int power_of_two(size_t n)
{
    return n != 0 && (n & (n - 1)) == 0;
}

EXPORT int posix_memalign(void **result, size_t alignment, size_t size)
{
    if (!power_of_two(alignment) || alignment % sizeof(void *) != 0)
        return EINVAL;
    void *p = aligned(alignment, size);
    if (p == 0)
        return ENOMEM;
    *result = p;
    return 0;
}

EXPORT void *aligned_alloc(size_t alignment, size_t size)
{
    if (!power_of_two(alignment)) {
        errno = EINVAL;
        return 0;
    }
    return aligned(alignment, size);
}

EXPORT void *memalign(size_t alignment, size_t size)
{
    return aligned(alignment, size);
}

EXPORT void *valloc(size_t size)
{
    return aligned((size_t)sysconf(_SC_PAGESIZE), size);
}

EXPORT void *pvalloc(size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return aligned(page, (size + page - 1) & ~(page - 1));
}
