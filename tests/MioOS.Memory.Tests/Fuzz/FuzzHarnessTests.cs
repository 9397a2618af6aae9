using System.Buffers.Binary;
using MioOS.Memory.Boot;
using MioOS.Memory.Fuzz;
using MioOS.Memory.Fuzz.Targets;
using MioOS.Memory.Tests.Support;

namespace MioOS.Memory.Tests.Fuzz;

/// <summary>
/// The fuzz harness itself (fuzz/MioOS.Memory.Fuzz): its seeds are clean, its oracle flags what it must, and the
/// inputs the fuzzer found, as the harness sees them, no longer are findings.
/// </summary>
public class FuzzHarnessTests
{
    public static TheoryData<string> Targets()
    {
        var data = new TheoryData<string>();
        foreach (FuzzTarget t in FuzzTarget.All)
            data.Add(t.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_seed_made_from_the_repository_data_passes_its_target(string name)
    {
        FuzzTarget target = FuzzTarget.Find(name)!;
        var seeds = target.Seeds(TestData.Root).ToList();
        Assert.NotEmpty(seeds);
        foreach (var (_, bytes) in seeds)
            target.Run(bytes);
    }

    [Fact]
    public void A_captured_boot_becomes_an_image_of_its_segments_byte_for_byte_with_the_info_block_first()
    {
        var capture = MioOS.Memory.Hosting.Boot.BootInfoCapture.Load(TestData.BootInfo("mb1-256M-mods.txt"));
        var records = BootImage.Decode(BootImage.FromCapture(capture));
        Assert.Equal(capture.InfoAddress, records[0].Address);
        Assert.Equal(capture.Segments.Count, records.Count);
        foreach (var s in capture.Segments)
            Assert.Contains(records, r => r.Address == s.Address && r.Bytes.Span.SequenceEqual(s.Data));
    }

    [Fact]
    public void The_boot_oracle_flags_a_read_past_an_mb2_block_and_any_write()
    {
        using var ram = new CheckedBootRam();
        byte[] block = new byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(block, 24);
        uint info = ram.Load(BootImage.Encode([(0x15A000u, block)]));
        ram.Allow(BootProtocol.Multiboot2, info);
        Assert.Equal(0u, ram.Window.Read<uint>(info + 20));
        Assert.Throws<FuzzFinding>(() => ram.Window.Read<uint>(info + 22)); // straddles the end
        Assert.Throws<FuzzFinding>(() => ram.Window.Read<byte>(info + 24));
        Assert.Throws<FuzzFinding>(() => ram.Window.Read<byte>(info - 1));
        Assert.Throws<FuzzFinding>(() => ram.Window.Write(info, 0u));
    }

    [Fact]
    public void The_boot_oracle_lets_an_mb1_string_be_read_up_to_its_nul_and_no_further()
    {
        using var ram = new CheckedBootRam();
        byte[] mbi = new byte[116];
        BinaryPrimitives.WriteUInt32LittleEndian(mbi, 1u << 2); // command line only
        BinaryPrimitives.WriteUInt32LittleEndian(mbi.AsSpan(16), 0x20000);
        uint info = ram.Load(BootImage.Encode([(0x9500u, mbi), (0x20000u, "ab\0c"u8.ToArray())]));
        ram.Allow(BootProtocol.Multiboot1, info);
        Assert.Equal((byte)0, ram.Window.Read<byte>(0x20002));
        Assert.Throws<FuzzFinding>(() => ram.Window.Read<byte>(0x20003));
        Assert.Equal(0u, ram.Window.Read<uint>(info + 112));
        Assert.Throws<FuzzFinding>(() => ram.Window.Read<uint>(info + 116));
    }

    [Fact]
    public void The_next_image_starts_from_clean_ram()
    {
        using var ram = new CheckedBootRam();
        byte[] block = new byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(block, 24);
        block[20] = 0xAB;
        ram.Load(BootImage.Encode([(0x15A000u, block)]));
        uint info = ram.Load(BootImage.Encode([(0x15A000u, block[..8])]));
        ram.Allow(BootProtocol.Multiboot2, info);
        Assert.Equal((byte)0, ram.Window.Read<byte>(info + 20));
    }

    /// <summary>The smallest inputs of each finding of the fuzz runs (docs/reliability.md), as the harness takes them.</summary>
    public static TheoryData<string, byte[]> Findings() => new()
    {
        // mb2: total_size 17 ends inside the padding after a 9-byte command-line tag.
        { "mb2", BootImage.Encode([(0x15A000u, [17, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0, 0])]) },
        // mb1: a memory map of two reserved ranges that cover the whole 64-bit space.
        { "mb1", Mb1WithMap((0, 0x8000000000000000, 2), (0x8000000000000000, 0x8000000000000000, 2)) },
    };

    [Theory]
    [MemberData(nameof(Findings))]
    public void What_the_fuzzer_found_is_no_longer_a_finding(string name, byte[] input)
    {
        FuzzTarget.Find(name)!.Run(input);
    }

    private static byte[] Mb1WithMap(params (ulong Base, ulong Length, uint Type)[] entries)
    {
        byte[] mbi = new byte[116], map = new byte[24 * entries.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(mbi, 1u << 6);
        BinaryPrimitives.WriteUInt32LittleEndian(mbi.AsSpan(44), (uint)map.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(mbi.AsSpan(48), 0x9000);
        for (int i = 0; i < entries.Length; i++)
        {
            Span<byte> e = map.AsSpan(24 * i);
            BinaryPrimitives.WriteUInt32LittleEndian(e, 20);
            BinaryPrimitives.WriteUInt64LittleEndian(e[4..], entries[i].Base);
            BinaryPrimitives.WriteUInt64LittleEndian(e[12..], entries[i].Length);
            BinaryPrimitives.WriteUInt32LittleEndian(e[20..], entries[i].Type);
        }
        return BootImage.Encode([(0x9500u, mbi), (0x9000u, map)]);
    }
}
