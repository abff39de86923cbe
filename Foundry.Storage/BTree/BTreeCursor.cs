using System.Diagnostics.CodeAnalysis;

namespace Foundry.Storage;

/// <summary>
/// A cursor over a <see cref="BTree"/>, moving forwards and backwards. It keeps the current leaf pinned, so the current entry's
/// bytes stay valid (in <see cref="CurrentBuffer"/>, the page frame itself — no copy) until the cursor moves
/// or is disposed. Generated query code reads values without copying through
/// <see cref="CurrentBuffer"/> + <see cref="ValueOffset"/> and <see cref="RecordReader"/>.
///
/// States: unpositioned (IsValid false, nothing pinned) -> First/Seek/Last/SeekLast… -> positioned (IsValid,
/// leaf pinned) -> Next/Previous … -> past either end (IsValid false, nothing pinned). Dispose releases the pin
/// in any state. Next follows the leaf's right-sibling link; Previous steps back within the leaf and, at its
/// first entry, descends from the root to the last key below the current one (leaves have no left link), so
/// a backward scan costs one descent per leaf. Modifying the tree invalidates the position; re-Seek afterwards.
/// </summary>
public sealed class BTreeCursor : IDisposable
{
    private readonly BTree _tree;
    private PageRef _leaf;
    private bool _pinned;

    /// <summary>Sibling links followed since the last positioning: more than the file's pages means a cycle.</summary>
    private long _hops;
    private int _slot;
    private int _keyOffset, _keyLength, _valueOffset, _valueLength;
    private readonly List<(uint PageId, int Position)> _path = new();
    private byte[] _keyCopy = [];
    private bool _overflow, _isMaterialised;
    private byte[] _materialised = [];

    internal BTreeCursor(BTree tree) => _tree = tree;

    public bool IsValid { get; private set; }

    /// <summary>
    /// The buffer holding the current entry, key at <see cref="KeyOffset"/> and value at <see cref="ValueOffset"/>:
    /// the pinned leaf's page frame, or — when the value lives in overflow pages — this cursor's reusable
    /// buffer holding key and whole value contiguously (materialised on first access to the entry).
    /// </summary>
    public byte[] CurrentBuffer
    {
        get
        {
            EnsureValid();
            return _overflow ? Materialise() : _leaf.Buffer;
        }
    }

    public int KeyOffset
    {
        get
        {
            EnsureValid();
            if (_overflow)
            {
                Materialise();
                return 0;
            }
            return _keyOffset;
        }
    }

    public int KeyLength => IsValid ? _keyLength : ThrowInvalid();

    public int ValueOffset
    {
        get
        {
            EnsureValid();
            if (_overflow)
            {
                Materialise();
                return _keyLength;
            }
            return _valueOffset;
        }
    }

    /// <summary>Length of the whole value, inline or in overflow pages.</summary>
    public int ValueLength => IsValid ? _valueLength : ThrowInvalid();

    /// <summary>True when the current value is stored in overflow pages (reading it materialises it).</summary>
    public bool ValueIsInOverflow => IsValid ? _overflow : ThrowInvalid() != 0;

    public ReadOnlySpan<byte> Key
    {
        get
        {
            EnsureValid();
            return _leaf.Buffer.AsSpan(_keyOffset, _keyLength);
        }
    }

    public ReadOnlySpan<byte> Value
    {
        get
        {
            EnsureValid();
            return _overflow
                ? Materialise().AsSpan(_keyLength, _valueLength)
                : _leaf.Buffer.AsSpan(_valueOffset, _valueLength);
        }
    }

    /// <summary>Copies key and whole value of the current overflow entry into <see cref="_materialised"/>, once per entry.</summary>
    private byte[] Materialise()
    {
        if (!_isMaterialised)
        {
            int needed = _keyLength + _valueLength;
            if (_materialised.Length < needed)
            {
                _materialised = new byte[Math.Max(needed, (int)Math.Min(2L * _materialised.Length, Array.MaxLength))];
            }
            byte[] leaf = _leaf.Buffer;
            leaf.AsSpan(_keyOffset, _keyLength).CopyTo(_materialised);
            _tree.ReadValue(leaf, _slot, _materialised.AsSpan(_keyLength, _valueLength));
            _isMaterialised = true;
        }
        return _materialised;
    }

    /// <summary>Positions on the smallest key; false when the tree is empty.</summary>
    public bool First()
    {
        _tree.ThrowIfDropped();
        Release();
        _leaf = _tree.Pager.Get(_tree.LeftmostLeaf());
        _pinned = true;
        _slot = 0;
        _hops = 0;
        return SettleForward();
    }

    /// <summary>Positions on the first key &gt;= <paramref name="key"/>; false when there is none.</summary>
    public bool Seek(ReadOnlySpan<byte> key)
    {
        _tree.ThrowIfDropped();
        Release();
        _leaf = _tree.FindLeaf(key);
        _pinned = true;
        _slot = Node.LowerBound(_leaf.Buffer, key, leaf: true, out _);
        _hops = 0;
        return SettleForward();
    }

    /// <summary>Advances to the next key, following leaf sibling links; false past the end.</summary>
    public bool Next()
    {
        if (!IsValid)
        {
            return false;
        }
        _slot++;
        return SettleForward();
    }

