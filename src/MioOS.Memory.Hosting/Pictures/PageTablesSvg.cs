using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Hosting.Pictures;

/// <summary>
/// Draws the current address space's paging structures as SVG: the page directory as a grid of its 1024 slots
/// (each 4 MiB of linear addresses: a 4 KiB page table, a 4 MiB page, the recursive slot, or empty; the kernel half
/// shared by every address space and the private user half), and, on request, one page table's 1024 entries, the
/// flags of each as its colour.
/// </summary>
public static class PageTablesSvg
{
    private const int Cell = 22, Columns = 32, Left = 84;
    private const string Empty = "#eeeeee", Table = "#42a5f5", Large = "#7e57c2", Recursive = "#ffb300";
    private const string SupervisorRw = "#1e88e5", SupervisorRo = "#90caf9", UserRw = "#43a047", UserRo = "#a5d6a7";

    /// <summary>
    /// The picture of <paramref name="machine"/>'s current address space; with <paramref name="tableSlot"/>, also the
    /// entries of the page table in that directory slot (nothing when the slot holds none).
    /// </summary>
    public static string Render(PagingMachine machine, uint? tableSlot = null)
    {
        var vmm = machine.Vmm;
        var svg = new Svg();
        double width = Left + Columns * Cell + 260;
        svg.Text(10, 24, $"Page directory at {Svg.Hex(machine.Cpu.Cr3 & 0xFFFFF000)} (CR3), {machine.Cpu.Model.Name}", "font-size=\"16\" font-weight=\"bold\"");
        svg.Text(10, 44, "1024 slots, each 4 MiB of linear addresses; row r, column c is slot 32r + c (linear address slot << 22)", "fill=\"#555\"");
        double top = 60;
        int tables = 0, large = 0;
        for (uint slot = 0; slot < 1024; slot++)
        {
            PageDirectoryEntry e = vmm.ReadDirectoryEntry(slot);
            double x = Left + slot % Columns * Cell, y = top + slot / Columns * Cell;
            string kind, fill, what;
            if (slot == PagingLayout.RecursiveSlot && e.IsPresent)
                (kind, fill, what) = ("recursive slot: the directory as a page table, so every table is at 0xFFC00000 + 4 KiB x slot", Recursive, "recursive");
            else if (!e.IsPresent)
                (kind, fill, what) = ("empty", Empty, "empty");
            else if (e.IsLargePage)
            {
                (kind, fill, what) = ("4 MiB page", Large, "4mib-page");
                large++;
            }
            else
            {
                (kind, fill, what) = ($"page table at {Svg.Hex(e.Value & 0xFFFFF000)}", Table, "page-table");
                tables++;
            }
            ulong linear = (ulong)slot << 22;
            string half = slot < PagingLayout.UserSlotBase ? "kernel half (shared)" : "user half (private)";
            svg.Rect(x + 1, y + 1, Cell - 2, Cell - 2, fill, $"slot {slot}: {Svg.Hex(linear)}-{Svg.Hex(linear + (1ul << 22) - 1)}, {half}: {kind}; raw entry {Svg.Hex(e.Value)}",
                slot == tableSlot ? "#d50000" : null, 2,
                data: [("key", $"slot {slot}"), ("slot", $"{slot}"), ("entry", Svg.Hex(e.Value)), ("kind", what)]);
        }
        for (int r = 0; r < 32; r += 4)
            svg.Text(6, top + r * Cell + 15, Svg.Hex((ulong)r * Columns << 22), "fill=\"#555\" font-size=\"10\"");
        double split = top + PagingLayout.UserSlotBase / Columns * Cell;
        svg.Line(Left - 4, split, Left + Columns * Cell + 4, split, "#000", 2, "6 3");
        double side = Left + Columns * Cell + 14;
        svg.Text(side, top + 14, "kernel half: slots 0-511", "font-weight=\"bold\"");
        svg.Text(side, top + 30, "below 2 GiB, the same in", "fill=\"#555\"");
        svg.Text(side, top + 44, "every address space", "fill=\"#555\"");
        svg.Text(side, split + 14, "user half: slots 512-1023", "font-weight=\"bold\"");
        svg.Text(side, split + 30, "private to each space", "fill=\"#555\"");
        svg.Text(side, top + 32 * Cell - 4, "1022: scratch, 1023: recursive", "fill=\"#555\"");
        double y0 = top + 32 * Cell + 24;
        svg.Text(10, y0, $"{tables} page tables, {large} 4 MiB pages", "font-weight=\"bold\"");
        double yl = svg.Legend(10, y0 + 22, width - 20,
            [(Table, "4 KiB page table"), (Large, "4 MiB page"), (Recursive, "recursive slot"), (Empty, "empty (not present)")]);
        if (tableSlot is uint ts)
            yl = DrawTable(svg, machine, ts & 1023, yl + 10, width);
        return svg.Document(width, yl);
    }

