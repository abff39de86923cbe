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

type Expr = { Kind: ExprKind; Span: Span }

and ExprKind =
    | Literal of Literal
    /// [qualifier.]name
    | ColumnRef of qualifier: Identifier option * name: Identifier
    | Unary of UnaryOperator * Expr
    | Binary of BinaryOperator * Expr * Expr
    /// expr IS [NOT] NULL
    | IsNull of Expr * negated: bool
    /// name(args); name(DISTINCT args); COUNT(*) has an empty list and star = true
    | FunctionCall of name: Identifier * args: Expr list * distinct: bool * star: bool
    /// (expr) kept only so printers can reproduce the text; the binder drops it
    | Parenthesized of Expr

type SelectItem =
    /// *
    | AllColumns of Span
    /// t.*
    | TableColumns of Identifier * Span
    /// expr [AS alias]
    | ExprItem of Expr * alias: Identifier option

type OrderItem = { Expr: Expr; Descending: bool; Span: Span }

/// FROM name [[AS] alias]
type TableRef = { Name: Identifier; Alias: Identifier option; Span: Span }

type Select =
    { Items: SelectItem list
      From: TableRef option
      Where: Expr option
      OrderBy: OrderItem list
      Limit: Expr option
      Offset: Expr option
      Span: Span }

type ColumnDef =
    { Name: Identifier
      Type: TypeName
      PrimaryKey: bool
      NotNull: bool
      Span: Span }

type CreateTable =
    { Name: Identifier
      IfNotExists: bool
      Columns: ColumnDef list
      /// a table constraint PRIMARY KEY (a, b, ...)
      PrimaryKey: (Identifier list * Span) option
      Span: Span }

type Insert =
    { Table: Identifier
      Columns: Identifier list option
      Rows: Expr list list
      Span: Span }

type Statement = { Kind: StatementKind; Span: Span }

and StatementKind =
    | CreateTable of CreateTable
    | DropTable of name: Identifier * ifExists: bool
    | Insert of Insert
    | Select of Select
