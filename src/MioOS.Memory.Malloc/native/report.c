/* One line at a time on stderr with write(2): no stdio, no allocation, so usable from inside malloc. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "heap.h"

/* Programs may close stderr before the report at exit (coreutils' close_stdout does): with statistics on, the
 * report goes to a copy of stderr taken at start-up, above the descriptors programs usually count on. */
static int report_fd = STDERR_FILENO;

void mioos_report_keep_stderr(void)
{
    int fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 200);
    if (fd >= 0)
        report_fd = fd;
}

void mioos_line_text(struct mioos_line *line, const char *text)
{
    while (*text && line->length < sizeof line->text - 1)
        line->text[line->length++] = *text++;
}

void mioos_line_number(struct mioos_line *line, uint64_t value)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (n > 0 && line->length < sizeof line->text - 1)
        line->text[line->length++] = digits[--n];
}

void mioos_line_hex(struct mioos_line *line, uint64_t value)
{
    mioos_line_text(line, "0x");
    int shift = 60;
    while (shift > 0 && ((value >> shift) & 0xF) == 0)
        shift -= 4;
    for (; shift >= 0 && line->length < sizeof line->text - 1; shift -= 4)
        line->text[line->length++] = "0123456789abcdef"[(value >> shift) & 0xF];
}

void mioos_line_write(struct mioos_line *line)
{
    int saved = errno;
    line->text[line->length++] = '\n';
    const char *at = line->text;
    unsigned left = line->length;
    while (left > 0) {
        ssize_t n = write(report_fd, at, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        at += n;
        left -= (unsigned)n;
    }
    errno = saved;
}

const char *mioos_status_name(uint32_t status)
{
    switch (status) {
    case MIOOS_HEAP_OK: return "ok";
    case MIOOS_HEAP_OUT_OF_MEMORY: return "out of memory";
    case MIOOS_HEAP_SIZE_OVERFLOW: return "size overflow";
    case MIOOS_HEAP_INVALID_ALIGNMENT: return "invalid alignment";
    case MIOOS_HEAP_FOREIGN_POINTER: return "invalid pointer (not in the heap)";
    case MIOOS_HEAP_MISALIGNED_POINTER: return "invalid pointer (misaligned)";
    case MIOOS_HEAP_NOT_A_BLOCK_START: return "invalid pointer (inside a block)";
    case MIOOS_HEAP_DOUBLE_FREE: return "double free";
    case MIOOS_HEAP_HEADER_CORRUPTED: return "block header corrupted";
    case MIOOS_HEAP_BLOCK_ORDER_BROKEN: return "blocks do not tile their segment";
    case MIOOS_HEAP_ADJACENT_FREE_BLOCKS: return "two neighbouring free blocks";
    case MIOOS_HEAP_TOTALS_MISMATCH: return "counters do not match the blocks";
    case MIOOS_HEAP_TREE_MISMATCH: return "free tree does not match the free blocks";
    case MIOOS_HEAP_CONTROL_CORRUPTED: return "control block corrupted";
    case MIOOS_HEAP_CROSS_CHECK_MISMATCH: return "cross-check mismatch";
    case MIOOS_HEAP_BAD_GROWTH: return "bad growth";
    default: return "unknown status";
    }
}
