using System.Diagnostics.CodeAnalysis;

namespace Foundry.Storage;

/// <summary>
/// A forward cursor over a <see cref="BTree"/>. It keeps the current leaf pinned, so the current entry's
/// bytes stay valid (in <see cref="CurrentBuffer"/>, the page frame itself — no copy) until the cursor moves
/// or is disposed. Generated query code reads values without copying through
/// <see cref="CurrentBuffer"/> + <see cref="ValueOffset"/> and <see cref="RecordReader"/>.
///
/// States: unpositioned (IsValid false, nothing pinned) -> First/Seek -> positioned (IsValid, leaf pinned)
/// -> Next … -> past the end (IsValid false, nothing pinned). Dispose releases the pin in any state.
/// Modifying the tree invalidates the position; re-Seek afterwards.
/// </summary>
public sealed class BTreeCursor : IDisposable
{
    private readonly BTree _tree;
    private PageRef _leaf;
    private bool _pinned;
    private int _slot;
    private int _keyOffset, _keyLength, _valueOffset, _valueLength;

    internal BTreeCursor(BTree tree) => _tree = tree;

    public bool IsValid { get; private set; }

    /// <summary>The buffer holding the current entry: the pinned leaf's page frame.</summary>
    public byte[] CurrentBuffer
    {
        get
        {
            EnsureValid();
            return _leaf.Buffer;
        }
    }

    public int KeyOffset => IsValid ? _keyOffset : ThrowInvalid();

    public int KeyLength => IsValid ? _keyLength : ThrowInvalid();

    public int ValueOffset => IsValid ? _valueOffset : ThrowInvalid();

    public int ValueLength => IsValid ? _valueLength : ThrowInvalid();

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
            return _leaf.Buffer.AsSpan(_valueOffset, _valueLength);
        }
    }

    /// <summary>Positions on the smallest key; false when the tree is empty.</summary>
    public bool First()
    {
        _tree.ThrowIfDropped();
        Release();
        _leaf = _tree.Pager.Get(_tree.LeftmostLeaf());
        _pinned = true;
        _slot = 0;
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

    public void Dispose() => Release();

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
            _leaf = _tree.Pager.Get(next);
            _pinned = true;
            _slot = 0;
        }
        byte[] buf = _leaf.Buffer;
        _keyOffset = Node.LeafKeyOffset(buf, _slot);
        _keyLength = Node.LeafKeyLength(buf, _slot);
        _valueOffset = _keyOffset + _keyLength;
        _valueLength = Node.LeafValueLength(buf, _slot);
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
