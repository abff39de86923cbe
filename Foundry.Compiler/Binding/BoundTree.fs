/// The bound tree: the AST with every name resolved against the catalog and every expression typed.
/// Its shape follows meaning, not syntax: no parentheses; implicit casts are explicit Cast nodes;
/// BETWEEN, IN lists, COALESCE and NULLIF are rewritten into the comparisons and CASEs they mean;
/// aggregates are pulled out of expressions into the query's Grouping. Each node keeps the span of
/// the syntax it came from so that later phases can still point at the query.
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

/// Scalar built-in functions (aggregates are separate: AggregateFunction).
type ScalarFunction =
    | Abs
    | Length
    | Upper
    | Lower
    | Substr
    | Trim
    | LTrim
    | RTrim
    | Replace
    | Round

type AggregateFunction =
    | CountStar
    | Count
    | Sum
    | Avg
    | Min
    | Max
    /// SQLite's total(): a REAL sum that is 0.0, never NULL, on empty input.
    | Total

type SetOp =
    | Union
    | Intersect
    | Except

type JoinKind =
    | Inner
    | LeftOuter
    | RightOuter
    | FullOuter
    | Cross
    /// Keeps left rows with at least one match (EXISTS, IN after decorrelation); outputs left columns.
    | Semi
    /// Keeps left rows with no match (NOT EXISTS); outputs left columns.
    | Anti

type Expr =
    { Kind: ExprKind
      Type: SqlType
      Nullable: bool
      Span: Span }

and ExprKind =
    | Constant of Value
    | ColumnRef of Column
    /// Statement parameter n (1-based), of the type its context gave it.
    | Parameter of int
    | Unary of UnaryOp * Expr
    /// A comparison (= <> < <= > >=) of operands that already share a type (the binder inserts
    /// casts); yields BOOLEAN.
    | Binary of BinaryOp * Expr * Expr
    /// A left-associative chain `((first op1 e1) op2 e2) ...` of one operator level: AND, OR, || or
    /// arithmetic (+ and -, or *, / and %). Every operand has the chain's type, which is its result
    /// type (BOOLEAN for AND and OR, TEXT for ||): where a left-deep run would change type (INTEGER
    /// to REAL), the binder ends the chain and casts it to be the first operand of the next. Flat so
    /// that a chain of any length is a list that every pass walks with a loop. `steps` is never empty.
    | Chain of first: Expr * steps: (BinaryOp * Expr) list
    /// x [NOT] IN (c1, c2, ...) over constants: membership in a set hashed once per statement.
    /// `values` are the non-NULL constants, of x's type (INTEGER, REAL, TEXT or BOOLEAN); `hasNull`
    /// says the list held a NULL, so that a value not found is NULL rather than FALSE.
    | InSet of Expr * values: Value[] * hasNull: bool * negated: bool
    | IsNull of Expr * negated: bool
    /// a IS [NOT] DISTINCT FROM b: equality where NULL equals NULL; never NULL itself.
    | IsDistinctFrom of Expr * Expr * negated: bool
    /// CAST, or a safe implicit conversion (INTEGER to REAL, a scalar to TEXT for ||).
    | Cast of Expr * SqlType
    /// CASE WHEN c THEN r ... ELSE e END (the simple form is rewritten to this one).
    | Case of whens: (Expr * Expr) list * elseResult: Expr
    | Function of ScalarFunction * Expr list
    /// text [NOT] LIKE pattern [ESCAPE c]
    | Like of Expr * pattern: Expr * escape: Expr option * negated: bool
    /// A subquery used as a value, as EXISTS, or as IN; it may read columns of enclosing queries.
    | Subquery of SubqueryKind * Query

and SubqueryKind =
    | Scalar
    | Exists of negated: bool
    | In of Expr * negated: bool

and SortKey =
    { Expr: Expr
      Descending: bool
      NullsFirst: bool }

