namespace Foundry.Storage;

/// <summary>The kind of a page, stored in byte 12 of every page header.</summary>
public enum PageType : byte
{
    /// <summary>Never written (all zero). Only seen in a page allocated and not yet formatted.</summary>
    Unformatted = 0,
    /// <summary>Page 0: the file header.</summary>
    FileHeader = 1,
    /// <summary>A B+Tree leaf: keys and values, with a right-sibling link.</summary>
    BTreeLeaf = 2,
    /// <summary>A B+Tree interior node: separator keys and child page ids.</summary>
    BTreeInterior = 3,
    /// <summary>A page on the free list.</summary>
    Free = 4,
    /// <summary>Part of the chain holding a B+Tree value too large for its leaf (see OverflowChain).</summary>
    Overflow = 5,
}