    private static double DrawTable(Svg svg, PagingMachine machine, uint slot, double top, double width)
    {
        PageDirectoryEntry pde = machine.Vmm.ReadDirectoryEntry(slot);
        if (!pde.IsPresent || pde.IsLargePage)
        {
            svg.Text(10, top + 14, $"slot {slot} holds {(pde.IsPresent ? "a 4 MiB page" : "nothing")}: no page table to draw", "fill=\"#d50000\"");
            return top + 30;
        }
        ulong linear = (ulong)slot << 22;
        svg.Text(10, top + 14, $"Page table of slot {slot} ({Svg.Hex(linear)}-{Svg.Hex(linear + (1ul << 22) - 1)}) at {Svg.Hex(pde.Value & 0xFFFFF000)}", "font-size=\"14\" font-weight=\"bold\"");
        svg.Text(10, top + 32, "1024 entries, each a 4 KiB page; row r, column c is entry 32r + c; a black outline marks a global page", "fill=\"#555\"");
        top += 44;
        int present = 0;
        for (uint i = 0; i < 1024; i++)
        {
            PageTableEntry e = machine.Vmm.ReadTableEntry(slot, i);
            double x = Left + i % Columns * Cell, y = top + i / Columns * Cell;
            ulong page = linear + ((ulong)i << 12);
            string fill = Empty;
            string title = $"entry {i}: {Svg.Hex(page)} not present";
            if (e.IsPresent)
            {
                present++;
                bool rw = (e.Flags & PageFlags.Writable) != 0, user = (e.Flags & PageFlags.User) != 0;
                fill = user ? rw ? UserRw : UserRo : rw ? SupervisorRw : SupervisorRo;
                title = $"entry {i}: {Svg.Hex(page)} -> {Svg.Hex(e.Value & 0xFFFFF000)} [{FlagText(e.Flags)}], raw {Svg.Hex(e.Value)}";
            }
            svg.Rect(x + 1, y + 1, Cell - 2, Cell - 2, fill, title, e.IsPresent && (e.Flags & PageFlags.Global) != 0 ? "#000" : null, 1.2,
                data: [("key", $"slot {slot} entry {i}"), ("table", $"{slot}"), ("index", $"{i}"), ("entry", Svg.Hex(e.Value))]);
        }
        for (int r = 0; r < 32; r += 4)
            svg.Text(6, top + r * Cell + 15, $"{r * Columns}", "fill=\"#555\" font-size=\"10\"");
        double y0 = top + 32 * Cell + 24;
        svg.Text(10, y0, $"{present} of 1024 entries present", "font-weight=\"bold\"");
        return svg.Legend(10, y0 + 22, width - 20,
            [(SupervisorRw, "kernel, writable"), (SupervisorRo, "kernel, read-only"), (UserRw, "user, writable"), (UserRo, "user, read-only"), (Empty, "not present"), ("white", "global (black outline)")], stroke: "#000");
    }

    private static string FlagText(PageFlags f)
    {
        var names = new List<string>();
        if ((f & PageFlags.Writable) != 0) names.Add("writable");
        if ((f & PageFlags.User) != 0) names.Add("user");
        if ((f & PageFlags.Global) != 0) names.Add("global");
        if ((f & PageFlags.Accessed) != 0) names.Add("accessed");
        if ((f & PageFlags.Dirty) != 0) names.Add("dirty");
        if ((f & PageFlags.CacheDisable) != 0) names.Add("cache-disable");
        if ((f & PageFlags.WriteThrough) != 0) names.Add("write-through");
        return string.Join(", ", names);
    }
}
