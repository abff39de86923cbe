/// The abstract syntax of Foundry SQL: immutable unions, every node with the span of its text.
/// Identifiers are kept as written (quoted ones without quotes); the binder compares them
/// case-insensitively unless they were quoted.
module Foundry.Compiler.Syntax.Ast

open Foundry.Compiler.Diagnostics

type Identifier = { Name: string; Quoted: bool; Span: Span }

/// A type as written: name and optional size arguments (VARCHAR(30)); the binder maps it to a SQL type.
type TypeName = { Name: string; Arguments: int list; Span: Span }

type Literal =
    | IntegerLiteral of int64
    | RealLiteral of float
    | StringLiteral of string
    | BooleanLiteral of bool
    | NullLiteral

type UnaryOperator =
    | Negate
    | Identity
    | Not

type BinaryOperator =
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

type SetOperator =
    | Union
    | Intersect
    | Except

type JoinKind =
    | InnerJoin
    | LeftJoin
    | RightJoin
    | FullJoin
    | CrossJoin

type Expr = { Kind: ExprKind; Span: Span }

and ExprKind =
    | Literal of Literal
    /// [qualifier.]name
    | ColumnRef of qualifier: Identifier option * name: Identifier
    /// A statement parameter: `?` (numbered 1, 2, ... in order of appearance) or `$n`.
    | Parameter of index: int
    | Unary of UnaryOperator * Expr
    /// A comparison: left op right (= <> < <= > >=).
    | Binary of BinaryOperator * Expr * Expr
    /// A left-associative run of operators of one precedence level, `first op1 e1 op2 e2 ...`, meaning
    /// `((first op1 e1) op2 e2) ...`: AND; OR; + and -; *, / and %; ||. Kept flat so that a chain of
    /// any length is a list, not a deep tree. `rest` is never empty; `first` is never itself an
    /// unparenthesised chain of the same level (the builder flattens it).
    | Chain of first: Expr * rest: (BinaryOperator * Expr) list
    /// expr IS [NOT] NULL
    | IsNull of Expr * negated: bool
    /// a IS [NOT] DISTINCT FROM b
    | IsDistinctFrom of Expr * Expr * negated: bool
    /// name(args); name(DISTINCT args); COUNT(*) has an empty list and star = true
    | FunctionCall of name: Identifier * args: Expr list * distinct: bool * star: bool
    /// CASE [operand] WHEN w THEN t ... [ELSE e] END
    | Case of operand: Expr option * whens: (Expr * Expr) list * elseResult: Expr option
    /// CAST(expr AS type)
    | Cast of Expr * TypeName
    /// expr [NOT] BETWEEN low AND high
    | Between of Expr * low: Expr * high: Expr * negated: bool
    /// expr [NOT] IN (e1, e2, ...)
    | InList of Expr * Expr list * negated: bool
    /// expr [NOT] IN (SELECT ...)
    | InSubquery of Expr * Query * negated: bool
    /// [NOT] EXISTS (SELECT ...)
    | Exists of Query * negated: bool
    /// (SELECT ...) used as a value
    | ScalarSubquery of Query
    /// expr [NOT] LIKE pattern [ESCAPE escape]
    | Like of Expr * pattern: Expr * escape: Expr option * negated: bool
    /// (expr) kept only so printers can reproduce the text; the binder drops it
    | Parenthesized of Expr

and SelectItem =
    /// *
    | AllColumns of Span
    /// t.*
    | TableColumns of Identifier * Span
    /// expr [AS alias]
    | ExprItem of Expr * alias: Identifier option

and OrderItem =
    { Expr: Expr
      Descending: bool
      /// NULLS FIRST (Some true) / NULLS LAST (Some false); None takes the default for the direction.
      NullsFirst: bool option
      Span: Span }

/// FROM name [[AS] alias]
and TableRef = { Name: Identifier; Alias: Identifier option; Span: Span }

and JoinCondition =
    | On of Expr
    | Using of Identifier list
    | Natural
    | NoCondition

and FromItem =
    | Table of TableRef
    /// (SELECT ...) [AS] alias [(column, ...)]
    | Derived of Query * alias: Identifier * columns: Identifier list option * Span
    /// left [kind] JOIN right [ON ... | USING (...)]; NATURAL JOIN has Natural; CROSS JOIN and comma
    /// joins within one FROM list are CrossJoin with NoCondition (a comma join is a list entry instead).
    | Join of kind: JoinKind * left: FromItem * right: FromItem * condition: JoinCondition * Span

