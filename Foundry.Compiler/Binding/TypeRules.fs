/// Foundry's static typing: which SQL type a type name means, and which operand types an operator
/// accepts. Implicit conversions are only the safe ones: INTEGER to REAL, and NULL to anything.
module Foundry.Compiler.Binding.TypeRules

open Foundry.Runtime

/// The SQL type a written type name means (case-insensitive), or None if it names no type.
let resolveTypeName (name: string) : SqlType option =
    match name.ToUpperInvariant() with
    | "INTEGER" | "INT" | "BIGINT" | "SMALLINT" | "TINYINT" | "MEDIUMINT" | "INT2" | "INT4" | "INT8" -> Some SqlType.Integer
    | "REAL" | "FLOAT" | "DOUBLE" | "DOUBLE PRECISION" | "FLOAT4" | "FLOAT8" | "NUMERIC" | "DECIMAL" -> Some SqlType.Real
    | "TEXT" | "VARCHAR" | "CHAR" | "CHARACTER" | "STRING" | "CLOB" | "CHARACTER VARYING" -> Some SqlType.Text
    | "BOOLEAN" | "BOOL" -> Some SqlType.Boolean
    | "BLOB" | "BYTEA" -> Some SqlType.Blob
    | _ -> None

let isNumeric (t: SqlType) = t = SqlType.Integer || t = SqlType.Real

/// The common type two operands are converted to before a numeric operator or comparison, or None
/// when no safe conversion exists. NULL takes the other side's type.
let unify (a: SqlType) (b: SqlType) : SqlType option =
    match a, b with
    | x, y when x = y -> Some x
    | SqlType.Null, y -> Some y
    | x, SqlType.Null -> Some x
    | SqlType.Integer, SqlType.Real
    | SqlType.Real, SqlType.Integer -> Some SqlType.Real
    | _ -> None

/// Whether a value of type `source` may be stored in a column of type `target` (assignment).
let assignable (source: SqlType) (target: SqlType) =
    source = target || source = SqlType.Null || (source = SqlType.Integer && target = SqlType.Real)
