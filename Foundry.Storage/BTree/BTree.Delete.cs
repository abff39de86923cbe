namespace Foundry.Storage;

public sealed partial class BTree
{
    /// <summary>
    /// Removes the entry with <paramref name="key"/>; false when absent. Removes from the leaf only:
    /// no merge or redistribution yet, so leaves may become empty (BT7) while separators stay valid (BT4).
    /// </summary>
    public bool Delete(ReadOnlySpan<byte> key)
    {
        ThrowIfDropped();
        using PageRef leaf = FindLeaf(key);
        int slot = Node.LowerBound(leaf.Buffer, key, leaf: true, out bool found);
        if (!found)
        {
            return false;
        }
        Node.RemoveCell(leaf.Buffer, slot, leaf: true);
        leaf.MarkDirty();
        return true;
    }
}
