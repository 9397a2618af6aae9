using System;
using System.IO;
using System.Linq;
using Xunit.Abstractions;

namespace MioOS.Memory.Tests.Misuse;

/// <summary>
/// The misuse campaign of docs/reliability.md: every misuse leaves every other block, run and page as it was, and the
/// ones the layers can tell are answered. With <c>MIOOS_MISUSE_TABLE=FILE</c> the table is written to FILE (that is
/// how the doc's table is made).
/// </summary>
public class MisuseCampaignTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_misuse_leaves_every_other_block_run_and_page_intact_and_the_table_says_what_was_detected()
    {
        MisuseOutcome[] outcomes = [.. MisuseCampaign.Heap(), .. MisuseCampaign.Pmm(), .. MisuseCampaign.Vmm()];
        string table = MisuseCampaign.Table(outcomes);
        output.WriteLine(table);
        if (Environment.GetEnvironmentVariable("MIOOS_MISUSE_TABLE") is { Length: > 0 } path)
            File.WriteAllText(path, table);

        Assert.All(outcomes, o => Assert.True(o.OthersIntact, $"{o.Layer}: {o.Misuse} changed another block, run or page"));
        // Every misuse that is a call with a bad argument is answered by that call.
        foreach (MisuseOutcome o in outcomes.Where(o => o.Layer != "heap" && o.Misuse != "use of a freed run that was not mapped"))
            Assert.True(o.Detected, $"{o.Layer}: {o.Misuse} went unanswered");
        foreach (string misuse in new[] { "double free", "interior pointer (block + 8)", "misaligned pointer (block + 1)", "foreign pointer (a frame run)" })
            Assert.True(outcomes.Single(o => o.Misuse == misuse).Detected, misuse);
    }
}
