using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace MioOS.Memory.Tests.Cli;

public class ShellCommandTests
{
    private static (int Exit, string Out, string Err) Shell(string script, params string[] options)
    {
        var r = Support.Cli.RunWith(script, MioOS.Memory.Cli.Io.Terminal.Unwrapped, ["shell", .. options]);
        return (r.ExitCode, r.Stdout, r.Stderr);
    }

    [Fact]
    public void A_script_allocates_maps_and_checks_with_one_answer_per_line()
    {
        var (exit, output, _) = Shell("kmalloc 100\nalloc_frame 4\nalloc_frame 2 identity\nalloc_page 0x40000000 0x00300000\ntranslate 0x40000123\nmeminfo\nheapinfo\ncheck\n");
        Assert.Equal(0, exit);
        string[] lines = output.Trim().Split('\n');
        Assert.Equal(8, lines.Length);
        Assert.StartsWith("0x002004", lines[0]);             // first fit: right after the heap's control block
        Assert.Equal("0x40000123 -> 0x00300123", lines[4]);
        Assert.Equal("integrity: pmm ok, heap ok", lines[7]);
    }

    [Fact]
    public void Every_spec_function_answers_by_its_name()
    {
        string script = """
            alloc_frame 1
            alloc_page 0x40000000 0x00300000
            alloc_page_4mib 0x80000000 0x01000000
            identity_map_region 0x02000000 0x02400000 4m
            query 0x40000000
            query 0x80001000
            translate 0x02000010
            free_page 0x40000000
            query 0x40000000
            kmalloc 64
            krealloc 0x00200408 40
            kcalloc 4 16
            kmalloc_aligned 100 4096
            kfree 0x00200408
            check
            """;
        var (exit, output, error) = Shell(script + "\n");
        Assert.True(exit == 0, error);
        string[] a = output.Trim().Split('\n');
        Assert.Equal(15, a.Length);
        Assert.Equal("0x40000000 -> 0x00300000, 4K page, P W", a[4]);
        Assert.StartsWith("0x80001000 -> 0x01001000, 4M page", a[5]);
        Assert.Equal("0x02000010 -> 0x02000010", a[6]);
        Assert.Equal("free_page 0x40000000: ok", a[7]);
        Assert.Equal("0x40000000: not mapped", a[8]);
        Assert.Equal("0x00200408", a[9]);
        Assert.Equal("0x00200408", a[10]); // shrunk in place
        Assert.EndsWith("000", a[12]); // aligned to 4096
        Assert.Equal("integrity: pmm ok, heap ok", a[14]);
    }

    [Fact]
    public void A_refused_call_is_answered_and_the_session_ends_with_1_saying_why()
    {
        var (exit, output, error) = Shell("kmalloc 16\nkfree 0x1234\ncheck\n");
        Assert.Equal(1, exit);
        Assert.Contains("kfree 0x00001234: refused: ForeignPointer", output);
        Assert.Contains("integrity: pmm ok, heap ok", output);
        Assert.Contains("1 of 3 calls refused (line 2: kfree 0x00001234: refused: ForeignPointer)", error);
    }

    [Theory]
    [InlineData("free_page 0x200000\nkmalloc 16\nkmalloc 32\n", "line 2: kernel page fault during 'kmalloc 16': CR2 = 0x00200000, error code 0x2 (not present, write, supervisor); the machine stopped")]
    [InlineData("free_page 0x500000\nfree_frame 0x100000\n", "kernel page fault during 'free_frame 0x100000': CR2 = 0x00500000")]
    public void A_fault_inside_the_memory_manager_is_one_line_as_a_kernel_says_it_never_a_stack_trace(string script, string line)
    {
        var (exit, output, error) = Shell(script);
        Assert.Equal(1, exit);
        Assert.Contains(line, error);
        Assert.DoesNotContain("   at ", error + output);
        Assert.DoesNotContain("Exception", error + output);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("kmalloc 99999999999", "too large")]
    [InlineData("kmalloc 22222222222222222222222222221K", "not a number")] // found by fuzzing the shell
    [InlineData("kfree banana", "'banana' is not a number")]
    [InlineData("check now", "'check' takes 0 arguments, not 1")]
    [InlineData("kmalloc", "'kmalloc' needs 1 argument")]
    [InlineData("alloc_frame 1 2 3 4 5", "at most 4 arguments")]
    [InlineData("frobnicate 3", "unknown command 'frobnicate'")]
    public void Bad_input_names_the_line_in_the_users_terms_and_exits_2(string line, string why)
    {
        var (exit, _, error) = Shell("kmalloc 16\n" + line + "\n");
        Assert.Equal(2, exit);
        Assert.Contains("line 2", error);
        Assert.Contains(why, error);
        Assert.DoesNotContain("Arithmetic", error);
        Assert.DoesNotContain("unit", error);
        Assert.DoesNotContain("Exception", error);
    }

    [Fact]
    public void Json_gives_one_object_per_command()
    {
        var (exit, output, _) = Shell("kmalloc 100\nkfree 0x1234\nquery 0x200000\ncheck\n", "--json");
        Assert.Equal(1, exit);
        JsonNode[] answers = output.Trim().Split('\n').Select(l => JsonNode.Parse(l)!).ToArray();
        Assert.Equal(4, answers.Length);
        Assert.Equal(0x200408u, (uint)answers[0]["pointer"]!);
        Assert.False((bool)answers[1]["ok"]!);
        Assert.Equal("ForeignPointer", (string)answers[1]["status"]!);
        Assert.Equal("4K", (string)answers[2]["pageSize"]!);
        Assert.Equal("ok", (string)answers[3]["heap"]!);
    }

    [Fact]
    public void The_pictures_of_the_shells_state_are_written()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"mioos-shell-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            var (exit, _, error) = Shell($"kmalloc 100\nalloc_frame 3\nmap {dir}/m.svg\nheapmap {dir}/h.svg 64\npagetables {dir}/p.svg 0\n");
            Assert.True(exit == 0, error);
            var titles = (string f) => XDocument.Load(Path.Combine(dir, f)).Descendants().Where(e => e.Name.LocalName == "title").Select(e => e.Value).ToList();
            Assert.Contains(titles("m.svg"), t => t.StartsWith("allocated: ", StringComparison.Ordinal) && t.Contains("(12 KiB)"));
            Assert.Contains(titles("h.svg"), t => t.StartsWith("used: 0x00200400-", StringComparison.Ordinal));
            Assert.Contains(titles("p.svg"), t => t.StartsWith("entry 0: ", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
