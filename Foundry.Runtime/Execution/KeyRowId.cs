using Foundry.Storage;

namespace Foundry.Runtime;

/// <summary>Reads the rowid back out of a rowid table's encoded key (an UPDATE keeps each row's rowid).</summary>
public static class KeyRowId
{
    public static long Of(byte[] key) => KeyReader.Decode(key) is [long rowid] ? rowid : throw new InvalidOperationException("Foundry bug: a rowid table's key is not one integer");
}
