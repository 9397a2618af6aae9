using MioOS.Memory.Physical;

namespace MioOS.Memory.Tests.Physical;

/// <summary>The classes the free trees are augmented with: a length's own value below 1,024 frames, then eight
/// classes per power of two; never smaller for a longer extent, so a subtree whose classes are all below a request's
/// holds nothing that fits.</summary>
public class ExtentClassTests
{
    [Theory]
    [InlineData(1u, 1u)]
    [InlineData(1023u, 1023u)]
    [InlineData(1024u, 1024u)]   // 1024..1151: the first eighth of [1024, 2048)
    [InlineData(1151u, 1024u)]
    [InlineData(1152u, 1025u)]
    [InlineData(2047u, 1031u)]
    [InlineData(2048u, 1032u)]
    [InlineData(uint.MaxValue, 1024u + 21 * 8 + 7)]
    public void Hand_worked_classes(uint length, uint expected) => Assert.Equal(expected, ExtentClass.Of(length));

    [Fact]
    public void Classes_grow_with_lengths_and_each_is_less_than_an_eighth_wide()
    {
        uint previous = 0, classStart = 1;
        for (uint length = 1; length < 1u << 22; length++)
        {
            uint c = ExtentClass.Of(length);
            Assert.True(c == previous || c == previous + 1, $"{length}: class {c} after {previous}");
            if (c != previous)
                classStart = length;
            Assert.True((ulong)(length - classStart) * 8 < classStart, $"{length} shares a class with {classStart}");
            previous = c;
        }
    }
}
