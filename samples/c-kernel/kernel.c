/*
 * A small C kernel that uses the MioOS memory subsystem through <mioos/memory.h> only, and tests every function
 * of it on the real (emulated) CPU: good and bad arguments, mappings the CPU then walks. Each test prints
 * "TEST name ... PASS" or "... FAIL (why)" on COM1; the last line is "MIOOS SELFTEST PASS n/n" (or FAIL) and
 * QEMU's isa-debug-exit gets 0x10 on success, 0x11 on failure (QEMU exit status 33 / 35).
 * The kernel command line "selftest.fail" adds a test that fails on purpose (the harness checks it is reported).
 */
#include <mioos/memory.h>

#define COM1 0x3F8
#define DEBUG_EXIT_PORT 0xF4
#define MB1_BOOT_MAGIC 0x2BADB002u
#define MB2_BOOT_MAGIC 0x36D76289u
#define PAGE 4096u

extern char kernel_start[], kernel_end[], stack_bottom[], stack_top[];

/* ---- What a freestanding C kernel provides for itself (gcc may call these; the library does not). ---- */
void *memset(void *d, int c, size_t n) { unsigned char *p = d; while (n--) *p++ = (unsigned char)c; return d; }
void *memcpy(void *d, const void *s, size_t n) { unsigned char *p = d; const unsigned char *q = s; while (n--) *p++ = *q++; return d; }

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t read_cr0(void) { uint32_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr3(void) { uint32_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr4(void) { uint32_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void cpuid(uint32_t leaf, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}
static inline uint32_t read_esp(void) { uint32_t v; __asm__ volatile("mov %%esp, %0" : "=r"(v)); return v; }

static int streq(const char *a, const char *b) { while (*a && *a == *b) { a++; b++; } return *a == *b; }
static int contains(const char *hay, const char *needle)
{
    for (; *hay; hay++) {
        const char *h = hay, *n = needle;
        while (*n && *h == *n) { h++; n++; }
        if (!*n) return 1;
    }
    return 0;
}

/* ---- COM1 ---- */
static void serial_init(void)
{
    outb(COM1 + 1, 0x00); outb(COM1 + 3, 0x80); outb(COM1 + 0, 0x01); outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03); outb(COM1 + 2, 0xC7); outb(COM1 + 4, 0x03);
}
static void putc_(char c)
{
    if (c == '\n') putc_('\r');
    for (int spin = 0; spin < 100000 && !(inb(COM1 + 5) & 0x20); spin++) { }
    outb(COM1, (uint8_t)c);
}
static void puts_(const char *s) { while (*s) putc_(*s++); }
static void puthex(uint64_t v)
{
    puts_("0x");
    int top = 15;
    while (top > 0 && !((v >> (top * 4)) & 0xF)) top--;
    for (int i = top; i >= 0; i--) putc_("0123456789abcdef"[(v >> (i * 4)) & 0xF]);
}
static void putdec(uint32_t v)
{
    char b[11]; int n = 0;
    do { b[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n) putc_(b[--n]);
}

/* ---- The library's log goes to COM1 too: lines that arrive during a test are printed after its verdict,
   so that every TEST line stays whole. The last line is kept for the tests. ---- */
static uint32_t log_lines;
static char last_log[200];
static char pending[8][200];
static uint32_t pending_count;
static int in_test;
static void copy_line(char *to, const char *line)
{
    size_t i = 0;
    for (; line[i] && i < 199; i++) to[i] = line[i];
    to[i] = 0;
}
static void log_line(const char *line)
{
    log_lines++;
    copy_line(last_log, line);
    if (!in_test) { puts_("  log: "); puts_(line); putc_('\n'); }
    else if (pending_count < 8) copy_line(pending[pending_count++], line);
}
static void flush_log(void)
{
    for (uint32_t i = 0; i < pending_count; i++) { puts_("  log: "); puts_(pending[i]); putc_('\n'); }
    pending_count = 0;
}

/* ---- The test harness: TEST name ... PASS|FAIL ---- */
static uint32_t passed, total;
static void begin(const char *name) { total++; in_test = 1; puts_("TEST "); puts_(name); puts_(" ... "); }
static void check(int ok, const char *why)
{
    if (ok) { passed++; puts_("PASS\n"); }
    else { puts_("FAIL ("); puts_(why); puts_(")\n"); }
    in_test = 0;
    flush_log();
}
static void finish(void)
{
    int ok = passed == total && total > 0;
    puts_(ok ? "MIOOS SELFTEST PASS " : "MIOOS SELFTEST FAIL ");
    putdec(passed); putc_('/'); putdec(total); putc_('\n');
    outb(DEBUG_EXIT_PORT, ok ? 0x10 : 0x11);
    for (;;) __asm__ volatile("cli; hlt");
}

/* ---- Stack use: paint the free part of the stack, call, see how deep the calls wrote. ---- */
#define PAINT 0x5AA5F00Du
static void paint_stack(void)
{
    uint32_t *p = (uint32_t *)stack_bottom, *end = (uint32_t *)(read_esp() - 256);
    while (p < end) *p++ = PAINT;
}
static uint32_t stack_used(void)
{
    uint32_t *p = (uint32_t *)stack_bottom;
    while (*p == PAINT) p++;
    return (uint32_t)(stack_top - (char *)p);
}

/* ---- Every status code of the header, with its name. ---- */
#define CODES(X) X(MM_OK) X(MM_E_CPU_UNSUPPORTED) X(MM_E_NOT_INITIALIZED) X(MM_E_ALREADY_INITIALIZED) \
    X(MM_E_BAD_FLAGS) X(MM_E_INVALID_ARGUMENT) X(MM_E_BAD_MAGIC) X(MM_E_INFO_OUTSIDE_MEMORY) \
    X(MM_E_INFO_MISALIGNED) X(MM_E_INFO_TOO_SMALL) X(MM_E_TAG_TRUNCATED) X(MM_E_TAG_PAST_END) X(MM_E_NO_END_TAG) \
    X(MM_E_MAP_ENTRY_TOO_SMALL) X(MM_E_MAP_ENTRY_PAST_END) X(MM_E_MAP_OUTSIDE_MEMORY) X(MM_E_NO_MEMORY_MAP) \
    X(MM_E_TOO_MANY_MAP_ENTRIES) X(MM_E_TOO_MANY_MODULES) X(MM_E_TOO_MANY_BOOT_REGIONS) \
    X(MM_E_MODULE_LIST_OUTSIDE_MEMORY) X(MM_E_MODULE_INVALID) X(MM_E_STRING_UNTERMINATED) \
    X(MM_E_BAD_KERNEL_LAYOUT) X(MM_E_KERNEL_OVERLAPS_HEAP) X(MM_E_BOOT_INFO_IN_HEAP) X(MM_E_NO_USABLE_LOW_MEMORY) \
    X(MM_E_ZERO_FRAMES) X(MM_E_BAD_ALIGNMENT) X(MM_E_OUT_OF_MEMORY) X(MM_E_NO_CONTIGUOUS_RUN) \
    X(MM_E_MAPPING_FAILED) X(MM_E_NOT_IDENTITY_MAPPABLE) X(MM_E_MISALIGNED) X(MM_E_DOUBLE_FREE) \
    X(MM_E_INTERIOR_POINTER) X(MM_E_NOT_ALLOCATED) X(MM_E_OUT_OF_METADATA) X(MM_E_RESERVED_MEMORY) \
    X(MM_E_NOT_OWNER) X(MM_E_NO_MAPPER) X(MM_E_ALREADY_MAPPED) \
    X(MM_E_INSIDE_LARGE_PAGE) X(MM_E_PAGE_TABLE_IN_PLACE) X(MM_E_NOT_MAPPED) X(MM_E_NO_FRAME_FOR_TABLE) \
    X(MM_E_PHYS_TOO_HIGH) X(MM_E_NO_LARGE_PAGES) X(MM_E_RESERVED_RANGE) X(MM_E_INVALID_RANGE) \
    X(MM_E_PAGING_ALREADY_ENABLED) X(MM_E_ADDRESS_SPACE_IN_USE) X(MM_E_INVALID_ADDRESS_SPACE) \
    X(MM_E_OUTSIDE_KERNEL_SPACE) X(MM_E_TOO_MANY_ADDRESS_SPACES) X(MM_E_SIZE_OVERFLOW) \
    X(MM_E_HEAP_HEADER_CORRUPTED) X(MM_E_HEAP_BLOCK_ORDER) X(MM_E_HEAP_ADJACENT_FREE) X(MM_E_HEAP_TOTALS_MISMATCH) \
    X(MM_E_HEAP_TREE_MISMATCH) X(MM_E_HEAP_CONTROL_CORRUPTED) X(MM_E_HEAP_CROSS_CHECK) X(MM_E_HEAP_BAD_GROWTH) X(MM_E_HEAP_CANARY_OVERWRITTEN) X(MM_E_HEAP_WRITE_AFTER_FREE) X(MM_E_HEAP_BAD_FREE_LINK) \
    X(MM_E_PMM_BAD_MAGIC) X(MM_E_PMM_BROKEN_TREE) X(MM_E_PMM_OUTSIDE_USABLE) X(MM_E_PMM_TOUCHES_RESERVED) \
    X(MM_E_PMM_OVERLAP) X(MM_E_PMM_NOT_MERGED) X(MM_E_PMM_COUNT_MISMATCH) X(MM_E_VMM_NOT_ACTIVE)
#define ENTRY(c) { c, #c },
static const struct { mm_status code; const char *name; } codes[] = { CODES(ENTRY) };

/* ---- Before mm_init: every call refuses cleanly, and the first call set up SSE. ---- */
static void before_init(void)
{
    begin("api.before-init");
    int ok = kmalloc(16) == NULL && mm_last_status() == MM_E_NOT_INITIALIZED;
    ok &= (read_cr4() & (1u << 9)) && !(read_cr0() & (1u << 2));   /* the thunk set OSFXSR, cleared EM */
    ok &= alloc_frame(1, false) == NULL && mm_last_status() == MM_E_NOT_INITIALIZED;
    ok &= free_frame((void *)0x300000) == MM_E_NOT_INITIALIZED;
    ok &= alloc_page(0xE0000000, 0x300000, MM_PAGE_WRITE) == MM_E_NOT_INITIALIZED;
    ok &= alloc_page_4mib(0xE0400000, 0, 0) == MM_E_NOT_INITIALIZED;
    ok &= identity_map_region(0x300000, 0x301000, 0) == MM_E_NOT_INITIALIZED;
    ok &= free_page(0xE0000000) == MM_E_NOT_INITIALIZED;
    ok &= virt_to_phys(0x100000) == MM_NOT_MAPPED && !is_mapped(0x100000);
    ok &= kcalloc(2, 2) == NULL && krealloc(NULL, 8) == NULL;
    kfree(NULL);
    ok &= mm_check() == MM_E_NOT_INITIALIZED;
    struct mm_stats s;
    memset(&s, 0xFF, sizeof s);
    mm_stats(&s);
    ok &= s.free_frames_low == 0 && s.heap_start == 0 && s.paging_enabled == 0;
    mm_stats(NULL);
    check(ok, "a call before mm_init did not refuse with MM_E_NOT_INITIALIZED");

    begin("api.status-names");
    ok = 1;
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *n = mm_status_name(codes[i].code);
        if (!n || !streq(n, codes[i].name)) { ok = 0; puts_(codes[i].name); putc_(' '); }
        for (size_t j = 0; j < i; j++) ok &= codes[i].code != codes[j].code;
    }
    ok &= streq(mm_status_name(12345), "MM_E_UNKNOWN") && streq(mm_status_name(-1000), "MM_E_UNKNOWN");
    putdec(sizeof codes / sizeof codes[0]); puts_(" codes ");
    check(ok, "a name differs from the header's");
}

/* ---- mm_init: refusals first (each changes nothing), then the real bring-up. ---- */
static uint32_t fake_mb1[30] __attribute__((aligned(8)));
static uint64_t fake_mb2[8] __attribute__((aligned(8)));

static void init(uint32_t magic, uint32_t info)
{
    uint32_t ks = (uint32_t)kernel_start, ke = (uint32_t)kernel_end;

    begin("init.bad-magic");
    check(mm_init(0x12345678, info, ks, ke) == MM_E_BAD_MAGIC, "not MM_E_BAD_MAGIC");

    begin("init.missing-map");
    memset(fake_mb1, 0, sizeof fake_mb1);            /* multiboot1 info with flags = 0: no map, no mem_* */
    check(mm_init(MB1_BOOT_MAGIC, (uint32_t)fake_mb1, ks, ke) == MM_E_NO_MEMORY_MAP, "not MM_E_NO_MEMORY_MAP");

    begin("init.malformed-map");
    memset(fake_mb2, 0, sizeof fake_mb2);
    uint32_t *t = (uint32_t *)fake_mb2;
    t[0] = 40; t[1] = 0;                             /* total_size, reserved */
    t[2] = 6; t[3] = 16; t[4] = 8; t[5] = 0;         /* memory-map tag whose entry_size (8) is below 24 */
    t[6] = 0; t[7] = 8;                              /* end tag */
    mm_status st = mm_init(MB2_BOOT_MAGIC, (uint32_t)fake_mb2, ks, ke);
    puts_(mm_status_name(st)); putc_(' ');
    mm_status st2 = mm_init(MB2_BOOT_MAGIC, (uint32_t)fake_mb2 + 4, ks, ke);   /* misaligned info block */
    puts_(mm_status_name(st2)); putc_(' ');
    check(st == MM_E_MAP_ENTRY_TOO_SMALL && st2 == MM_E_INFO_MISALIGNED, "malformed map accepted");

    begin("init.kernel-reaches-heap");
    check(mm_init(magic, info, ks, ks + 0x100000 + 1) == MM_E_KERNEL_OVERLAPS_HEAP, "not MM_E_KERNEL_OVERLAPS_HEAP");

    begin("init.bad-kernel-layout");
    check(mm_init(magic, info, ks + 1, ke) == MM_E_BAD_KERNEL_LAYOUT, "not MM_E_BAD_KERNEL_LAYOUT");

    begin("init.bring-up");
    paint_stack();
    st = mm_init(magic, info, ks, ke);
    uint32_t used = stack_used();
    puts_(mm_status_name(st)); puts_(" image "); puthex(ks); putc_('-'); puthex(ke); putc_(' ');
    struct mm_stats s;
    mm_stats(&s);
    puts_("cr3 "); puthex(read_cr3()); puts_(" heap "); puthex(s.heap_start); putc_('+'); puthex(s.heap_size); putc_(' ');
    int ok = st == MM_OK && (read_cr0() & 0x80000000u) && read_cr3() == s.page_directory && s.paging_enabled == 1;
    ok &= s.heap_start == ks + 0x100000 && s.heap_size > (3u << 20) - PAGE && s.heap_size <= 3u << 20 && s.free_frames_low > 0;
    check(ok, "bring-up failed, or paging/heap not as the header says");

    begin("init.stack");
    puts_("mm_init used "); putdec(used); puts_(" bytes ");
    check(used > 0 && used < 24 * 1024, "more stack than the header documents");

    begin("init.second-call");
    check(mm_init(magic, info, ks, ke) == MM_E_ALREADY_INITIALIZED, "a second mm_init was not refused");

    begin("stats.meminfo");
    mm_stats(&s);
    puts_("free "); putdec((uint32_t)s.free_frames_low); puts_(" low + "); putdec((uint32_t)s.free_frames_high);
    puts_(" high frames, "); putdec(s.page_tables); puts_(" page tables, "); putdec(s.pages_4m); puts_(" 4M pages ");
    check(s.usable_frames_low >= s.free_frames_low && s.installed_bytes > 0 && s.large_page_address_bits >= 32,
          "figures");
}

/* ---- PMM ---- */
static void pmm(void)
{
    struct mm_stats before, after;
    begin("pmm.first-fit");
    /* First fit: a run given back is again the lowest that fits, and allocations do not move it. */
    uint8_t *a = alloc_frame(1, false);
    int ok = a != NULL && ((uint32_t)a % PAGE) == 0 && free_frame(a) == MM_OK;
    uint8_t *a2 = alloc_frame(1, false);
    uint8_t *b = alloc_frame(3, false), *c = alloc_frame(1, false);
    puthex((uint32_t)a); putc_(' '); puthex((uint32_t)b); putc_(' ');
    ok &= a2 == a && b != NULL && c != NULL && (c < b || c >= b + 3 * PAGE);
    ok &= free_frame(b) == MM_OK;
    uint8_t *d = alloc_frame(3, false);
    ok &= d == b;
    ok &= free_frame(a2) == MM_OK && free_frame(c) == MM_OK && free_frame(d) == MM_OK;
    check(ok, "not the lowest fitting run");

    begin("pmm.identity-map");
    uint32_t *p = alloc_frame(2, true);
    ok = p && is_mapped((uint32_t)p) && is_mapped((uint32_t)p + PAGE) && virt_to_phys((uint32_t)p + 8) == (uint32_t)p + 8;
    if (ok) { p[0] = 0xC0FFEE00; p[1023 + 1024] = 0x12345678; ok = p[0] == 0xC0FFEE00 && p[2047] == 0x12345678; }
    ok &= free_frame(p) == MM_OK && !is_mapped((uint32_t)p) && virt_to_phys((uint32_t)p) == MM_NOT_MAPPED;
    check(ok, "identity-mapped frames not usable, or still mapped after free_frame");

    begin("pmm.bad-frees");
    mm_stats(&before);
    uint32_t logs = log_lines;
    uint8_t *e = alloc_frame(3, false);
    ok = e != NULL;
    ok &= free_frame(e + PAGE) == MM_E_INTERIOR_POINTER;
    ok &= free_frame(e + 12) == MM_E_MISALIGNED;
    ok &= free_frame((void *)0x1000) == MM_E_NOT_ALLOCATED;
    /* The heap area is never handed out; the live page directory is the VMM's, not ours to free. */
    ok &= free_frame((void *)((uint32_t)kernel_start + 0x100000)) == MM_E_RESERVED_MEMORY;
    uint32_t cr3;
    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    ok &= free_frame((void *)cr3) == MM_E_NOT_OWNER;
    ok &= free_frame(e) == MM_OK;
    ok &= free_frame(e) == MM_E_DOUBLE_FREE;
    mm_stats(&after);
    ok &= after.bad_frame_frees == before.bad_frame_frees + 6 && after.double_frame_frees == before.double_frame_frees + 1;
    ok &= log_lines == logs + 6 && contains(last_log, "MM_E_DOUBLE_FREE");
    check(ok, "a bad free was not refused, counted and logged");

    begin("pmm.refusals");
    ok = alloc_frame(0, false) == NULL && mm_last_status() == MM_E_ZERO_FRAMES;
    ok &= alloc_frame(0xFFFFFFFFu, false) == NULL && mm_last_status() == MM_E_OUT_OF_MEMORY;
    ok &= mm_check() == MM_OK;
    check(ok, "zero or impossible requests");
}

/* ---- VMM ---- */
#define ALIAS 0xE0001000u
static volatile uint32_t probe_word;

static void vmm(void)
{
    struct mm_stats s;
    mm_stats(&s);

    begin("vmm.alias-write-through");
    uint32_t *f = alloc_frame(1, true);
    int ok = f != NULL && alloc_page(ALIAS, (uint32_t)f, MM_PAGE_WRITE) == MM_OK;
    if (ok) {
        *(volatile uint32_t *)(ALIAS + 0x40) = 0xA11A5EED;           /* through the new mapping */
        ok = f[0x10] == 0xA11A5EED;                                  /* back through the identity address */
        f[0x11] = 0x0DDBA11;
        ok &= *(volatile uint32_t *)(ALIAS + 0x44) == 0x0DDBA11;
        ok &= virt_to_phys(ALIAS + 0x234) == (uint32_t)f + 0x234 && is_mapped(ALIAS);
    }
    check(ok, "the CPU did not walk the new mapping to the frame");

    begin("vmm.refusals");
    ok = alloc_page(ALIAS, (uint32_t)f, MM_PAGE_WRITE) == MM_E_ALREADY_MAPPED;
    ok &= alloc_page(ALIAS + 0x2000, (uint32_t)f, 0x80) == MM_E_BAD_FLAGS;       /* PAT/PS */
    ok &= alloc_page(ALIAS + 0x2000, (uint32_t)f, 0x001) == MM_E_BAD_FLAGS;      /* PRESENT is implied */
    ok &= alloc_page(ALIAS + 0x2000, (uint32_t)f, 0x200) == MM_E_BAD_FLAGS;
    ok &= alloc_page(ALIAS + 0x2010, (uint32_t)f, 0) == MM_E_MISALIGNED;
    ok &= alloc_page(ALIAS + 0x2000, (uint32_t)f + 8, 0) == MM_E_MISALIGNED;
    ok &= alloc_page(0xFFC00000u, (uint32_t)f, 0) == MM_E_RESERVED_RANGE;
    ok &= identity_map_region(0x500000, 0x400000, 0) == MM_E_INVALID_RANGE;
    ok &= identity_map_region((uint32_t)f, (uint32_t)f + 1, MM_PAGE_WRITE) == MM_E_ALREADY_MAPPED;
    ok &= identity_map_region((uint32_t)f, (uint32_t)f + 1, 0x40) == MM_E_BAD_FLAGS;
    check(ok, "a bad mapping request was not refused with its code");

    begin("vmm.free-page");
    ok = free_page(ALIAS) == MM_OK && !is_mapped(ALIAS);
    ok &= virt_to_phys(ALIAS) == MM_NOT_MAPPED && mm_last_status() == MM_E_NOT_MAPPED;
    ok &= free_page(ALIAS) == MM_E_NOT_MAPPED;
    ok &= f[0x10] == 0xA11A5EED && free_frame(f) == MM_OK;
    check(ok, "free_page did not unmap");

    begin("vmm.identity-map-region");
    uint8_t *r = alloc_frame(4, false);                 /* frames the kernel has not mapped */
    ok = r != NULL && !is_mapped((uint32_t)r);
    /* [r + 0x10, r + 3 pages + 1) rounds out to the 4 pages r .. r + 4 pages */
    ok &= identity_map_region((uint32_t)r + 0x10, (uint32_t)r + 3 * PAGE + 1, MM_PAGE_WRITE) == MM_OK;
    for (uint32_t i = 0; i < 4 && ok; i++)
        ok &= is_mapped((uint32_t)r + i * PAGE) && virt_to_phys((uint32_t)r + i * PAGE) == (uint32_t)r + i * PAGE;
    ok &= !is_mapped((uint32_t)r + 4 * PAGE) || virt_to_phys((uint32_t)r + 4 * PAGE) == (uint32_t)r + 4 * PAGE;
    if (ok) {
        ok &= alloc_page(0xE0100000u, (uint32_t)r + 2 * PAGE, MM_PAGE_WRITE) == MM_OK;
        *(volatile uint32_t *)0xE0100ffcu = 0xFEEDFACE;          /* write through the alias ... */
        ok &= *(volatile uint32_t *)(r + 3 * PAGE - 4) == 0xFEEDFACE;  /* ... read through the identity map */
        ok &= free_page(0xE0100000u) == MM_OK;
    }
    for (uint32_t i = 0; i < 4; i++) ok &= free_page((uint32_t)r + i * PAGE) == MM_OK;
    ok &= free_frame(r) == MM_OK;
    check(ok, "identity_map_region");

    begin("vmm.4mib-page");
    if (s.large_page_address_bits == 0) { check(0, "no figures"); return; }
    /* A 4 MiB page over physical 0-4 MiB (the kernel image lies in it): the probe word seen through both. */
    mm_status st = alloc_page_4mib(0xE0400000u, 0, MM_PAGE_WRITE);
    puts_(mm_status_name(st)); putc_(' ');
    ok = st == MM_OK;
    if (ok) {
        volatile uint32_t *alias = (volatile uint32_t *)(0xE0400000u + (uint32_t)&probe_word);
        *alias = 0x4D1B4D1B;
        ok &= probe_word == 0x4D1B4D1B;
        ok &= virt_to_phys(0xE0400000u + 0x123456) == 0x123456;
        ok &= alloc_page(0xE0401000u, 0x1000, 0) == MM_E_INSIDE_LARGE_PAGE;
        ok &= alloc_page_4mib(0xE0400000u, 0, 0) == MM_E_ALREADY_MAPPED;
        ok &= free_page(0xE0400000u) == MM_OK && !is_mapped(0xE0400000u);
    }
    ok &= alloc_page_4mib(0xE0401000u, 0, 0) == MM_E_MISALIGNED;
    ok &= alloc_page_4mib(0xE0800000u, 0x1000, 0) == MM_E_MISALIGNED;
    ok &= alloc_page_4mib(0xE0800000u, 0, 0x80) == MM_E_BAD_FLAGS;
    check(ok, "4 MiB page");

    begin("vmm.high-4mib");
    /* Physical 4 GiB with PSE-36; refused without it. */
    st = alloc_page_4mib(0xE0800000u, 0x100000000ull, MM_PAGE_WRITE);
    puts_(mm_status_name(st)); puts_(" maxphys "); putdec(s.large_page_address_bits); putc_(' ');
    if (s.large_page_address_bits > 32) {
        ok = st == MM_OK && virt_to_phys(0xE0800000u + 0x10) == 0x100000010ull;
        if (ok && (s.usable_frames_high > 0 || s.untracked_frames_high > 0)) {
            volatile uint32_t *hi = (volatile uint32_t *)0xE0800000u;
            hi[0] = 0x600DF00D; hi[1] = ~0x600DF00Du;
            ok &= hi[0] == 0x600DF00D && hi[1] == ~0x600DF00Du;
            puts_("high memory written and read ");
        }
        ok &= free_page(0xE0800000u) == MM_OK;
        check(ok, "high memory through a PSE-36 page");
    } else {
        check(st == MM_E_PHYS_TOO_HIGH, "not refused without PSE-36");
    }
}

/* ---- Heap ---- */
static void heap(void)
{
    struct mm_stats before, after;
    mm_stats(&before);

    begin("heap.kmalloc-kfree");
    enum { N = 64 };
    uint8_t *blocks[N];
    int ok = 1;
    for (uint32_t i = 0; i < N; i++) {
        uint32_t size = 1 + i * 37 % 700;
        blocks[i] = kmalloc(size);
        ok &= blocks[i] != NULL && ((uint32_t)blocks[i] & 7) == 0 && (uint32_t)blocks[i] >= before.heap_start;
        for (uint32_t j = 0; j < size && blocks[i]; j++) blocks[i][j] = (uint8_t)(i + j);
    }
    for (uint32_t i = 0; i < N && ok; i++)
        for (uint32_t j = 0; j < 1 + i * 37 % 700; j++) ok &= blocks[i][j] == (uint8_t)(i + j);
    for (uint32_t i = 0; i < N; i += 2) kfree(blocks[i]);
    for (uint32_t i = 1; i < N; i += 2) kfree(blocks[i]);
    mm_stats(&after);
    ok &= after.heap_used == before.heap_used && mm_last_status() == MM_OK;
    ok &= kmalloc(0) == NULL;
    check(ok, "contents, alignment, or not everything given back");

    begin("heap.kcalloc");
    uint32_t *z = kcalloc(100, 16);
    ok = z != NULL;
    for (uint32_t i = 0; i < 400 && ok; i++) ok &= z[i] == 0;
    kfree(z);
    ok &= kcalloc(0x10000, 0x10000) == NULL && mm_last_status() == MM_E_SIZE_OVERFLOW;   /* 2^32 wraps to 0 */
    ok &= kcalloc(0xFFFFFFFFu, 2) == NULL && mm_last_status() == MM_E_SIZE_OVERFLOW;
    ok &= kmalloc(0xFFFFFFF0u) == NULL && mm_last_status() == MM_E_SIZE_OVERFLOW;
    check(ok, "not zeroed, or an overflowing product was not refused");

    begin("heap.krealloc");
    uint8_t *p = krealloc(NULL, 24);                 /* = kmalloc */
    ok = p != NULL;
    for (uint32_t i = 0; i < 24 && ok; i++) p[i] = (uint8_t)(0x30 + i);
    uint8_t *q = krealloc(p, 5000);
    ok &= q != NULL;
    for (uint32_t i = 0; i < 24 && ok; i++) ok &= q[i] == (uint8_t)(0x30 + i);
    uint8_t *r = krealloc(q, 8);
    ok &= r != NULL && r[7] == 0x37;
    ok &= krealloc(r, 0) == NULL;                    /* frees */
    mm_stats(&after);
    ok &= after.heap_used == before.heap_used;
    check(ok, "contents not kept, or size 0 did not free");

    begin("heap.misuse");
    uint32_t logs = log_lines;
    uint32_t count0 = after.heap_misuse_count;
    uint8_t *m = kmalloc(64), *n = kmalloc(64);
    kfree(m);
    kfree(m);
    ok = mm_last_status() == MM_E_DOUBLE_FREE;
    mm_stats(&after);
    ok &= after.heap_misuse_count == count0 + 1 && after.heap_last_misuse == MM_E_DOUBLE_FREE
        && after.heap_last_misuse_address == (uint32_t)m;
    ok &= log_lines == logs + 1 && contains(last_log, "kfree") && contains(last_log, "MM_E_DOUBLE_FREE");
    kfree(n + 8);
    ok &= mm_last_status() == MM_E_INTERIOR_POINTER;
    kfree(n + 3);
    ok &= mm_last_status() == MM_E_MISALIGNED;
    kfree((void *)0x1000);
    ok &= mm_last_status() == MM_E_NOT_ALLOCATED;
    kfree(NULL);
    ok &= mm_last_status() == MM_OK;
    mm_stats(&after);
    ok &= after.heap_misuse_count == count0 + 4 && log_lines == logs + 4;
    ok &= mm_check() == MM_OK;                        /* nothing was corrupted */
    kfree(n);
    ok &= mm_last_status() == MM_OK;
    puts_("4 refused, counted and logged ");
    check(ok, "misuse was not refused, counted and logged, or corrupted the heap");

    begin("heap.growth");
    enum { G = 40 };
    uint8_t *big[G];
    ok = 1;
    for (uint32_t i = 0; i < G; i++) {
        big[i] = kmalloc(128 * 1024);
        ok &= big[i] != NULL;
        if (big[i]) { big[i][0] = (uint8_t)i; big[i][128 * 1024 - 1] = (uint8_t)~i; }
    }
    mm_stats(&after);
    putdec(after.heap_size >> 10); puts_(" KiB in "); putdec(after.heap_segments); puts_(" segments ");
    ok &= after.heap_size > (3u << 20) && after.heap_segments > 1;
    for (uint32_t i = 0; i < G && ok; i++) ok &= big[i][0] == (uint8_t)i && big[i][128 * 1024 - 1] == (uint8_t)~i;
    for (uint32_t i = 0; i < G; i++) kfree(big[i]);
    ok &= mm_check() == MM_OK;
    check(ok, "the heap did not grow past 3 MiB");
}

static void reports(int fail_on_purpose)
{
    begin("check.all-layers");
    check(mm_check() == MM_OK, "an integrity walk failed");

    begin("log.off");
    uint32_t logs = log_lines;
    mm_set_log(NULL);
    kfree((void *)0x1000);
    mm_set_log(log_line);
    check(log_lines == logs && mm_last_status() == MM_E_NOT_ALLOCATED, "the library printed without a log");

    if (fail_on_purpose) {
        begin("harness.fails-on-purpose");
        check(0, "asked for by selftest.fail");
    }
}

static int cmdline_has(uint32_t magic, uint32_t info, const char *word)
{
    if (magic == MB1_BOOT_MAGIC) {
        const uint32_t *mb = (const uint32_t *)info;
        return (mb[0] & (1u << 2)) && contains((const char *)mb[4], word);
    }
    for (const uint8_t *tag = (const uint8_t *)info + 8; ; ) {
        uint32_t type = ((const uint32_t *)tag)[0], size = ((const uint32_t *)tag)[1];
        if (type == 0) return 0;
        if (type == 1) return contains((const char *)tag + 8, word);
        tag += (size + 7) & ~7u;
    }
}

/* A CPU without SSE2 (QEMU -cpu pentium): the library must refuse every call without running any of its code. */
static void without_sse2(uint32_t magic, uint32_t info)
{
    begin("cpu.refused-without-sse2");
    int ok = mm_init(magic, info, (uint32_t)kernel_start, (uint32_t)kernel_end) == MM_E_CPU_UNSUPPORTED;
    ok &= alloc_frame(1, true) == NULL && free_frame((void *)0x300000) == MM_E_CPU_UNSUPPORTED;
    ok &= alloc_page(0xE0000000, 0x300000, 0) == MM_E_CPU_UNSUPPORTED;
    ok &= alloc_page_4mib(0xE0400000, 0, 0) == MM_E_CPU_UNSUPPORTED;
    ok &= identity_map_region(0x300000, 0x301000, 0) == MM_E_CPU_UNSUPPORTED;
    ok &= free_page(0xE0000000) == MM_E_CPU_UNSUPPORTED && mm_check() == MM_E_CPU_UNSUPPORTED;
    ok &= virt_to_phys(0x100000) == MM_NOT_MAPPED && !is_mapped(0x100000);
    ok &= kmalloc(8) == NULL && kcalloc(1, 1) == NULL && krealloc(NULL, 1) == NULL;
    kfree(NULL);
    ok &= mm_status_name(MM_OK) == NULL && mm_last_status() == MM_E_CPU_UNSUPPORTED;
    struct mm_stats s;
    memset(&s, 0xFF, sizeof s);
    mm_stats(&s);
    const uint8_t *bytes = (const uint8_t *)&s;
    for (size_t i = 0; i < sizeof s; i++) ok &= bytes[i] == 0;
    ok &= !(read_cr4() & (1u << 9));                 /* SSE was left alone */
    check(ok, "a call was not refused with MM_E_CPU_UNSUPPORTED");
}

void kmain(uint32_t magic, uint32_t info)
{
    serial_init();
    puts_("\nMioOS.Memory C sample kernel (libmioos_memory.a)\n");
    int fail_on_purpose = (magic == MB1_BOOT_MAGIC || magic == MB2_BOOT_MAGIC) && cmdline_has(magic, info, "selftest.fail");
    mm_set_log(log_line);

    begin("boot.magic");
    puts_(magic == MB1_BOOT_MAGIC ? "multiboot1 " : magic == MB2_BOOT_MAGIC ? "multiboot2 " : "unknown ");
    check(magic == MB1_BOOT_MAGIC || magic == MB2_BOOT_MAGIC, "not loaded by a multiboot loader");

    uint32_t r[4];
    cpuid(1, r);
    begin("cpu.sse2");
    int sse2 = (r[3] & (1u << 26)) != 0;
    puts_(sse2 ? "present " : "absent ");
    check(1, "");
    if (!sse2) {
        without_sse2(magic, info);
        finish();
    }

    before_init();
    init(magic, info);
    if (passed == total) {
        paint_stack();
        pmm();
        vmm();
        heap();
        uint32_t used = stack_used();
        begin("calls.stack");
        puts_("the PMM, VMM and heap tests used "); putdec(used); puts_(" bytes ");
        check(used < 8 * 1024, "more stack than the header documents");
    }
    reports(fail_on_purpose);
    finish();
}
