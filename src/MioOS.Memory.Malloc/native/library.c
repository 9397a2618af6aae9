/* The library's life cycle: the heap starts on the first call (which may come before any constructor ran: the
 * dynamic loader, dlsym, early libc calls), without calling malloc itself; options come from the environment;
 * fork keeps the child's heap usable; misuse is refused and counted, or aborts; the report at exit. */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include "library.h"

/* Where the heap lies in the window: its control block at 64 KiB (offsets below stay unmapped, so a small offset
 * read as a pointer faults), the initial segment up to 1 MiB past it, never given back. */
#define HEAP_START (64u * 1024)
#define HEAP_INITIAL (1024u * 1024)

enum { NOT_STARTED, STARTING, READY, FAILED };

static int state = NOT_STARTED;
static int refusal_lock;   /* a spin lock for the last refusal's three fields (a rare path) */

static struct {
    int stats;                 /* MIOOS_MALLOC_STATS=1: the statistics line at exit */
    int abort_on_misuse;       /* MIOOS_MALLOC_ABORT=1: one line and abort on a refused free or realloc */
    uint64_t check_every;      /* MIOOS_MALLOC_CHECK=N: the integrity walk every N calls and at exit */
    int debug;                 /* MIOOS_MALLOC_DEBUG=1: the heap's debug option (tail canaries, freed blocks poisoned) */
    int read;                  /* the environment was read */
} options;

static struct {
    uint64_t calls[MIOOS_CALLS];
    uint64_t total_calls;
    uint64_t refused;
    enum mioos_call last_refused_call;
    uint32_t last_refused_status;
    const void *last_refused_pointer;
} counters;

static const char *const call_names[MIOOS_CALLS] = {
    "malloc", "free", "calloc", "realloc", "reallocarray", "posix_memalign", "aligned_alloc", "memalign",
    "valloc", "pvalloc", "malloc_usable_size",
};

static uint64_t parse_number(const char *text)
{
    uint64_t value = 0;
    for (; *text >= '0' && *text <= '9'; text++)
        value = value * 10 + (uint64_t)(*text - '0');
    return value;
}

/* getenv allocates nothing; before libc has set up environ (calls from the dynamic loader) it finds nothing, and
 * the constructor reads the options again. */
static void read_options(void)
{
    const char *stats = getenv("MIOOS_MALLOC_STATS");
    const char *abort_on = getenv("MIOOS_MALLOC_ABORT");
    const char *check = getenv("MIOOS_MALLOC_CHECK");
    const char *debug = getenv("MIOOS_MALLOC_DEBUG");
    options.debug = debug && debug[0] == '1';
    options.stats = stats && stats[0] == '1';
    options.abort_on_misuse = abort_on && abort_on[0] == '1';
    options.check_every = check ? parse_number(check) : 0;
    options.read = 1;
}

