using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace MioOS.Memory.Cli.Io;

/// <summary>
/// A small line editor for the interactive shell: Left/Right, Home/End and Ctrl-A/E move; Backspace/Delete,
/// Ctrl-U (to the start), Ctrl-K (to the end) and Ctrl-W (the word before the cursor) delete; Up/Down walk the
/// history, which is kept in a file; Tab completes the word before the cursor (and lists the choices when there
/// are several); Ctrl-C drops the line; Ctrl-D on an empty line ends input. Redraws the line on every key, so it
/// needs a terminal that understands "erase to end of line" and "cursor left".
/// </summary>
internal sealed class LineEditor
{
    private readonly Func<ConsoleKeyInfo> _readKey;
    private readonly TextWriter _out;
    private readonly Func<string, int, IReadOnlyList<string>> _complete;
    private readonly string? _historyFile;
    private readonly List<string> _history = [];

    /// <summary>Most lines the history file keeps.</summary>
    public const int HistoryLimit = 1000;

    /// <param name="readKey">The next key press.</param>
    /// <param name="output">Where the line is drawn.</param>
    /// <param name="complete">The candidates for the word that ends at the given cursor position of the line.</param>
    /// <param name="historyFile">Where the history is loaded from and appended to (null: in memory only).</param>
    public LineEditor(Func<ConsoleKeyInfo> readKey, TextWriter output, Func<string, int, IReadOnlyList<string>> complete, string? historyFile)
    {
        _readKey = readKey;
        _out = output;
        _complete = complete;
        _historyFile = historyFile;
        if (historyFile is not null && File.Exists(historyFile))
            _history.AddRange(File.ReadAllLines(historyFile).Where(l => l.Length > 0).TakeLast(HistoryLimit));
    }

    /// <summary>The history, oldest first.</summary>
    public IReadOnlyList<string> History => _history;

    /// <summary>The default history file: $XDG_STATE_HOME/mioos-mm/history, else ~/.local/state/mioos-mm/history.</summary>
    public static string DefaultHistoryFile()
    {
        string? state = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        if (string.IsNullOrEmpty(state))
            state = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        return Path.Combine(state, "mioos-mm", "history");
    }

    /// <summary>Reads one line after <paramref name="prompt"/>; null at the end of input (Ctrl-D on an empty line).</summary>
    public string? ReadLine(string prompt)
    {
        var line = new StringBuilder();
        int cursor = 0, recall = _history.Count;
        string draft = "";
        _out.Write(prompt);
        while (true)
        {
            ConsoleKeyInfo k = _readKey();
            bool ctrl = (k.Modifiers & ConsoleModifiers.Control) != 0;
            switch (k.Key)
            {
                case ConsoleKey.Enter:
                    _out.WriteLine();
                    string text = line.ToString();
                    Remember(text);
                    return text;
                case ConsoleKey.D when ctrl:
                    if (line.Length == 0)
                    {
                        _out.WriteLine();
                        return null;
                    }
                    if (cursor < line.Length)
                        line.Remove(cursor, 1);
                    break;
                case ConsoleKey.C when ctrl:
                    _out.WriteLine("^C");
                    line.Clear();
                    cursor = 0;
                    recall = _history.Count;
                    _out.Write(prompt);
                    continue;
                case ConsoleKey.LeftArrow or ConsoleKey.B when k.Key == ConsoleKey.LeftArrow || ctrl:
                    cursor = Math.Max(0, cursor - 1);
                    break;
                case ConsoleKey.RightArrow or ConsoleKey.F when k.Key == ConsoleKey.RightArrow || ctrl:
                    cursor = Math.Min(line.Length, cursor + 1);
                    break;
                case ConsoleKey.Home or ConsoleKey.A when k.Key == ConsoleKey.Home || ctrl:
                    cursor = 0;
                    break;
                case ConsoleKey.End or ConsoleKey.E when k.Key == ConsoleKey.End || ctrl:
                    cursor = line.Length;
                    break;
                case ConsoleKey.U when ctrl:
                    line.Remove(0, cursor);
                    cursor = 0;
                    break;
                case ConsoleKey.K when ctrl:
                    line.Remove(cursor, line.Length - cursor);
                    break;
                case ConsoleKey.W when ctrl:
                {
                    int start = cursor;
                    while (start > 0 && line[start - 1] == ' ')
                        start--;
                    while (start > 0 && line[start - 1] != ' ')
                        start--;
                    line.Remove(start, cursor - start);
                    cursor = start;
                    break;
                }
                case ConsoleKey.Backspace:
                    if (cursor > 0)
                        line.Remove(--cursor, 1);
                    break;
                case ConsoleKey.Delete:
                    if (cursor < line.Length)
                        line.Remove(cursor, 1);
                    break;
                case ConsoleKey.UpArrow or ConsoleKey.P when k.Key == ConsoleKey.UpArrow || ctrl:
                    if (recall > 0)
                    {
                        if (recall == _history.Count)
                            draft = line.ToString();
                        recall--;
                        line.Clear().Append(_history[recall]);
                        cursor = line.Length;
                    }
                    break;
                case ConsoleKey.DownArrow or ConsoleKey.N when k.Key == ConsoleKey.DownArrow || ctrl:
                    if (recall < _history.Count)
                    {
                        recall++;
                        line.Clear().Append(recall == _history.Count ? draft : _history[recall]);
                        cursor = line.Length;
                    }
                    break;
                case ConsoleKey.Tab:
                    cursor = Complete(line, cursor, prompt);
                    break;
                default:
                    if (k.KeyChar >= ' ' && !ctrl)
                        line.Insert(cursor++, k.KeyChar);
                    break;
            }
            Redraw(prompt, line, cursor);
        }
    }

    private int Complete(StringBuilder line, int cursor, string prompt)
    {
        string text = line.ToString();
        int start = text.LastIndexOf(' ', Math.Max(0, cursor - 1)) + 1;
        if (cursor == 0)
            start = 0;
        string word = text[start..cursor];
        IReadOnlyList<string> choices = _complete(text, cursor).Where(c => c.StartsWith(word, StringComparison.Ordinal)).Distinct().ToList();
        if (choices.Count == 0)
            return cursor;
        string common = choices.Aggregate((a, b) => a[..Enumerable.Range(0, Math.Min(a.Length, b.Length)).TakeWhile(i => a[i] == b[i]).Count()]);
        string insert = common[word.Length..] + (choices.Count == 1 ? " " : "");
        if (insert.Length == 0 && choices.Count > 1)
        {
            _out.WriteLine();
            _out.WriteLine(string.Join("  ", choices));
            _out.Write(prompt);
            _out.Write(text);
        }
        line.Insert(cursor, insert);
        return cursor + insert.Length;
    }

    private void Redraw(string prompt, StringBuilder line, int cursor)
    {
        _out.Write('\r');
        _out.Write(prompt);
        _out.Write(line.ToString());
        _out.Write("\u001b[K");
        if (line.Length > cursor)
            _out.Write($"\u001b[{line.Length - cursor}D");
        _out.Flush();
    }

    private void Remember(string text)
    {
        if (text.Trim().Length == 0 || (_history.Count > 0 && _history[^1] == text))
            return;
        _history.Add(text);
        if (_historyFile is null)
            return;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_historyFile)!);
            if (_history.Count > HistoryLimit)
            {
                _history.RemoveRange(0, _history.Count - HistoryLimit);
                File.WriteAllLines(_historyFile, _history);
            }
            else
            {
                File.AppendAllLines(_historyFile, [text]);
            }
        }
        catch (IOException)
        {
            // History is a convenience: a read-only home keeps it for this session only.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