/// A table in a FROM clause: its schema and the columns it produces, in ordinal order.
and TableRef =
    { Schema: TableSchema
      Alias: string
      Columns: Column list }

and Source =
    | TableSource of TableRef
    /// A subquery in FROM (also a view or a CTE reference): its query and the columns it exposes.
    | DerivedSource of Query * alias: string * columns: Column list
    | JoinSource of JoinKind * Source * Source * condition: Expr option
    /// Inside a recursive CTE's step: the rows the previous iteration added.
    | WorkingTableSource of id: int * alias: string * columns: Column list

and AggregateCall =
    { Function: AggregateFunction
      Argument: Expr option
      Distinct: bool
      Type: SqlType }

/// GROUP BY keys and aggregates; after grouping only their columns are visible.
and Grouping =
    { Keys: (Column * Expr) list
      Aggregates: (Column * AggregateCall) list }

and Select =
    { From: Source option
      Where: Expr option
      Grouping: Grouping option
      Having: Expr option
      /// Output columns: the visible ones, then hidden ones ORDER BY needs.
      Output: (Column * Expr) list
      VisibleCount: int
      Distinct: bool }

and QueryBody =
    | SelectBody of Select
    | ValuesBody of rows: Expr list list * columns: Column list
    | SetOperation of SetOp * all: bool * QueryBody * QueryBody * columns: Column list
    /// WITH RECURSIVE: `base` UNION [ALL] `step`, where `step` reads working table `id` (the previous
    /// iteration's new rows), repeated until an iteration adds no row.
    | RecursiveUnion of id: int * all: bool * baseBody: QueryBody * step: QueryBody * columns: Column list

/// A query: its body, then ORDER BY over the body's output columns, then LIMIT/OFFSET.
and Query =
    { Body: QueryBody
      OrderBy: SortKey list
      Limit: Expr option
      Offset: Expr option
      /// The columns the query returns (the body's visible columns).
      Columns: Column list }

/// What is evaluated over each row a change writes (or, for DELETE, removes): one column per table
/// column (in ordinal order) that code binds to the row's values, the table's CHECK conditions over
/// them, and the RETURNING list (output columns and their expressions).
type RowChecks =
    { Columns: Column list
      Conditions: (string * Expr) list
      Returning: (Column * Expr) list }

type Insert =
    { Table: TableSchema
      /// Rows to insert; each produces one value per table column, in ordinal order.
      Source: Query
      Checks: RowChecks
      Span: Span }

type Assignment = { Ordinal: int; Value: Expr }

type Update =
    { Table: TableRef
      Source: Source
      Where: Expr option
      Assignments: Assignment list
      Checks: RowChecks }

type Delete =
    { Table: TableRef
      Where: Expr option
      /// The RETURNING list over the deleted rows' values (no conditions).
      Checks: RowChecks }

type ColumnDefinition =
    { Name: string
      Type: SqlType
      NotNull: bool
      /// The DEFAULT expression's SQL text.
      Default: string option }

type ForeignKeyDefinition =
    { Name: string
      Columns: int list
      ParentTable: string
      ParentColumns: int list
      OnDelete: ReferentialAction }

type CreateTable =
    { Name: string
      Columns: ColumnDefinition list
      /// CHECK constraints: (name, condition SQL).
      Checks: (string * string) list
      ForeignKeys: ForeignKeyDefinition list
      PrimaryKey: int list
      /// UNIQUE constraints: each a set of column ordinals, enforced by a unique index.
      Unique: int list list
      IfNotExists: bool }

type CreateIndex =
    { Name: string
      Table: TableSchema
      Columns: int list
      Unique: bool
      IfNotExists: bool }

type AlterAction =
    | AddColumn of ColumnDefinition
    | RenameColumn of ordinal: int * newName: string
    | RenameTable of newName: string

