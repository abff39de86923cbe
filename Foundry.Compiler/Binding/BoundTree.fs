/// The bound tree: the AST with every name resolved against the catalog and every expression typed.
/// Its shape follows meaning, not syntax: no parentheses, implicit casts are explicit Cast nodes, and
/// each node carries the span of the syntax it came from so later phases can still point at the query.
module Foundry.Compiler.Binding.BoundTree

open Foundry.Compiler.Diagnostics
open Foundry.Runtime

/// A SQL value known at compile time.
type Value =
    | VNull
    | VInteger of int64
    | VReal of float
    | VText of string
    | VBoolean of bool

/// A column flowing through a plan. Ids are unique within one statement; plans refer to columns by id.
type Column =
    { Id: int
      Name: string
      Type: SqlType
      Nullable: bool }

type UnaryOp =
    | Negate
    | Not

type BinaryOp =
    | Add
    | Subtract
    | Multiply
    | Divide
    | Modulo
    | Concat
    | Equal
    | NotEqual
    | Less
    | LessOrEqual
    | Greater
    | GreaterOrEqual
    | And
    | Or

type Expr =
    { Kind: ExprKind
      Type: SqlType
      Nullable: bool
      Span: Span }

and ExprKind =
    | Constant of Value
    | ColumnRef of Column
    | Unary of UnaryOp * Expr
    /// Operands already share a type (the binder inserts casts); comparisons yield BOOLEAN.
    | Binary of BinaryOp * Expr * Expr
    | IsNull of Expr * negated: bool
    /// A safe implicit conversion: INTEGER to REAL, or any scalar to TEXT for ||.
    | Cast of Expr * SqlType

/// A table in a FROM clause: its schema and the columns it produces, in ordinal order.
type TableRef =
    { Schema: TableSchema
      Alias: string
      Columns: Column list }

type SortKey = { Expr: Expr; Descending: bool }

type Select =
    { Output: (string * Expr) list
      From: TableRef option
      Where: Expr option
      OrderBy: SortKey list
      Limit: int64 option
      Offset: int64 }

type Insert =
    { Table: TableSchema
      /// Each row holds one expression per table column, in ordinal order (NULL where not given).
      Rows: Expr list list
      Span: Span }

type ColumnDefinition = { Name: string; Type: SqlType; NotNull: bool }

type CreateTable =
    { Name: string
      Columns: ColumnDefinition list
      PrimaryKey: int list
      IfNotExists: bool }

type Statement =
    | Select of Select
    | Insert of Insert
    | CreateTable of CreateTable
    | DropTable of name: string * ifExists: bool

module Value =
    let typeOf =
        function
        | VNull -> SqlType.Null
        | VInteger _ -> SqlType.Integer
        | VReal _ -> SqlType.Real
        | VText _ -> SqlType.Text
        | VBoolean _ -> SqlType.Boolean

    /// SQL literal text for the value, used by printers.
    let toSql =
        function
        | VNull -> "NULL"
        | VInteger i -> string i
        | VReal r ->
            let s = r.ToString("R", System.Globalization.CultureInfo.InvariantCulture)
            if s.Contains "." || s.Contains "E" || s.Contains "N" || s.Contains "I" then s else s + ".0"
        | VText s -> "'" + s.Replace("'", "''") + "'"
        | VBoolean b -> if b then "TRUE" else "FALSE"

module Expr =
    let make kind typ nullable span =
        { Kind = kind; Type = typ; Nullable = nullable; Span = span }

    let constant value span =
        make (Constant value) (Value.typeOf value) (value = VNull) span

    let column (c: Column) span = make (ColumnRef c) c.Type c.Nullable span

    /// Every column the expression reads.
    let rec columns (e: Expr) : Column list =
        match e.Kind with
        | Constant _ -> []
        | ColumnRef c -> [ c ]
        | Unary(_, x)
        | IsNull(x, _)
        | Cast(x, _) -> columns x
        | Binary(_, a, b) -> columns a @ columns b

    /// Rebuilds the expression with every column reference replaced by `f column` (or kept when None).
    let rec substitute (f: Column -> Expr option) (e: Expr) : Expr =
        match e.Kind with
        | Constant _ -> e
        | ColumnRef c -> (match f c with Some r -> r | None -> e)
        | Unary(op, x) -> { e with Kind = Unary(op, substitute f x) }
        | IsNull(x, n) -> { e with Kind = IsNull(substitute f x, n) }
        | Cast(x, t) -> { e with Kind = Cast(substitute f x, t) }
        | Binary(op, a, b) -> { e with Kind = Binary(op, substitute f a, substitute f b) }

    /// The conjuncts of an AND tree.
    let rec conjuncts (e: Expr) =
        match e.Kind with
        | Binary(And, a, b) -> conjuncts a @ conjuncts b
        | _ -> [ e ]

    let conjoin (es: Expr list) =
        match es with
        | [] -> None
        | first :: rest ->
            rest
            |> List.fold (fun acc e ->
                make (Binary(And, acc, e)) SqlType.Boolean (acc.Nullable || e.Nullable) (Span.Union(acc.Span, e.Span)))
                first
            |> Some