    /// <summary>Positions on the largest key; false when the tree is empty.</summary>
    public bool Last()
    {
        _tree.ThrowIfDropped();
        return SeekBackward(default, hasBound: false, inclusive: false);
    }

    /// <summary>Positions on the largest key &lt; <paramref name="key"/>; false when there is none.</summary>
    public bool SeekLastBefore(ReadOnlySpan<byte> key)
    {
        _tree.ThrowIfDropped();
        return SeekBackward(key, hasBound: true, inclusive: false);
    }

    /// <summary>Positions on the largest key &lt;= <paramref name="key"/>; false when there is none.</summary>
    public bool SeekLastAtOrBefore(ReadOnlySpan<byte> key)
    {
        _tree.ThrowIfDropped();
        return SeekBackward(key, hasBound: true, inclusive: true);
    }

    /// <summary>Moves to the previous key; false (and unpositioned) before the first.</summary>
    public bool Previous()
    {
        if (!IsValid)
        {
            return false;
        }
        if (_slot > 0)
        {
            _slot--;
            return SettleForward();
        }
        ReadOnlySpan<byte> current = _leaf.Buffer.AsSpan(_keyOffset, _keyLength);
        if (_keyCopy.Length < current.Length)
        {
            _keyCopy = new byte[Math.Max(current.Length, 2 * _keyCopy.Length)];
        }
        current.CopyTo(_keyCopy);
        int length = current.Length;
        return SeekBackward(_keyCopy.AsSpan(0, length), hasBound: true, inclusive: false);
    }

    public void Dispose() => Release();

    /// <summary>
    /// Positions on the last entry below <paramref name="bound"/> (at or below when inclusive; the last entry
    /// of the tree without a bound). Descends recording (page, position) per level; when the leaf reached has
    /// no such entry, backs up to the deepest level with a child to the left and takes that subtree's last entry.
    /// </summary>
    private bool SeekBackward(ReadOnlySpan<byte> bound, bool hasBound, bool inclusive)
    {
        Release();
        _path.Clear();
        _hops = 0;
        Pager pager = _tree.Pager;
        uint id = _tree.RootPageId;
        while (true)
        {
            _tree.CheckDescent(_path.Count + 1);
            PageRef page = pager.Get(id);
            byte[] buf = page.Buffer;
            if (!Node.IsLeaf(buf))
            {
                int pos = hasBound ? Node.Route(buf, bound) : Node.Count(buf);
                _path.Add((id, pos));
                id = Node.ChildAt(buf, pos);
                page.Dispose();
                continue;
            }
            int slot = !hasBound ? Node.Count(buf) : inclusive ? Node.UpperBound(buf, bound, leaf: true) : Node.LowerBound(buf, bound, leaf: true, out _);
            if (slot > 0)
            {
                _leaf = page;
                _pinned = true;
                _slot = slot - 1;
                return SettleForward();
            }
            page.Dispose();
            // Everything in the subtree left of the deepest left turn is below the bound.
            hasBound = false;
            int level = _path.Count - 1;
            while (level >= 0 && _path[level].Position == 0)
            {
                level--;
            }
            if (level < 0)
            {
                return false;
            }
            (uint parentId, int position) = _path[level];
            _path.RemoveRange(level, _path.Count - level);
            using (PageRef parent = pager.Get(parentId))
            {
                id = Node.ChildAt(parent.Buffer, position - 1);
            }
            _path.Add((parentId, position - 1));
        }
    }

    /// <summary>From (leaf, slot), skips exhausted and empty leaves along the sibling chain.</summary>
    private bool SettleForward()
    {
        while (_slot >= Node.Count(_leaf.Buffer))
        {
            uint next = Node.Link(_leaf.Buffer);
            Release();
            if (next == 0)
            {
                return false;
            }
            if (++_hops > _tree.Pager.PageCount)
            {
                throw new StorageException(
                    $"B+Tree rooted at page {_tree.RootPageId} of '{_tree.Pager.Path}' is corrupt: its leaf sibling links form a cycle (more hops than the file has pages); run 'foundry check'");
            }
            _leaf = _tree.Pager.Get(next);
            _pinned = true;
            _slot = 0;
        }
        byte[] buf = _leaf.Buffer;
        Node.LeafCellLayout cell = Node.LeafCell(buf, _slot);
        _keyOffset = cell.KeyOffset;
        _keyLength = cell.KeyLength;
        _valueOffset = cell.PayloadOffset;
        _overflow = cell.Overflow;
        _valueLength = cell.Overflow ? BTree.OverflowTotalLength(buf, cell) : cell.PayloadLength;
        _isMaterialised = false;
        IsValid = true;
        return true;
    }

    private void Release()
    {
        IsValid = false;
        if (_pinned)
        {
            _pinned = false;
            _leaf.Dispose();
            _leaf = default;
        }
    }

    private void EnsureValid()
    {
        if (!IsValid)
        {
            ThrowInvalid();
        }
    }

    [DoesNotReturn]
    private static int ThrowInvalid() =>
        throw new InvalidOperationException("the cursor is not positioned on an entry (call First or Seek, and check their result and Next's)");
}