static int start(void)
{
    int expected = NOT_STARTED;
    if (__atomic_compare_exchange_n(&state, &expected, STARTING, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        if (!options.read)
            read_options(); /* before the heap is laid: the debug option is fixed when it is made */
        int ok = mioos_window_reserve(HEAP_START, HEAP_INITIAL)
            && mioos_heap_create(mioos_window_base, MIOOS_WINDOW_BYTES, HEAP_START, HEAP_INITIAL,
                                 options.debug ? MIOOS_HEAP_DEBUG : 0) == MIOOS_HEAP_OK;
        __atomic_store_n(&state, ok ? READY : FAILED, __ATOMIC_RELEASE);
        return ok;
    }
    while ((expected = __atomic_load_n(&state, __ATOMIC_ACQUIRE)) == STARTING)
        sched_yield();
    return expected == READY;
}

static void check_heap(const char *when)
{
    uint32_t address = 0;
    uint32_t status = mioos_heap_check(&address);
    if (status == MIOOS_HEAP_OK)
        return;
    struct mioos_line line = { .length = 0 };
    mioos_line_text(&line, "mioos_malloc: heap check failed ");
    mioos_line_text(&line, when);
    mioos_line_text(&line, ": ");
    mioos_line_text(&line, mioos_status_name(status));
    mioos_line_text(&line, " at ");
    mioos_line_hex(&line, (uintptr_t)mioos_pointer_of(address));
    mioos_line_write(&line);
    abort();
}

int mioos_begin(enum mioos_call call)
{
    if (__builtin_expect(__atomic_load_n(&state, __ATOMIC_ACQUIRE) != READY, 0) && !start())
        return 0;
    /* Counted whatever the options say: a program's first calls can come before the environment is readable
     * (a .preinit_array function's do: options are read again by the constructor), and the report counts them. */
    __atomic_fetch_add(&counters.calls[call], 1, __ATOMIC_RELAXED);
    return 1;
}

int mioos_statistics_on(void)
{
    return options.stats;
}

void mioos_end(void)
{
    if (__builtin_expect(options.check_every != 0, 0)) {
        uint64_t calls = __atomic_add_fetch(&counters.total_calls, 1, __ATOMIC_RELAXED);
        if (calls % options.check_every == 0) {
            struct mioos_line line = { .length = 0 };
            mioos_line_text(&line, "after call ");
            mioos_line_number(&line, calls);
            line.text[line.length] = 0;
            check_heap(line.text);
        }
    }
}

static void describe_refusal(struct mioos_line *line, enum mioos_call call, uint32_t status, const void *pointer)
{
    mioos_line_text(line, call_names[call]);
    mioos_line_text(line, "(): ");
    mioos_line_text(line, mioos_status_name(status));
    mioos_line_text(line, " at ");
    mioos_line_hex(line, (uintptr_t)pointer);
}

void mioos_refused(enum mioos_call call, uint32_t status, const void *pointer)
{
    while (__atomic_exchange_n(&refusal_lock, 1, __ATOMIC_ACQUIRE) != 0)
        sched_yield();
    counters.refused++;
    counters.last_refused_call = call;
    counters.last_refused_status = status;
    counters.last_refused_pointer = pointer;
    __atomic_store_n(&refusal_lock, 0, __ATOMIC_RELEASE);
    if (options.abort_on_misuse) {
        struct mioos_line line = { .length = 0 };
        mioos_line_text(&line, "mioos_malloc: ");
        describe_refusal(&line, call, status, pointer);
        mioos_line_write(&line);
        abort();
    }
}

/* fork: the child gets the heap as the parent's threads left it, so the heap's lock is taken before the fork (no
 * other thread is inside the heap then) and released on both sides after. */
static void before_fork(void)
{
    mioos_heap_hold();
}

static void after_fork_parent(void)
{
    mioos_heap_let_go();
}

static void after_fork_child(void)
{
    mioos_heap_reset_in_child();
    refusal_lock = 0;
}

__attribute__((constructor)) static void library_start(void)
{
    read_options();
    if (options.stats)
        mioos_report_keep_stderr();
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}

static void report(void)
{
    struct mioos_heap_figures f;
    mioos_heap_figures(&f);
    struct mioos_line line = { .length = 0 };
    mioos_line_text(&line, "mioos_malloc: pid ");
    mioos_line_number(&line, (uint64_t)getpid());
    mioos_line_text(&line, ":");
    for (int i = 0; i < MIOOS_CALLS; i++) {
        mioos_line_text(&line, " ");
        mioos_line_text(&line, call_names[i]);
        mioos_line_text(&line, " ");
        mioos_line_number(&line, counters.calls[i]);
    }
    mioos_line_text(&line, "; peak heap ");
    mioos_line_number(&line, f.peak_in_use_extent);
    mioos_line_text(&line, " bytes, peak requested ");
    mioos_line_number(&line, mioos_requested_peak());
    mioos_line_text(&line, " bytes, peak committed ");
    mioos_line_number(&line, mioos_window_peak_committed());
    mioos_line_text(&line, " bytes; segments ");
    mioos_line_number(&line, f.segments);
    mioos_line_text(&line, " (grown ");
    mioos_line_number(&line, f.grows);
    mioos_line_text(&line, ", released ");
    mioos_line_number(&line, f.releases);
    mioos_line_text(&line, "); refused ");
    mioos_line_number(&line, counters.refused);
    mioos_line_write(&line);
}

__attribute__((destructor)) static void library_stop(void)
{
    if (__atomic_load_n(&state, __ATOMIC_ACQUIRE) != READY)
        return;
    if (options.check_every != 0)
        check_heap("at exit");
    if (options.stats)
        report();
    if (counters.refused != 0) {
        struct mioos_line line = { .length = 0 };
        mioos_line_text(&line, "mioos_malloc: ");
        mioos_line_number(&line, counters.refused);
        mioos_line_text(&line, " refused calls, the last ");
        describe_refusal(&line, counters.last_refused_call, counters.last_refused_status,
                         counters.last_refused_pointer);
        mioos_line_write(&line);
    }
}