type Statement =
    | Query of Query
    | Insert of Insert
    | Update of Update
    | Delete of Delete
    | CreateTable of CreateTable
    | DropTable of name: string * ifExists: bool
    | CreateIndex of CreateIndex
    | DropIndex of name: string * ifExists: bool
    | CreateView of name: string * sql: string * ifNotExists: bool
    | DropView of name: string * ifExists: bool
    | AlterTable of table: TableSchema * AlterAction
    | Begin
    | Commit
    | Rollback
    | Checkpoint
    /// ANALYZE [table]: count the rows of one table, or of every table, for the planner's estimates.
    | Analyze of table: string option
    /// EXPLAIN [ANALYZE] of a query or a change.
    | Explain of analyze: bool * Statement

module BinaryOp =
    /// The operator as SQL writes it, for printers and messages.
    let text =
        function
        | Add -> "+"
        | Subtract -> "-"
        | Multiply -> "*"
        | Divide -> "/"
        | Modulo -> "%"
        | Concat -> "||"
        | Equal -> "="
        | NotEqual -> "<>"
        | Less -> "<"
        | LessOrEqual -> "<="
        | Greater -> ">"
        | GreaterOrEqual -> ">="
        | And -> "AND"
        | Or -> "OR"

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
        | VReal r -> Conversions.ToText r
        | VText s -> "'" + s.Replace("'", "''") + "'"
        | VBoolean b -> if b then "TRUE" else "FALSE"

/// An AND or OR chain: whether it is AND, and its operands in order.
let (|LogicalChain|_|) (kind: ExprKind) =
    match kind with
    | Chain(first, ((op, _) :: _ as steps)) when op = And || op = Or -> Some((op = And), first :: List.map snd steps)
    | _ -> None

module Expr =
    let make kind typ nullable span =
        { Kind = kind; Type = typ; Nullable = nullable; Span = span }

    let constant value span =
        make (Constant value) (Value.typeOf value) (value = VNull) span

    let column (c: Column) span = make (ColumnRef c) c.Type c.Nullable span

    /// The direct subexpressions (not those inside subqueries).
    let children (e: Expr) : Expr list =
        match e.Kind with
        | Constant _
        | ColumnRef _
        | Parameter _ -> []
        | Unary(_, x)
        | IsNull(x, _)
        | Cast(x, _) -> [ x ]
        | Binary(_, a, b)
        | IsDistinctFrom(a, b, _) -> [ a; b ]
        | Chain(first, steps) -> first :: List.map snd steps
        | InSet(x, _, _, _) -> [ x ]
        | Case(whens, otherwise) -> (whens |> List.collect (fun (c, r) -> [ c; r ])) @ [ otherwise ]
        | Function(_, args) -> args
        | Like(x, p, esc, _) -> [ x; p ] @ Option.toList esc
        | Subquery(In(x, _), _) -> [ x ]
        | Subquery _ -> []

    /// The expression with its direct subexpressions replaced, in `children` order.
    let withChildren (e: Expr) (xs: Expr list) : Expr =
        let kind =
            match e.Kind, xs with
            | (Constant _ | ColumnRef _ | Parameter _), [] -> e.Kind
            | Unary(op, _), [ x ] -> Unary(op, x)
            | IsNull(_, n), [ x ] -> IsNull(x, n)
            | Cast(_, t), [ x ] -> Cast(x, t)
            | Binary(op, _, _), [ a; b ] -> Binary(op, a, b)
            | Chain(_, steps), first :: operands when operands.Length = steps.Length ->
                Chain(first, List.map2 (fun (op, _) x -> op, x) steps operands)
            | InSet(_, values, hasNull, negated), [ x ] -> InSet(x, values, hasNull, negated)
            | IsDistinctFrom(_, _, n), [ a; b ] -> IsDistinctFrom(a, b, n)
            | Case(whens, _), xs ->
                let pairs = xs |> List.take (2 * whens.Length) |> List.chunkBySize 2 |> List.map (fun p -> p[0], p[1])
                Case(pairs, List.last xs)
            | Function(f, _), xs -> Function(f, xs)
            | Like(_, _, None, n), [ x; p ] -> Like(x, p, None, n)
            | Like(_, _, Some _, n), [ x; p; esc ] -> Like(x, p, Some esc, n)
            | Subquery(In(_, n), q), [ x ] -> Subquery(In(x, n), q)
            | Subquery _, [] -> e.Kind
            | _ -> invalidOp "Foundry bug: Expr.withChildren got the wrong number of children"
        { e with Kind = kind }

    /// Rewrites bottom-up: children first, then `f` on the rebuilt node.
    let rec transform (f: Expr -> Expr) (e: Expr) : Expr =
        StackGuard.ensure e.Span
        let rebuilt =
            match children e with
            | [] -> e
            | xs -> withChildren e (xs |> List.map (transform f))
        f rebuilt

    /// Every column the expression reads directly (not inside subqueries).
    let rec columns (e: Expr) : Column list =
        StackGuard.ensure e.Span
        match e.Kind with
        | ColumnRef c -> [ c ]
        | _ -> children e |> List.collect columns

    let rec containsSubquery (e: Expr) =
        StackGuard.ensure e.Span
        match e.Kind with
        | Subquery _ -> true
        | _ -> children e |> List.exists containsSubquery

    /// Rebuilds the expression with every column reference replaced by `f column` (or kept when None).
    let substitute (f: Column -> Expr option) (e: Expr) : Expr =
        e
        |> transform (fun x ->
            match x.Kind with
            | ColumnRef c -> (match f c with Some r -> r | None -> x)
            | _ -> x)

    /// The conjuncts of an AND chain, also of AND chains nested in it.
    let rec conjuncts (e: Expr) =
        StackGuard.ensure e.Span
        match e.Kind with
        | LogicalChain(true, operands) -> operands |> List.collect conjuncts
        | _ -> [ e ]

    /// One AND chain of the conditions (None for none, the condition itself for one).
    let conjoin (es: Expr list) =
        match es with
        | [] -> None
        | [ one ] -> Some one
        | first :: rest ->
            let nullable = es |> List.exists (fun e -> e.Nullable)
            let span = rest |> List.fold (fun s e -> Span.Union(s, e.Span)) first.Span
            Some(make (Chain(first, rest |> List.map (fun e -> And, e))) SqlType.Boolean nullable span)

