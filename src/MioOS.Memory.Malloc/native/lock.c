/* The heap's lock (installed into the core's LayerLock hook by Api/FutexLock.cs): the hook's word protocol (0 free,
 * 1 held; taken by compare-and-exchange, released by exchange) with a futex under it. A waiter spins briefly, then
 * sleeps in the kernel (FUTEX_WAIT while the word is 1), so a thread preempted while holding the heap does not
 * make the others burn their cores; the releaser wakes one only when someone sleeps (the waiter count), so an
 * uncontended call costs two atomic instructions and no system call. errno is left as it was. */
#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "library.h"

#define SPINS 100

static int sleepers;
static int *heap_word;

static inline int try_take(int *word)
{
    int expected = 0;
    return __atomic_compare_exchange_n(word, &expected, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

void mioos_futex_lock(int *word)
{
    heap_word = word;
    if (try_take(word))
        return;
    for (int i = 0; i < SPINS; i++) {
        __builtin_ia32_pause();
        if (__atomic_load_n(word, __ATOMIC_RELAXED) == 0 && try_take(word))
            return;
    }
    int saved = errno;
    __atomic_add_fetch(&sleepers, 1, __ATOMIC_SEQ_CST);
    while (!try_take(word))
        syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, 1, (void *)0, (void *)0, 0);
    __atomic_sub_fetch(&sleepers, 1, __ATOMIC_SEQ_CST);
    errno = saved;
}

void mioos_futex_unlock(int *word)
{
    __atomic_exchange_n(word, 0, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&sleepers, __ATOMIC_SEQ_CST) != 0) {
        int saved = errno;
        syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, (void *)0, (void *)0, 0);
        errno = saved;
    }
}

/* fork: taken before (no other thread is inside the heap then), released in the parent, reset in the child (its
 * only thread; the sleepers of the parent do not exist there). */
void mioos_heap_hold(void)
{
    if (heap_word != 0)
        mioos_futex_lock(heap_word);
}

void mioos_heap_let_go(void)
{
    if (heap_word != 0)
        mioos_futex_unlock(heap_word);
}

void mioos_heap_reset_in_child(void)
{
    sleepers = 0;
    if (heap_word != 0)
        __atomic_store_n(heap_word, 0, __ATOMIC_RELEASE);
}
