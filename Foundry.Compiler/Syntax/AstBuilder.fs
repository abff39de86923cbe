/// Converts an error-free ANTLR parse tree of FoundrySql.g4 into the Ast, giving every node the span
/// from its first to its last token. Internal: no ANTLR type leaves Syntax/. Problems the grammar
/// lets through (a type size that does not fit, two table-level primary keys) raise CompileError.
module internal Foundry.Compiler.Syntax.AstBuilder

open System
open System.Globalization
open Antlr4.Runtime
open Foundry.Grammar
open Foundry.Compiler.Diagnostics
open Foundry.Compiler.Syntax.Ast
open Foundry.Compiler.Syntax.SyntaxErrorListener

type private P = FoundrySqlParser

let private span (src: SourceMap) (ctx: ParserRuleContext) =
    let stop = if isNull ctx.Stop then ctx.Start else ctx.Stop
    src.Span(ctx.Start.StartIndex, stop.StopIndex + 1)

let private tokenSpan (src: SourceMap) (first: IToken) (last: IToken) = src.Span(first.StartIndex, last.StopIndex + 1)

/// Removes the enclosing quotes and undoubles the inner ones: 'it''s' -> it's.
let private unquote (quote: char) (text: string) =
    text.Substring(1, text.Length - 2).Replace(String(quote, 2), string quote)

let identifier (src: SourceMap) (ctx: P.IdentifierContext) : Identifier =
    let quoted = ctx.QUOTED_IDENTIFIER()
    if isNull quoted then { Name = ctx.GetText(); Quoted = false; Span = span src ctx }
    else { Name = unquote '"' (quoted.GetText()); Quoted = true; Span = span src ctx }

let private literal (src: SourceMap) (ctx: P.LiteralContext) : Literal =
    let text = ctx.GetText()
    match ctx with
    | :? P.IntegerLiteralContext ->
        match Int64.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture) with
        | true, value -> IntegerLiteral value
        | _ -> RealLiteral(Double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture))
    | :? P.RealLiteralContext -> RealLiteral(Double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture))
    | :? P.StringLiteralContext -> StringLiteral(unquote '\'' text)
    | :? P.TrueLiteralContext -> BooleanLiteral true
    | :? P.FalseLiteralContext -> BooleanLiteral false
    | :? P.NullLiteralContext -> NullLiteral
    | _ -> failwithf "Foundry bug: AstBuilder has no case for literal %s at %O" (ctx.GetType().Name) (span src ctx)

let private comparison (op: IToken) =
    match op.Type with
    | P.EQ
    | P.EQEQ -> Equal
    | P.NEQ
    | P.LTGT -> NotEqual
    | P.LT -> Less
    | P.LE -> LessOrEqual
    | P.GT -> Greater
    | P.GE -> GreaterOrEqual
    | t -> failwithf "Foundry bug: AstBuilder has no comparison operator for token type %d" t

let rec expr (src: SourceMap) (ctx: P.ExprContext) : Expr =
    let binary op (left: P.ExprContext) (right: P.ExprContext) = Binary(op, expr src left, expr src right)
    let kind =
        match ctx with
        | :? P.PrimaryExprContext as c -> primary src (c.primary ())
        | :? P.SignExprContext as c -> Unary((if c.op.Type = P.MINUS then Negate else Identity), expr src (c.expr ()))
        | :? P.MultiplicativeExprContext as c ->
            let op =
                match c.op.Type with
                | P.STAR -> Multiply
                | P.SLASH -> Divide
                | _ -> Modulo
            binary op (c.expr 0) (c.expr 1)
        | :? P.AdditiveExprContext as c -> binary (if c.op.Type = P.PLUS then Add else Subtract) (c.expr 0) (c.expr 1)
        | :? P.ConcatExprContext as c -> binary Concat (c.expr 0) (c.expr 1)
        | :? P.ComparisonExprContext as c -> binary (comparison c.op) (c.expr 0) (c.expr 1)
        | :? P.IsNullExprContext as c -> IsNull(expr src (c.expr ()), not (isNull (c.NOT())))
        | :? P.NotExprContext as c -> Unary(Not, expr src (c.expr ()))
        | :? P.AndExprContext as c -> binary And (c.expr 0) (c.expr 1)
        | :? P.OrExprContext as c -> binary Or (c.expr 0) (c.expr 1)
        | _ -> failwithf "Foundry bug: AstBuilder has no case for expression %s at %O" (ctx.GetType().Name) (span src ctx)
    { Kind = kind; Span = span src ctx }

and private primary (src: SourceMap) (ctx: P.PrimaryContext) : ExprKind =
    match ctx with
    | :? P.LiteralPrimaryContext as c -> Literal(literal src (c.literal ()))
    | :? P.ColumnRefPrimaryContext as c ->
        ColumnRef((if isNull c.qualifier then None else Some(identifier src c.qualifier)), identifier src c.name)
    | :? P.ParenthesizedPrimaryContext as c -> Parenthesized(expr src (c.expr ()))
    | :? P.FunctionCallPrimaryContext as c ->
        let call = c.functionCall ()
        FunctionCall(
            identifier src (call.identifier ()),
            (call.expr () |> Seq.map (expr src) |> List.ofSeq),
            not (isNull (call.DISTINCT())),
            not (isNull (call.STAR()))
        )
    | _ -> failwithf "Foundry bug: AstBuilder has no case for primary %s at %O" (ctx.GetType().Name) (span src ctx)