module Query =
    /// Every expression a query holds, at every level of its bodies and sources (not inside the
    /// subqueries those expressions contain: `Expr.deepColumns` recurses into those).
    let rec expressions (q: Query) : Expr list =
        let rec source s =
            match s with
            | TableSource _
            | WorkingTableSource _ -> []
            | DerivedSource(inner, _, _) -> expressions inner
            | JoinSource(_, l, r, condition) -> source l @ source r @ Option.toList condition
        let rec body b =
            match b with
            | SelectBody s ->
                (s.From |> Option.map source |> Option.defaultValue [])
                @ Option.toList s.Where
                @ (s.Grouping |> Option.map (fun g -> (g.Keys |> List.map snd) @ (g.Aggregates |> List.choose (fun (_, a) -> a.Argument))) |> Option.defaultValue [])
                @ Option.toList s.Having
                @ (s.Output |> List.map snd)
            | ValuesBody(rows, _) -> List.concat rows
            | SetOperation(_, _, l, r, _)
            | RecursiveUnion(_, _, l, r, _) -> body l @ body r
        body q.Body @ (q.OrderBy |> List.map (fun k -> k.Expr)) @ Option.toList q.Limit @ Option.toList q.Offset

module ExprDeep =
    /// Every column an expression reads, including those read inside its subqueries (the enclosing
    /// query's columns a correlated subquery refers to).
    let rec columns (e: Expr) : Column list =
        StackGuard.ensure e.Span
        match e.Kind with
        | Subquery(kind, q) ->
            let tested = match kind with In(x, _) -> columns x | _ -> []
            tested @ (Query.expressions q |> List.collect columns)
        | ColumnRef c -> [ c ]
        | _ -> Expr.children e |> List.collect columns
