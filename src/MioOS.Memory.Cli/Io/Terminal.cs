using System;
using System.IO;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace MioOS.Memory.Cli.Io;

/// <summary>
/// Where a command reads and writes: standard input, output and error, whether they are a terminal, and how wide
/// the output may be. Commands write only through this, so tests run them in-process on string buffers.
/// </summary>
internal sealed class Terminal
{
    /// <summary>The width used when nothing asks to wrap: redirected output is not wrapped.</summary>
    public const int Unwrapped = 1000;

    private Terminal(TextReader input, TextWriter output, TextWriter error, bool interactiveInput, bool interactiveOutput, int width, bool colour)
    {
        In = input;
        Out = output;
        Error = error;
        InputIsInteractive = interactiveInput;
        OutputIsInteractive = interactiveOutput;
        Width = width;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = colour ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = colour ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactiveOutput ? InteractionSupport.Yes : InteractionSupport.No,
        });
        Console.Profile.Width = width;
    }

    /// <summary>Standard input.</summary>
    public TextReader In { get; }

    /// <summary>Standard output.</summary>
    public TextWriter Out { get; }

    /// <summary>Standard error.</summary>
    public TextWriter Error { get; }

    /// <summary>True when a person types the input (not a pipe or a file).</summary>
    public bool InputIsInteractive { get; }

    /// <summary>True when the output goes to a terminal.</summary>
    public bool OutputIsInteractive { get; }

    /// <summary>Columns the output may use (<see cref="Unwrapped"/> when it is redirected and COLUMNS is not set).</summary>
    public int Width { get; }

    /// <summary>The Spectre console over <see cref="Out"/>, for tables and markup.</summary>
    public IAnsiConsole Console { get; }

    /// <summary>The process's own console: COLUMNS wins when set, then the terminal's width; redirected output is not wrapped.</summary>
    public static Terminal FromConsole()
    {
        bool outputIsTerminal = !System.Console.IsOutputRedirected;
        int width = ColumnsVariable(Environment.GetEnvironmentVariable("COLUMNS"))
            ?? (outputIsTerminal ? TerminalWidth() : Unwrapped);
        bool colour = outputIsTerminal && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
        return new Terminal(System.Console.In, System.Console.Out, System.Console.Error,
            !System.Console.IsInputRedirected, outputIsTerminal, width, colour);
    }

    /// <summary>A terminal over buffers (tests, the web explorer): no colour, <paramref name="width"/> columns.</summary>
    public static Terminal Capture(TextReader input, TextWriter output, TextWriter error, int width = Unwrapped, bool interactiveInput = false) =>
        new(input, output, error, interactiveInput, false, width, colour: false);

    /// <summary>A COLUMNS value as a width, or null when it is unset or not a sensible number.</summary>
    public static int? ColumnsVariable(string? value) =>
        int.TryParse(value, out int columns) && columns >= 20 ? Math.Min(columns, Unwrapped) : null;

    private static int TerminalWidth()
    {
        try
        {
            return System.Console.WindowWidth is int w && w >= 20 ? w : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }

    /// <summary>
    /// Writes <paramref name="renderable"/> at the terminal's width, or wider when it cannot fit without breaking a
    /// word: an address or a number is never split across lines (the terminal then wraps the long line whole).
    /// </summary>
    public void Write(IRenderable renderable)
    {
        int width = Width;
        Console.Profile.Width = Math.Max(width, MinimumWidth(renderable));
        try
        {
            Console.Write(renderable);
        }
        finally
        {
            Console.Profile.Width = width;
        }
    }

    /// <summary>
    /// The width at which a table fits without breaking a word. Every column but the last (the free text) is kept
    /// whole; only the last may wrap, between words. Other renderables: their own minimum.
    /// </summary>
    private int MinimumWidth(IRenderable renderable)
    {
        var options = RenderOptions.Create(Console, Console.Profile.Capabilities);
        if (renderable is not Table table)
            return renderable.Measure(options, Unwrapped).Min;
        int columns = table.Columns.Count, total = 3 * columns + 1;
        for (int c = 0; c < columns; c++)
        {
            bool last = c == columns - 1;
            if (!last)
                table.Columns[c].NoWrap();
            int Width(IRenderable cell) { Measurement m = cell.Measure(options, Unwrapped); return last ? m.Min : m.Max; }
            int widest = Width(table.Columns[c].Header);
            foreach (TableRow row in table.Rows)
                widest = Math.Max(widest, Width(row[c]));
            total += widest;
        }
        return total;
    }

    /// <summary>Writes a line of Spectre markup.</summary>
    public void Markup(string markup) => Console.MarkupLine(markup);

    /// <summary>Writes a plain line to standard output.</summary>
    public void Line(string text = "") => Out.WriteLine(text);

    /// <summary>Writes <c>mioos-mm: error: MESSAGE</c> to standard error.</summary>
    public void Fail(string message) => Error.WriteLine($"mioos-mm: error: {message}");
}
