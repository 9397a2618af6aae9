/* The library's lock around every call into the heap: a futex mutex (Drepper, "Futexes Are Tricky", mutex 2).
 * A waiter spins briefly, then sleeps in the kernel, so a thread preempted while holding the lock does not make
 * the others burn their cores. 0 free, 1 held, 2 held with waiters. The heap's own spin lock inside is then
 * never contended. errno is left as it was (malloc must not change it when it succeeds). */
#ifndef MIOOS_MALLOC_LOCK_H
#define MIOOS_MALLOC_LOCK_H

#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MIOOS_LOCK_SPINS 100

static inline int mioos_lock_try(int *word, int value)
{
    int expected = 0;
    return __atomic_compare_exchange_n(word, &expected, value, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void mioos_lock(int *word)
{
    if (mioos_lock_try(word, 1))
        return;
    for (int i = 0; i < MIOOS_LOCK_SPINS; i++) {
        __builtin_ia32_pause();
        if (__atomic_load_n(word, __ATOMIC_RELAXED) == 0 && mioos_lock_try(word, 1))
            return;
    }
    int saved = errno;
    while (__atomic_exchange_n(word, 2, __ATOMIC_ACQUIRE) != 0)
        syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, 2, (void *)0, (void *)0, 0);
    errno = saved;
}

static inline void mioos_unlock(int *word)
{
    if (__atomic_exchange_n(word, 0, __ATOMIC_RELEASE) == 2) {
        int saved = errno;
        syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, (void *)0, (void *)0, 0);
        errno = saved;
    }
}

#endif
