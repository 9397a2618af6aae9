using CsCheck;
using MioOS.Memory.Heap;

namespace MioOS.Memory.Tests.Heap;

public class HeapPropertyTests
{
    private static readonly Gen<uint> Size = Gen.Frequency(
        (40, Gen.UInt[1, 64]),
        (30, Gen.UInt[1, 1024]),
        (20, Gen.UInt[1, 16 * 1024]),
        (8, Gen.UInt[1, 300 * 1024]),
        (2, Gen.UInt[1, 3 * 1024 * 1024]));

    private static readonly Gen<HeapOp> Op = Gen.Select(Gen.Int[0, 99], Size, Gen.UInt[0, 40], Gen.Int[0, 1 << 20],
        (k, a, b, pick) => k switch
        {
            < 35 => new HeapOp(HeapOpKind.Malloc, a, 0, pick),
            < 42 => new HeapOp(HeapOpKind.Calloc, b == 0 ? a : (a / (b + 1)) + (pick % 3 == 0 ? 0u : 1u), b + 1, pick),
            < 57 => new HeapOp(HeapOpKind.Realloc, pick % 17 == 0 ? 0 : a, 0, pick),
            < 62 => new HeapOp(HeapOpKind.Aligned, a, b, pick),
            _ => new HeapOp(HeapOpKind.Free, 0, 0, pick),
        });

    [Theory]
    [InlineData(FirstFitModel.KernelGranule)]
    [InlineData(FirstFitModel.MallocGranule)]
    public void Random_sequences_match_the_first_fit_model_step_by_step(uint granule)
    {
        Op.Array[1, 250].Sample(ops =>
        {
            using var h = new HeapHarness(granule: granule);
            foreach (HeapOp op in ops)
                h.Apply(op);
            h.CheckAllContents();
            h.FreeAll();
            HeapStats s = h.Heap.Stats();
            uint spares = s.SpareBytes == 0 ? 0u : 1u; // at most one wholly free grown segment is kept
            Assert.Equal(1u + spares, s.Segments);
            Assert.Equal(1u + spares, s.FreeBlocks);
            Assert.Equal(0u, s.Blocks);
        }, iter: 150, threads: 1);
    }

    [Theory]
    [InlineData(FirstFitModel.KernelGranule)]
    [InlineData(FirstFitModel.MallocGranule)]
    public void Small_heap_with_no_growth_matches_the_model_through_exhaustion(uint granule)
    {
        Op.Array[1, 300].Sample(ops =>
        {
            using var h = new HeapHarness(initialSize: 48 * 1024, growthBytes: 0, granule: granule);
            foreach (HeapOp op in ops)
                h.Apply(op);
            h.FreeAll();
            Assert.Equal(1u, h.Heap.Stats().FreeBlocks);
        }, iter: 100, threads: 1);
    }

    [Theory]
    [InlineData(FirstFitModel.KernelGranule)]
    [InlineData(FirstFitModel.MallocGranule)]
    public void All_freed_in_any_order_leaves_one_free_block_per_segment(uint granule)
    {
        Gen.Select(Gen.UInt[1, 200_000].Array[1, 120], Gen.Int.Array[120]).Sample((sizes, order) =>
        {
            using var h = new HeapHarness(initialSize: 256 * 1024, growthBytes: 32 * 1024 * 1024, granule: granule);
            foreach (uint size in sizes)
                h.Apply(new HeapOp(HeapOpKind.Malloc, size, 0, 0));
            foreach (int pick in order)
                if (h.LiveCount > 0)
                    h.Apply(new HeapOp(HeapOpKind.Free, 0, 0, pick & int.MaxValue));
            h.FreeAll();
            HeapStats s = h.Heap.Stats();
            Assert.Equal(s.Segments, s.FreeBlocks);
            Assert.Equal(s.SizeBytes, s.FreeBytes);
        }, iter: 60, threads: 1);
    }
}
