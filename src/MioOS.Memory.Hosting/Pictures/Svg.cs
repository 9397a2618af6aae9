using System.Globalization;
using System.Security;
using System.Text;

namespace MioOS.Memory.Hosting.Pictures;

/// <summary>The small SVG writer the pictures share: invariant numbers, escaped text, a white page.</summary>
internal sealed class Svg
{
    private readonly StringBuilder _body = new();

    /// <summary>
    /// A rectangle. <paramref name="data"/> become <c>data-NAME</c> attributes: what the rectangle stands for, in
    /// a form a script can read (<c>key</c> names the thing, the same in every drawing of it, so a page can tell
    /// what appeared or changed between two drawings).
    /// </summary>
    public void Rect(double x, double y, double w, double h, string fill, string? title = null, string? stroke = null, double strokeWidth = 1, string? cssClass = null,
        IEnumerable<(string Name, string Value)>? data = null)
    {
        _body.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x:0.##}\" y=\"{y:0.##}\" width=\"{w:0.##}\" height=\"{h:0.##}\" fill=\"{fill}\"");
        if (stroke is not null)
            _body.Append(CultureInfo.InvariantCulture, $" stroke=\"{stroke}\" stroke-width=\"{strokeWidth:0.##}\"");
        if (cssClass is not null)
            _body.Append(CultureInfo.InvariantCulture, $" class=\"{cssClass}\"");
        if (data is not null)
            foreach (var (name, value) in data)
                _body.Append(CultureInfo.InvariantCulture, $" data-{name}=\"{Esc(value)}\"");
        if (title is null)
            _body.Append("/>\n");
        else
            _body.Append(CultureInfo.InvariantCulture, $"><title>{Esc(title)}</title></rect>\n");
    }

    public void Text(double x, double y, string text, string? attributes = null) =>
        _body.Append(CultureInfo.InvariantCulture, $"<text x=\"{x:0.##}\" y=\"{y:0.##}\"{(attributes is null ? "" : " " + attributes)}>{Esc(text)}</text>\n");

    public void Line(double x1, double y1, double x2, double y2, string stroke, double width = 1, string? dash = null) =>
        _body.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x1:0.##}\" y1=\"{y1:0.##}\" x2=\"{x2:0.##}\" y2=\"{y2:0.##}\" stroke=\"{stroke}\" stroke-width=\"{width:0.##}\"{(dash is null ? "" : $" stroke-dasharray=\"{dash}\"")}/>\n");

    /// <summary>A legend row of swatches starting at (<paramref name="x"/>, <paramref name="y"/>); returns the y below it.</summary>
    public double Legend(double x, double y, double width, IEnumerable<(string Colour, string Label)> items, string? stroke = null)
    {
        double cx = x;
        foreach (var (colour, label) in items)
        {
            double w = 26 + 7.2 * label.Length;
            if (cx + w > x + width)
            {
                cx = x;
                y += 20;
            }
            Rect(cx, y - 11, 14, 14, colour, stroke: stroke ?? "#555", strokeWidth: 0.5);
            Text(cx + 20, y, label);
            cx += w + 14;
        }
        return y + 24;
    }

    public string Document(double width, double height) =>
        string.Create(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:0}\" height=\"{height:0}\" viewBox=\"0 0 {width:0} {height:0}\" font-family=\"DejaVu Sans Mono, monospace\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n{_body}</svg>\n");

    public static string Esc(string s) => SecurityElement.Escape(s) ?? "";

    public static string Hex(ulong v) => v <= uint.MaxValue ? $"0x{v:X8}" : $"0x{v:X}";
}
