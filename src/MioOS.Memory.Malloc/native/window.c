/* The address window: 4 GiB of address space reserved once (mmap PROT_NONE, MAP_NORESERVE), in which the heap's
 * 32-bit addresses are offsets. The heap's growth source (Api/WindowGrowth.cs) takes ranges from here: made
 * readable and writable (mprotect) when handed out, returned to the system (madvise MADV_DONTNEED, then PROT_NONE)
 * when the heap gives a segment back. Never munmap inside the window: another mapping could take the hole.
 * Called with the library's lock held (or before any thread can exist, for the reservation). */
#include <sys/mman.h>

#include "heap.h"

#define PAGE 4096u

/* The ranges handed back, kept for reuse: sorted by start, neighbours merged. A range that does not fit in the
 * table stays returned to the system but is never handed out again (address space only: 4 GiB is plenty). */
#define RELEASED_SLOTS 256

unsigned char *mioos_window_base;

static uint32_t window_top;        /* the first offset never handed out */
static uint32_t window_limit;      /* the window's usable end */
static uint64_t committed;         /* bytes readable and writable now */
static uint64_t peak_committed;

static struct { uint32_t start, length; } released[RELEASED_SLOTS];
static int released_count;

static void account(int64_t delta)
{
    committed = (uint64_t)((int64_t)committed + delta);
    if (committed > peak_committed)
        peak_committed = committed;
}

int mioos_window_reserve(uint32_t initial_start, uint32_t initial_length)
{
    void *base = mmap(0, MIOOS_WINDOW_BYTES, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED)
        return 0;
    if (mprotect((unsigned char *)base + initial_start, initial_length, PROT_READ | PROT_WRITE) != 0) {
        munmap(base, MIOOS_WINDOW_BYTES);
        return 0;
    }
    mioos_window_base = base;
    window_top = initial_start + initial_length;
    window_limit = (uint32_t)(MIOOS_WINDOW_BYTES - PAGE);
    account(initial_length);
    return 1;
}

static int commit(uint32_t start, uint32_t length)
{
    if (mprotect(mioos_window_base + start, length, PROT_READ | PROT_WRITE) != 0)
        return 0;
    account(length);
    return 1;
}

int mioos_window_grow(uint32_t min_bytes, uint32_t *start, uint32_t *length)
{
    uint32_t want = (min_bytes + PAGE - 1) & ~(PAGE - 1);
    if (want == 0 || want < min_bytes)
        return 0;
    /* The lowest handed-back range that holds it (keeps the heap low, like the kernel's PMM first fit). */
    for (int i = 0; i < released_count; i++) {
        if (released[i].length < want)
            continue;
        uint32_t at = released[i].start;
        if (!commit(at, want))
            return 0;
        released[i].start += want;
        released[i].length -= want;
        if (released[i].length == 0) {
            for (int j = i; j + 1 < released_count; j++)
                released[j] = released[j + 1];
            released_count--;
        }
        *start = at;
        *length = want;
        return 1;
    }
    if (window_limit - window_top < want || !commit(window_top, want))
        return 0;
    *start = window_top;
    *length = want;
    window_top += want;
    return 1;
}

void mioos_window_release(uint32_t start, uint32_t length)
{
    madvise(mioos_window_base + start, length, MADV_DONTNEED);
    mprotect(mioos_window_base + start, length, PROT_NONE);
    account(-(int64_t)length);
    if (start + length == window_top) {
        window_top = start;
        /* A handed-back range that now ends at the top joins it. */
        if (released_count > 0
            && released[released_count - 1].start + released[released_count - 1].length == window_top) {
            window_top = released[released_count - 1].start;
            released_count--;
        }
        return;
    }
    int at = 0;
    while (at < released_count && released[at].start < start)
        at++;
    int merged_before = at > 0 && released[at - 1].start + released[at - 1].length == start;
    int merged_after = at < released_count && start + length == released[at].start;
    if (merged_before && merged_after) {
        released[at - 1].length += length + released[at].length;
        for (int j = at; j + 1 < released_count; j++)
            released[j] = released[j + 1];
        released_count--;
    } else if (merged_before) {
        released[at - 1].length += length;
    } else if (merged_after) {
        released[at].start = start;
        released[at].length += length;
    } else if (released_count < RELEASED_SLOTS) {
        for (int j = released_count; j > at; j--)
            released[j] = released[j - 1];
        released[at].start = start;
        released[at].length = length;
        released_count++;
    }
}

uint64_t mioos_window_peak_committed(void)
{
    return peak_committed;
}
