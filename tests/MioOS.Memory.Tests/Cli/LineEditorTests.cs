using MioOS.Memory.Cli.Io;

namespace MioOS.Memory.Tests.Cli;

/// <summary>The interactive shell's line editor, driven by synthetic key presses.</summary>
public class LineEditorTests
{
    private static ConsoleKeyInfo Key(ConsoleKey key, char c = '\0', bool ctrl = false) => new(c, key, false, false, ctrl);

    private static ConsoleKeyInfo Ctrl(char letter) => Key(Enum.Parse<ConsoleKey>(letter.ToString().ToUpperInvariant()), (char)(letter - 'a' + 1), ctrl: true);

    private static IEnumerable<ConsoleKeyInfo> Type(string text) =>
        text.Select(c => Key(c == ' ' ? ConsoleKey.Spacebar : char.IsAsciiDigit(c) ? ConsoleKey.D0 + (c - '0') : char.IsAsciiLetter(c) ? Enum.Parse<ConsoleKey>(char.ToUpperInvariant(c).ToString()) : ConsoleKey.OemMinus, c));

    private static readonly ConsoleKeyInfo Enter = Key(ConsoleKey.Enter, '\r');

    private static LineEditor Editor(IEnumerable<ConsoleKeyInfo> keys, string? history = null, Func<string, int, IReadOnlyList<string>>? complete = null)
    {
        var queue = new Queue<ConsoleKeyInfo>(keys);
        return new LineEditor(() => queue.Dequeue(), new StringWriter(), complete ?? ((_, _) => []), history);
    }

    [Fact]
    public void Ctrl_a_and_ctrl_e_move_to_the_ends_and_typing_inserts_there()
    {
        var e = Editor([.. Type("malloc 16"), Ctrl('a'), .. Type("k"), Ctrl('e'), .. Type("0"), Enter]);
        Assert.Equal("kmalloc 160", e.ReadLine("> "));
    }

    [Fact]
    public void Ctrl_u_deletes_to_the_start_and_ctrl_w_the_word_before_the_cursor()
    {
        Assert.Equal("16", Editor([.. Type("kfree 16"), Key(ConsoleKey.LeftArrow), Key(ConsoleKey.LeftArrow), Ctrl('u'), Enter]).ReadLine("> "));
        Assert.Equal("kmalloc ", Editor([.. Type("kmalloc 0x1234"), Ctrl('w'), Enter]).ReadLine("> "));
        Assert.Equal("kmalloc", Editor([.. Type("kmalloc 12"), Key(ConsoleKey.Backspace), Key(ConsoleKey.Backspace), Key(ConsoleKey.Backspace), Enter]).ReadLine("> "));
    }

    [Fact]
    public void Up_and_down_walk_the_history_which_is_kept_in_a_file()
    {
        string file = Path.Combine(Path.GetTempPath(), $"mioos-history-{Guid.NewGuid():N}", "history");
        try
        {
            var first = Editor([.. Type("kmalloc 1"), Enter, .. Type("kmalloc 2"), Enter], file);
            first.ReadLine("> ");
            first.ReadLine("> ");
            Assert.Equal(["kmalloc 1", "kmalloc 2"], File.ReadAllLines(file));
            // A new session starts from the file: Up twice is the older line, Down once the newer one.
            var second = Editor([Key(ConsoleKey.UpArrow), Key(ConsoleKey.UpArrow), Key(ConsoleKey.DownArrow), .. Type("0"), Enter], file);
            Assert.Equal("kmalloc 20", second.ReadLine("> "));
            Assert.Equal(["kmalloc 1", "kmalloc 2", "kmalloc 20"], File.ReadAllLines(file));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, true);
        }
    }

    [Fact]
    public void Tab_completes_a_unique_word_and_the_common_prefix_of_several()
    {
        IReadOnlyList<string> Commands(string line, int cursor) => ["kmalloc", "kmalloc_aligned", "kfree", "alloc_page"];
        Assert.Equal("alloc_page ", Editor([.. Type("al"), Key(ConsoleKey.Tab), Enter], complete: Commands).ReadLine("> "));
        Assert.Equal("kmalloc", Editor([.. Type("km"), Key(ConsoleKey.Tab), Enter], complete: Commands).ReadLine("> "));
        Assert.Equal("kf", Editor([.. Type("kf"), Key(ConsoleKey.Tab), Key(ConsoleKey.Backspace), Key(ConsoleKey.Backspace), .. Type("kf"), Enter], complete: (_, _) => []).ReadLine("> "));
    }

    [Fact]
    public void Ctrl_d_on_an_empty_line_ends_input_and_ctrl_c_drops_the_line()
    {
        Assert.Null(Editor([Ctrl('d')]).ReadLine("> "));
        Assert.Equal("check", Editor([.. Type("kfree 1"), Ctrl('c'), .. Type("check"), Enter]).ReadLine("> "));
    }

    [Fact]
    public void The_shell_completes_command_names_and_each_commands_words()
    {
        Assert.Contains("alloc_page_4mib", MioOS.Memory.Cli.Shell.ShellSession.Completions("al", 2));
        Assert.Contains("identity", MioOS.Memory.Cli.Shell.ShellSession.Completions("alloc_frame 4 ", 14));
        Assert.Contains("--mmap", MioOS.Memory.Cli.Shell.ShellSession.Completions("meminfo ", 8));
    }
}
