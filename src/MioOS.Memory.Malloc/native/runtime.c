/* What the ILC-generated x86-64 code calls by name: the x86-64 counterparts of what
 * src/MioOS.Kernel/boot/runtime.inc provides for i386, reduced to what this library links against (the linker's
 * -z defs names anything missing). There is no garbage collector and no exception dispatch. */
#include <stdlib.h>
#include <unistd.h>

#include "heap.h"

/* No GC: nothing to poll, no thread to suspend, no frame to set up when C calls an [UnmanagedCallersOnly] method. */
unsigned int RhpTrapThreads = 0;

void RhpGcPoll(void)
{
}

void RhpReversePInvoke(void *frame)
{
    (void)frame;
}

void RhpReversePInvokeReturn(void *frame)
{
    (void)frame;
}

/* System.Threading.Interlocked of the kernel's core library (corlib/Threading.cs): the heap's spin lock. */
int mio_cmpxchg32(int *location, int value, int comparand)
{
    __atomic_compare_exchange_n(location, &comparand, value, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return comparand;
}

int mio_xchg32(int *location, int value)
{
    return __atomic_exchange_n(location, value, __ATOMIC_SEQ_CST);
}

int mio_xadd32(int *location, int value)
{
    return __atomic_fetch_add(location, value, __ATOMIC_SEQ_CST);
}

/* Internal.Runtime.Fatal (Api/Fatal.cs): generated code reached a throw, a failed cast or a window violation. */
void mioos_fatal(const unsigned char *message, int length)
{
    struct mioos_line line = { .length = 0 };
    mioos_line_text(&line, "mioos_malloc: fatal: ");
    for (int i = 0; i < length && line.length < sizeof line.text - 1; i++)
        line.text[line.length++] = (char)message[i];
    mioos_line_write(&line);
    abort();
}