/// SELECT [DISTINCT | ALL] items [FROM from, ...] [WHERE] [GROUP BY] [HAVING]
and Select =
    { Distinct: bool
      Items: SelectItem list
      /// The comma-separated FROM list (empty without FROM).
      From: FromItem list
      Where: Expr option
      GroupBy: Expr list
      Having: Expr option
      Span: Span }

and QueryBody =
    | Specification of Select
    /// VALUES (..), (..) used as a query
    | Values of Expr list list * Span
    /// left UNION|INTERSECT|EXCEPT [ALL] right
    | SetOperation of SetOperator * all: bool * left: QueryBody * right: QueryBody * Span
    /// ( query ) with its own ORDER BY / LIMIT
    | Nested of Query

and CommonTableExpr =
    { Name: Identifier
      Columns: Identifier list option
      Query: Query
      Span: Span }

/// [WITH [RECURSIVE] ctes] body [ORDER BY] [LIMIT [OFFSET]]
and Query =
    { With: CommonTableExpr list
      Recursive: bool
      Body: QueryBody
      OrderBy: OrderItem list
      Limit: Expr option
      Offset: Expr option
      Span: Span }

type ReferentialAction =
    | NoAction
    | Restrict
    | Cascade
    | SetNull

type ForeignKeyReference =
    { Table: Identifier
      Columns: Identifier list
      OnDelete: ReferentialAction
      Span: Span }

type ColumnConstraint =
    | PrimaryKeyConstraint of Span
    | NotNullConstraint of Span
    | UniqueConstraint of Span
    | DefaultConstraint of Expr * Span
    | CheckConstraint of Expr * Span
    | ReferencesConstraint of ForeignKeyReference

type ColumnDef =
    { Name: Identifier
      Type: TypeName
      Constraints: ColumnConstraint list
      Span: Span }

type TableConstraint =
    | PrimaryKeyTableConstraint of Identifier list * Span
    | UniqueTableConstraint of Identifier list * Span
    | CheckTableConstraint of Expr * Span
    | ForeignKeyTableConstraint of Identifier list * ForeignKeyReference * Span

type CreateTable =
    { Name: Identifier
      IfNotExists: bool
      Columns: ColumnDef list
      Constraints: TableConstraint list
      Span: Span }

type InsertSource =
    | ValuesSource of Expr list list
    | QuerySource of Query
    | DefaultValues

type Insert =
    { Table: Identifier
      Columns: Identifier list option
      Source: InsertSource
      Returning: SelectItem list
      Span: Span }

type Update =
    { Table: TableRef
      Assignments: (Identifier * Expr) list
      From: FromItem list
      Where: Expr option
      Returning: SelectItem list
      Span: Span }

type Delete =
    { Table: TableRef
      Where: Expr option
      Returning: SelectItem list
      Span: Span }

type IndexColumn = { Column: Identifier; Descending: bool; Span: Span }

type CreateIndex =
    { Name: Identifier
      Unique: bool
      IfNotExists: bool
      Table: Identifier
      Columns: IndexColumn list
      Span: Span }

type CreateView =
    { Name: Identifier
      IfNotExists: bool
      Columns: Identifier list option
      Query: Query
      Span: Span }

type AlterTableAction =
    | AddColumn of ColumnDef
    | RenameColumn of oldName: Identifier * newName: Identifier
    | RenameTable of newName: Identifier

type Statement = { Kind: StatementKind; Span: Span }

and StatementKind =
    | CreateTable of CreateTable
    | DropTable of name: Identifier * ifExists: bool
    | CreateIndex of CreateIndex
    | DropIndex of name: Identifier * ifExists: bool
    | CreateView of CreateView
    | DropView of name: Identifier * ifExists: bool
    | AlterTable of table: Identifier * AlterTableAction
    | Insert of Insert
    | Update of Update
    | Delete of Delete
    | Select of Query
    | Begin
    | Commit
    | Rollback
    | Checkpoint
    /// ANALYZE [table]: gather planner statistics.
    | Analyze of Identifier option
    /// EXPLAIN [ANALYZE] statement
    | Explain of analyze: bool * Statement

module BinaryOperator =
    /// The operator as SQL writes it.
    let sql =
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

    /// Binding strength, loosest first: OR 1, AND 2, comparisons 6, || 8, + - 9, * / % 10 (the grammar's
    /// levels; printers use them to decide parentheses).
    let precedence =
        function
        | Or -> 1
        | And -> 2
        | Equal
        | NotEqual
        | Less
        | LessOrEqual
        | Greater
        | GreaterOrEqual -> 6
        | Concat -> 8
        | Add
        | Subtract -> 9
        | Multiply
        | Divide
        | Modulo -> 10

    /// Whether the operator forms Chain nodes (every level except the comparisons).
    let chains op = precedence op <> 6