let private selectItem (src: SourceMap) (ctx: P.SelectItemContext) : SelectItem =
    match ctx with
    | :? P.AllColumnsItemContext as c -> AllColumns(span src c)
    | :? P.TableColumnsItemContext as c -> TableColumns(identifier src (c.identifier ()), span src c)
    | :? P.ExprItemContext as c -> ExprItem(expr src (c.expr ()), (if isNull c.alias then None else Some(identifier src c.alias)))
    | _ -> failwithf "Foundry bug: AstBuilder has no case for select item %s at %O" (ctx.GetType().Name) (span src ctx)

let private tableReference (src: SourceMap) (ctx: P.TableReferenceContext) : TableRef =
    { Name = identifier src (ctx.tableName().identifier ())
      Alias = (if isNull ctx.alias then None else Some(identifier src ctx.alias))
      Span = span src ctx }

let private orderItem (src: SourceMap) (ctx: P.OrderItemContext) : OrderItem =
    { Expr = expr src (ctx.expr ()); Descending = not (isNull (ctx.DESC())); Span = span src ctx }

let private select (src: SourceMap) (ctx: P.SelectStatementContext) : Select =
    let query = ctx.query ()
    let spec = query.queryTerm().querySpecification ()
    let limit = query.limitClause ()
    { Items = spec.selectItem () |> Seq.map (selectItem src) |> List.ofSeq
      From = spec.fromClause () |> Option.ofObj |> Option.map (fun f -> tableReference src (f.tableReference ()))
      Where = spec.whereClause () |> Option.ofObj |> Option.map (fun w -> expr src (w.expr ()))
      OrderBy =
        match query.orderByClause () with
        | null -> []
        | o -> o.orderItem () |> Seq.map (orderItem src) |> List.ofSeq
      Limit = if isNull limit then None else Some(expr src limit.limit)
      Offset = if isNull limit || isNull limit.offset then None else Some(expr src limit.offset)
      Span = span src ctx }

let private typeName (src: SourceMap) (ctx: P.TypeNameContext) : TypeName =
    let size (t: Tree.ITerminalNode) =
        match Int32.TryParse(t.GetText(), NumberStyles.None, CultureInfo.InvariantCulture) with
        | true, n -> n
        | _ -> Diagnostic.fail [ Messages.unsupportedSyntax (tokenSpan src t.Symbol t.Symbol) (sprintf "type size %s" (t.GetText())) ]
    { Name = ctx.identifier () |> Seq.map (fun i -> i.GetText()) |> String.concat " "
      Arguments = ctx.INTEGER_LITERAL() |> Seq.map size |> List.ofSeq
      Span = span src ctx }

let private columnDefinition (src: SourceMap) (ctx: P.ColumnDefinitionContext) : ColumnDef =
    let constraints = ctx.columnConstraint ()
    { Name = identifier src (ctx.columnName().identifier ())
      Type = typeName src (ctx.typeName ())
      PrimaryKey = constraints |> Array.exists (fun c -> c :? P.PrimaryKeyColumnConstraintContext)
      NotNull = constraints |> Array.exists (fun c -> c :? P.NotNullColumnConstraintContext)
      Span = span src ctx }

let private columnList (src: SourceMap) (ctx: P.ColumnListContext) =
    ctx.columnName () |> Seq.map (fun c -> identifier src (c.identifier ())) |> List.ofSeq

let private createTable (src: SourceMap) (ctx: P.CreateTableStatementContext) : CreateTable =
    let name = identifier src (ctx.tableName().identifier ())
    let elements = ctx.tableElement ()
    let keys =
        elements
        |> Seq.choose (fun e -> Option.ofObj (e.tableConstraint ()))
        |> Seq.map (fun k -> columnList src (k.columnList ()), span src k)
        |> List.ofSeq
    match keys with
    | _ :: (_, second) :: _ -> Diagnostic.fail [ Messages.multiplePrimaryKeys second name.Name ]
    | _ -> ()
    { Name = name
      IfNotExists = not (isNull (ctx.EXISTS()))
      Columns =
        elements
        |> Seq.choose (fun e -> Option.ofObj (e.columnDefinition ()))
        |> Seq.map (columnDefinition src)
        |> List.ofSeq
      PrimaryKey = List.tryHead keys
      Span = span src ctx }

let private insert (src: SourceMap) (ctx: P.InsertStatementContext) : Insert =
    { Table = identifier src (ctx.tableName().identifier ())
      Columns = ctx.columnList () |> Option.ofObj |> Option.map (columnList src)
      Rows =
        ctx.valuesClause().valuesRow ()
        |> Seq.map (fun row -> row.expr () |> Seq.map (expr src) |> List.ofSeq)
        |> List.ofSeq
      Span = span src ctx }

let statement (src: SourceMap) (ctx: P.StatementContext) : Statement =
    let kind =
        match ctx.GetChild 0 with
        | :? P.CreateTableStatementContext as c -> CreateTable(createTable src c)
        | :? P.DropTableStatementContext as c -> DropTable(identifier src (c.tableName().identifier ()), not (isNull (c.EXISTS())))
        | :? P.InsertStatementContext as c -> Insert(insert src c)
        | :? P.SelectStatementContext as c -> Select(select src c)
        | c -> failwithf "Foundry bug: AstBuilder has no case for statement %s at %O" (c.GetType().Name) (span src ctx)
    { Kind = kind; Span = span src ctx }

/// The statements of a script, in order; empty statements between semicolons are skipped.
let script (src: SourceMap) (ctx: P.ScriptContext) : Statement list =
    ctx.statement () |> Seq.map (statement src) |> List.ofSeq
