/* malloc before any constructor: a function of the executable's .preinit_array runs before every shared
 * library's initialisers (the malloc library's constructor included), so its calls start the heap from nothing.
 * It allocates, writes and frees, and main checks what it left. Prints one line; exit status 0 when all held. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *early_block;
static int early_ok;

static void before_constructors(void)
{
    char *scratch = malloc(1000);
    early_block = malloc(64);
    if (scratch == 0 || early_block == 0 || ((uintptr_t)early_block & 15) != 0)
        return;
    memset(scratch, 'x', 1000);
    strcpy(early_block, "allocated before constructors");
    free(scratch);
    early_ok = 1;
}

__attribute__((section(".preinit_array"), used)) static void (*const preinit)(void) = before_constructors;

int main(void)
{
    int ok = early_ok && strcmp(early_block, "allocated before constructors") == 0;
    char *later = malloc(5000);
    ok = ok && later != 0;
    free(later);
    free(early_block);
    printf("%s\n", ok ? "early malloc held" : "early malloc FAILED");
    return ok ? 0 : 1;
}
