/// Converts an error-free ANTLR parse tree of FoundrySql.g4 into the Ast, giving every node the span
/// from its first to its last token. Internal: no ANTLR type leaves Syntax/. Problems the grammar
/// lets through (a type size or parameter number that does not fit, two table-level primary keys)
/// raise CompileError.
module internal Foundry.Compiler.Syntax.AstBuilder

open System
open System.Collections.Generic
open System.Globalization
open Antlr4.Runtime
open Foundry.Grammar
open Foundry.Compiler.Diagnostics
open Foundry.Compiler.Syntax.Ast
open Foundry.Compiler.Syntax.SyntaxErrorListener

type private P = FoundrySqlParser

/// What every conversion needs: the source for spans, the number of each `?` (by token index),
/// counted from 1 in each statement in order of appearance, and the literal IN lists the parser did
/// not read (ConstantLists), by the token index of their first item.
type Context =
    { Source: SourceMap
      Parameters: IReadOnlyDictionary<int, int>
      LiteralLists: IReadOnlyDictionary<int, IToken[]> }

let private span (cx: Context) (ctx: ParserRuleContext) =
    let stop = if isNull ctx.Stop then ctx.Start else ctx.Stop
    cx.Source.Span(ctx.Start.StartIndex, stop.StopIndex + 1)

let private tokenSpan (cx: Context) (token: IToken) = cx.Source.Span(token.StartIndex, token.StopIndex + 1)

let private present (node: Tree.ITerminalNode) = not (isNull node)

let private optional (f: 'c -> 'a) (ctx: 'c) : 'a option = if isNull (box ctx) then None else Some(f ctx)

let private listOf (f: 'c -> 'a) (items: 'c[]) : 'a list = items |> Seq.map f |> List.ofSeq

/// Removes the enclosing quotes and undoubles the inner ones: 'it''s' -> it's.
let private unquote (quote: char) (text: string) =
    text.Substring(1, text.Length - 2).Replace(String(quote, 2), string quote)

let private identifier (cx: Context) (ctx: P.IdentifierContext) : Identifier =
    let quoted = ctx.QUOTED_IDENTIFIER()
    if isNull quoted then { Name = ctx.GetText(); Quoted = false; Span = span cx ctx }
    else { Name = unquote '"' (quoted.GetText()); Quoted = true; Span = span cx ctx }

let private tableName cx (ctx: P.TableNameContext) = identifier cx (ctx.identifier ())

let private columnName cx (ctx: P.ColumnNameContext) = identifier cx (ctx.identifier ())

let private columnList cx (ctx: P.ColumnListContext) = ctx.columnName () |> listOf (columnName cx)

/// A 32-bit number written in the text (a type size, a parameter number), or FND0003.
let private smallNumber (cx: Context) (token: IToken) (digits: string) (what: string) =
    match Int32.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture) with
    | true, n -> n
    | _ -> Diagnostic.fail [ Messages.unsupportedSyntax (tokenSpan cx token) (sprintf "%s %s" what token.Text) ]

/// A REAL literal's value; digits beyond double's range (1e999, 1e-999) are FND0040, never infinity or zero.
let private realLiteral (cx: Context) (token: IToken) (text: string) =
    match Foundry.Runtime.Conversions.ParseReal(text) with
    | Foundry.Runtime.Conversions.RealText.Value, value -> RealLiteral value
    | _ -> Diagnostic.fail [ Messages.realLiteralOutOfRange (tokenSpan cx token) text ]

/// The literal one token spells (a token of rule `literal`).
let private literalToken (cx: Context) (token: IToken) : Literal =
    let text = token.Text
    match token.Type with
    | P.INTEGER_LITERAL ->
        match Int64.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture) with
        | true, value -> IntegerLiteral value
        | _ -> realLiteral cx token text
    | P.REAL_LITERAL -> realLiteral cx token text
    | P.STRING_LITERAL -> StringLiteral(unquote '\'' text)
    | P.TRUE -> BooleanLiteral true
    | P.FALSE -> BooleanLiteral false
    | P.NULL -> NullLiteral
    | t -> failwithf "Foundry bug: AstBuilder has no literal for token type %d at %O" t (tokenSpan cx token)

let private literal (cx: Context) (ctx: P.LiteralContext) : Literal = literalToken cx ctx.Start

/// Whether a literal is the digits 9223372036854775808 (2^63): with a minus in front, the least
/// INTEGER. The minus belongs to the literal then (as PostgreSQL's grammar folds it), because the
/// digits alone are beyond INTEGER and would make `-9223372036854775808` a REAL.
let private isLeastIntegerMagnitude (ctx: P.LiteralContext) =
    match ctx with
    | :? P.IntegerLiteralContext -> Numerics.BigInteger.Parse(ctx.GetText(), CultureInfo.InvariantCulture) = Numerics.BigInteger(Int64.MaxValue) + Numerics.BigInteger.One
    | _ -> false

let private typeName (cx: Context) (ctx: P.TypeNameContext) : TypeName =
    { Name = ctx.identifier () |> Seq.map (fun i -> i.GetText()) |> String.concat " "
      Arguments = ctx.INTEGER_LITERAL() |> listOf (fun t -> smallNumber cx t.Symbol (t.GetText()) "type size")
      Span = span cx ctx }

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

let private joinKind (ctx: P.JoinTypeContext) =
    match ctx with
    | null
    | :? P.InnerJoinTypeContext -> InnerJoin
    | :? P.LeftJoinTypeContext -> LeftJoin
    | :? P.RightJoinTypeContext -> RightJoin
    | _ -> FullJoin

/// `NOT EXISTS (...)` written directly (not `NOT (EXISTS (...))`) becomes one Exists node.
let private (|DirectExists|_|) (ctx: P.ExprContext) =
    match ctx with
    | :? P.ValueExprPredicateContext as v ->
        match v.valueExpr () with
        | :? P.PrimaryExprContext as p ->
            match p.primary () with
            | :? P.ExistsPrimaryContext as e -> Some e
            | _ -> None
        | _ -> None
    | _ -> None

/// A left-deep run of one operator level in the parse tree (ANTLR's left-recursive rules build
/// `((a op b) op c)`), taken apart by a loop: the leftmost operand and the (operator, operand) steps in
/// text order. `link` recognises one level of the run.
let private unchain (link: 'c -> ('c * BinaryOperator * 'c) option) (ctx: 'c) : 'c * (BinaryOperator * 'c) list =
    let steps = ResizeArray()
    let mutable node = ctx
    let mutable finished = false
    while not finished do
        match link node with
        | Some(left, op, right) ->
            steps.Add((op, right))
            node <- left
        | None -> finished <- true
    steps.Reverse()
    node, List.ofSeq steps

let private andLink (ctx: P.ExprContext) =
    match ctx with
    | :? P.AndExprContext as c -> Some(c.expr 0, And, c.expr 1)
    | _ -> None

let private orLink (ctx: P.ExprContext) =
    match ctx with
    | :? P.OrExprContext as c -> Some(c.expr 0, Or, c.expr 1)
    | _ -> None

let private multiplicativeLink (ctx: P.ValueExprContext) =
    match ctx with
    | :? P.MultiplicativeExprContext as c ->
        let op =
            match c.op.Type with
            | P.STAR -> Multiply
            | P.SLASH -> Divide
            | _ -> Modulo
        Some(c.valueExpr 0, op, c.valueExpr 1)
    | _ -> None

let private additiveLink (ctx: P.ValueExprContext) =
    match ctx with
    | :? P.AdditiveExprContext as c -> Some(c.valueExpr 0, (if c.op.Type = P.PLUS then Add else Subtract), c.valueExpr 1)
    | _ -> None

let private concatLink (ctx: P.ValueExprContext) =
    match ctx with
    | :? P.ConcatExprContext as c -> Some(c.valueExpr 0, Concat, c.valueExpr 1)
    | _ -> None

let rec expr (cx: Context) (ctx: P.ExprContext) : Expr =
    StackGuard.ensure (span cx ctx)
    let chain link =
        let first, steps = unchain link ctx
        Chain(expr cx first, steps |> List.map (fun (op, operand) -> op, expr cx operand))
    let kind =
        match ctx with
        | :? P.ValueExprPredicateContext as c -> (valueExpr cx (c.valueExpr ())).Kind
        | :? P.BetweenExprContext as c -> Between(expr cx (c.expr ()), valueExpr cx c.low, valueExpr cx c.high, present (c.NOT()))
        | :? P.InExprContext as c ->
            let operands = c.expr ()
            let left = expr cx operands[0]
            match c.query () with
            | null when operands.Length = 2 && cx.LiteralLists.ContainsKey operands[1].Start.TokenIndex ->
                let items = cx.LiteralLists[operands[1].Start.TokenIndex]
                let item (t: IToken) : Expr = { Kind = Literal(literalToken cx t); Span = tokenSpan cx t }
                InList(left, items |> listOf item, present (c.NOT()))
            | null -> InList(left, operands |> Array.skip 1 |> listOf (expr cx), present (c.NOT()))
            | q -> InSubquery(left, query cx q, present (c.NOT()))
        | :? P.LikeExprContext as c ->
            Like(expr cx (c.expr ()), valueExpr cx c.pattern, optional (valueExpr cx) c.escape, present (c.NOT()))
        | :? P.ComparisonExprContext as c -> Binary(comparison c.op, expr cx (c.expr 0), expr cx (c.expr 1))
        | :? P.IsDistinctFromExprContext as c -> IsDistinctFrom(expr cx (c.expr 0), expr cx (c.expr 1), present (c.NOT()))
        | :? P.IsNullExprContext as c -> IsNull(expr cx (c.expr ()), present (c.NOT()))
        | :? P.NotExprContext as c ->
            match c.expr () with
            | DirectExists e -> Exists(query cx (e.query ()), true)
            | operand -> Unary(Not, expr cx operand)
        | :? P.AndExprContext -> chain andLink
        | :? P.OrExprContext -> chain orLink
        | _ -> failwithf "Foundry bug: AstBuilder has no case for expression %s at %O" (ctx.GetType().Name) (span cx ctx)
    { Kind = kind; Span = span cx ctx }

and private valueExpr (cx: Context) (ctx: P.ValueExprContext) : Expr =
    StackGuard.ensure (span cx ctx)
    let chain link =
        let first, steps = unchain link ctx
        Chain(valueExpr cx first, steps |> List.map (fun (op, operand) -> op, valueExpr cx operand))
    let kind =
        match ctx with
        | :? P.PrimaryExprContext as c -> primary cx (c.primary ())
        | :? P.SignExprContext as c ->
            match c.valueExpr () with
            | :? P.PrimaryExprContext as operand when
                c.op.Type = P.MINUS
                && (match operand.primary () with
                    | :? P.LiteralPrimaryContext as l -> isLeastIntegerMagnitude (l.literal ())
                    | _ -> false)
                ->
                Literal(IntegerLiteral Int64.MinValue)
            | operand -> Unary((if c.op.Type = P.MINUS then Negate else Identity), valueExpr cx operand)
        | :? P.MultiplicativeExprContext -> chain multiplicativeLink
        | :? P.AdditiveExprContext -> chain additiveLink
        | :? P.ConcatExprContext -> chain concatLink
        | _ -> failwithf "Foundry bug: AstBuilder has no case for expression %s at %O" (ctx.GetType().Name) (span cx ctx)
    { Kind = kind; Span = span cx ctx }

and private primary (cx: Context) (ctx: P.PrimaryContext) : ExprKind =
    match ctx with
    | :? P.LiteralPrimaryContext as c -> Literal(literal cx (c.literal ()))
    | :? P.PositionalParameterPrimaryContext as c -> Parameter cx.Parameters[c.Start.TokenIndex]
    | :? P.NumberedParameterPrimaryContext as c -> Parameter(smallNumber cx c.Start (c.GetText().Substring 1) "parameter number")
    | :? P.ColumnRefPrimaryContext as c -> ColumnRef(optional (identifier cx) c.qualifier, identifier cx c.name)
    | :? P.ParenthesizedPrimaryContext as c -> Parenthesized(expr cx (c.expr ()))
    | :? P.FunctionCallPrimaryContext as c ->
        let call = c.functionCall ()
        let nameCtx = call.functionName ()
        let name =
            match nameCtx.identifier () with
            | null -> { Name = nameCtx.GetText(); Quoted = false; Span = span cx nameCtx }
            | i -> identifier cx i
        FunctionCall(name, call.expr () |> listOf (expr cx), present (call.DISTINCT()), present (call.STAR()))
    | :? P.CasePrimaryContext as c ->
        let whens = c.caseWhen () |> listOf (fun w -> expr cx w.condition, expr cx w.result)
        Case(optional (expr cx) c.operand, whens, optional (expr cx) c.elseResult)
    | :? P.CastPrimaryContext as c -> Cast(expr cx (c.expr ()), typeName cx (c.typeName ()))
    | :? P.ExistsPrimaryContext as c -> Exists(query cx (c.query ()), false)
    | :? P.SubqueryPrimaryContext as c -> ScalarSubquery(query cx (c.query ()))
    | _ -> failwithf "Foundry bug: AstBuilder has no case for primary %s at %O" (ctx.GetType().Name) (span cx ctx)

and private selectItem (cx: Context) (ctx: P.SelectItemContext) : SelectItem =
    match ctx with
    | :? P.AllColumnsItemContext as c -> AllColumns(span cx c)
    | :? P.TableColumnsItemContext as c -> TableColumns(identifier cx (c.identifier ()), span cx c)
    | :? P.ExprItemContext as c -> ExprItem(expr cx (c.expr ()), optional (identifier cx) c.alias)
    | _ -> failwithf "Foundry bug: AstBuilder has no case for select item %s at %O" (ctx.GetType().Name) (span cx ctx)

and private tableReference (cx: Context) (ctx: P.TableReferenceContext) : TableRef =
    { Name = tableName cx (ctx.tableName ()); Alias = optional (identifier cx) ctx.alias; Span = span cx ctx }

and private tablePrimary (cx: Context) (ctx: P.TablePrimaryContext) : FromItem =
    match ctx with
    | :? P.TableTablePrimaryContext as c -> Table(tableReference cx (c.tableReference ()))
    | :? P.DerivedTablePrimaryContext as c ->
        Derived(query cx (c.query ()), identifier cx c.alias, optional (columnList cx) (c.columnList ()), span cx c)
    | :? P.ParenthesizedTablePrimaryContext as c -> fromItem cx (c.fromItem ())
    | _ -> failwithf "Foundry bug: AstBuilder has no case for table %s at %O" (ctx.GetType().Name) (span cx ctx)

and private fromItem (cx: Context) (ctx: P.FromItemContext) : FromItem =
    match ctx with
    | :? P.PrimaryFromItemContext as c -> tablePrimary cx (c.tablePrimary ())
    | :? P.CrossJoinFromItemContext as c ->
        Join(CrossJoin, fromItem cx (c.fromItem ()), tablePrimary cx (c.tablePrimary ()), NoCondition, span cx c)
    | :? P.NaturalJoinFromItemContext as c ->
        Join(joinKind (c.joinType ()), fromItem cx (c.fromItem ()), tablePrimary cx (c.tablePrimary ()), Natural, span cx c)
    | :? P.QualifiedJoinFromItemContext as c ->
        let condition =
            match c.joinCondition () with
            | null -> NoCondition
            | :? P.OnJoinConditionContext as on -> On(expr cx (on.expr ()))
            | :? P.UsingJoinConditionContext as using -> Using(columnList cx (using.columnList ()))
            | other -> failwithf "Foundry bug: AstBuilder has no case for join condition %s" (other.GetType().Name)
        Join(joinKind (c.joinType ()), fromItem cx (c.fromItem ()), tablePrimary cx (c.tablePrimary ()), condition, span cx c)
    | _ -> failwithf "Foundry bug: AstBuilder has no case for FROM item %s at %O" (ctx.GetType().Name) (span cx ctx)

and private select (cx: Context) (ctx: P.QuerySpecificationContext) : Select =
    { Distinct = present (ctx.DISTINCT())
      Items = ctx.selectItem () |> listOf (selectItem cx)
      From =
        match ctx.fromClause () with
        | null -> []
        | f -> f.fromItem () |> listOf (fromItem cx)
      Where = ctx.whereClause () |> optional (fun w -> expr cx (w.expr ()))
      GroupBy =
        match ctx.groupByClause () with
        | null -> []
        | g -> g.expr () |> listOf (expr cx)
      Having = ctx.havingClause () |> optional (fun h -> expr cx (h.expr ()))
      Span = span cx ctx }

and private valuesRows (cx: Context) (ctx: P.ValuesClauseContext) =
    ctx.valuesRow () |> listOf (fun row -> row.expr () |> listOf (expr cx))

and private queryBody (cx: Context) (ctx: P.QueryBodyContext) : QueryBody =
    match ctx with
    | :? P.PrimaryQueryBodyContext as c ->
        match c.queryPrimary () with
        | :? P.SpecificationQueryPrimaryContext as p -> Specification(select cx (p.querySpecification ()))
        | :? P.ValuesQueryPrimaryContext as p -> Values(valuesRows cx (p.valuesClause ()), span cx p)
        | :? P.NestedQueryPrimaryContext as p -> Nested(query cx (p.query ()))
        | p -> failwithf "Foundry bug: AstBuilder has no case for query %s at %O" (p.GetType().Name) (span cx p)
    | :? P.IntersectQueryBodyContext as c ->
        SetOperation(Intersect, present (c.ALL()), queryBody cx (c.queryBody 0), queryBody cx (c.queryBody 1), span cx c)
    | :? P.UnionQueryBodyContext as c ->
        let op = if c.op.Type = P.UNION then Union else Except
        SetOperation(op, present (c.ALL()), queryBody cx (c.queryBody 0), queryBody cx (c.queryBody 1), span cx c)
    | _ -> failwithf "Foundry bug: AstBuilder has no case for query %s at %O" (ctx.GetType().Name) (span cx ctx)

and private orderItem (cx: Context) (ctx: P.OrderItemContext) : OrderItem =
    { Expr = expr cx (ctx.expr ())
      Descending = present (ctx.DESC())
      NullsFirst = if present (ctx.NULLS()) then Some(present (ctx.FIRST())) else None
      Span = span cx ctx }

and private commonTableExpr (cx: Context) (ctx: P.CommonTableExpressionContext) : CommonTableExpr =
    { Name = identifier cx (ctx.identifier ())
      Columns = optional (columnList cx) (ctx.columnList ())
      Query = query cx (ctx.query ())
      Span = span cx ctx }

and query (cx: Context) (ctx: P.QueryContext) : Query =
    let withClause = ctx.withClause ()
    let limit = ctx.limitClause ()
    { With =
        match withClause with
        | null -> []
        | w -> w.commonTableExpression () |> listOf (commonTableExpr cx)
      Recursive = not (isNull withClause) && present (withClause.RECURSIVE())
      Body = queryBody cx (ctx.queryBody ())
      OrderBy =
        match ctx.orderByClause () with
        | null -> []
        | o -> o.orderItem () |> listOf (orderItem cx)
      Limit = if isNull limit then None else optional (expr cx) limit.limit
      Offset = if isNull limit then None else optional (expr cx) limit.offset
      Span = span cx ctx }

// ---- DDL ------------------------------------------------------------------------------------------

let private referencesClause (cx: Context) (ctx: P.ReferencesClauseContext) : ForeignKeyReference =
    { Table = tableName cx (ctx.tableName ())
      Columns =
        match ctx.columnList () with
        | null -> []
        | cs -> columnList cx cs
      OnDelete =
        match ctx.referentialAction () with
        | null
        | :? P.NoActionContext -> NoAction
        | :? P.CascadeActionContext -> Cascade
        | :? P.RestrictActionContext -> Restrict
        | _ -> SetNull
      Span = span cx ctx }

let private defaultValue (cx: Context) (ctx: P.DefaultValueContext) : Expr =
    let kind =
        match ctx with
        | :? P.LiteralDefaultContext as c -> Literal(literal cx (c.literal ()))
        | :? P.SignedLiteralDefaultContext as c when c.op.Type = P.MINUS && isLeastIntegerMagnitude (c.literal ()) -> Literal(IntegerLiteral Int64.MinValue)
        | :? P.SignedLiteralDefaultContext as c ->
            let operand: Expr = { Kind = Literal(literal cx (c.literal ())); Span = span cx (c.literal ()) }
            Unary((if c.op.Type = P.MINUS then Negate else Identity), operand)
        | :? P.ParenthesizedDefaultContext as c -> Parenthesized(expr cx (c.expr ()))
        | _ -> failwithf "Foundry bug: AstBuilder has no case for default %s at %O" (ctx.GetType().Name) (span cx ctx)
    { Kind = kind; Span = span cx ctx }

/// Column constraints in the order written; NULL only documents the default and is dropped.
let private columnConstraint (cx: Context) (ctx: P.ColumnConstraintContext) : ColumnConstraint option =
    match ctx with
    | :? P.PrimaryKeyColumnConstraintContext -> Some(PrimaryKeyConstraint(span cx ctx))
    | :? P.NotNullColumnConstraintContext -> Some(NotNullConstraint(span cx ctx))
    | :? P.NullColumnConstraintContext -> None
    | :? P.UniqueColumnConstraintContext -> Some(UniqueConstraint(span cx ctx))
    | :? P.DefaultColumnConstraintContext as c -> Some(DefaultConstraint(defaultValue cx (c.defaultValue ()), span cx ctx))
    | :? P.CheckColumnConstraintContext as c -> Some(CheckConstraint(expr cx (c.expr ()), span cx ctx))
    | :? P.ReferencesColumnConstraintContext as c -> Some(ReferencesConstraint(referencesClause cx (c.referencesClause ())))
    | _ -> failwithf "Foundry bug: AstBuilder has no case for column constraint %s at %O" (ctx.GetType().Name) (span cx ctx)

let private columnDefinition (cx: Context) (ctx: P.ColumnDefinitionContext) : ColumnDef =
    { Name = columnName cx (ctx.columnName ())
      Type = typeName cx (ctx.typeName ())
      Constraints = ctx.columnConstraint () |> Seq.choose (columnConstraint cx) |> List.ofSeq
      Span = span cx ctx }

let private tableConstraint (cx: Context) (ctx: P.TableConstraintContext) : TableConstraint =
    match ctx with
    | :? P.PrimaryKeyTableConstraintContext as c -> PrimaryKeyTableConstraint(columnList cx (c.columnList ()), span cx c)
    | :? P.UniqueTableConstraintContext as c -> UniqueTableConstraint(columnList cx (c.columnList ()), span cx c)
    | :? P.CheckTableConstraintContext as c -> CheckTableConstraint(expr cx (c.expr ()), span cx c)
    | :? P.ForeignKeyTableConstraintContext as c ->
        ForeignKeyTableConstraint(columnList cx (c.columnList ()), referencesClause cx (c.referencesClause ()), span cx c)
    | _ -> failwithf "Foundry bug: AstBuilder has no case for table constraint %s at %O" (ctx.GetType().Name) (span cx ctx)

let private createTable (cx: Context) (ctx: P.CreateTableStatementContext) : CreateTable =
    let name = tableName cx (ctx.tableName ())
    let elements = ctx.tableElement ()
    let constraints = elements |> Seq.choose (fun e -> Option.ofObj (e.tableConstraint ())) |> Seq.map (tableConstraint cx) |> List.ofSeq
    let keys =
        constraints
        |> List.choose (function
            | PrimaryKeyTableConstraint(_, s) -> Some s
            | _ -> None)
    match keys with
    | _ :: second :: _ -> Diagnostic.fail [ Messages.multiplePrimaryKeys second name.Name ]
    | _ -> ()
    { Name = name
      IfNotExists = present (ctx.EXISTS())
      Columns = elements |> Seq.choose (fun e -> Option.ofObj (e.columnDefinition ())) |> Seq.map (columnDefinition cx) |> List.ofSeq
      Constraints = constraints
      Span = span cx ctx }

let private createIndex (cx: Context) (ctx: P.CreateIndexStatementContext) : CreateIndex =
    { Name = identifier cx ctx.indexName
      Unique = present (ctx.UNIQUE())
      IfNotExists = present (ctx.EXISTS())
      Table = tableName cx (ctx.tableName ())
      Columns =
        ctx.indexColumn ()
        |> listOf (fun c -> { Column = columnName cx (c.columnName ()); Descending = present (c.DESC()); Span = span cx c })
      Span = span cx ctx }

let private createView (cx: Context) (ctx: P.CreateViewStatementContext) : CreateView =
    { Name = identifier cx (ctx.identifier ())
      IfNotExists = present (ctx.EXISTS())
      Columns = optional (columnList cx) (ctx.columnList ())
      Query = query cx (ctx.query ())
      Span = span cx ctx }

let private alterTableAction (cx: Context) (ctx: P.AlterTableActionContext) : AlterTableAction =
    match ctx with
    | :? P.AddColumnActionContext as c -> AddColumn(columnDefinition cx (c.columnDefinition ()))
    | :? P.RenameColumnActionContext as c -> RenameColumn(identifier cx c.oldName, identifier cx c.newName)
    | :? P.RenameTableActionContext as c -> RenameTable(identifier cx c.newName)
    | _ -> failwithf "Foundry bug: AstBuilder has no case for ALTER TABLE %s at %O" (ctx.GetType().Name) (span cx ctx)

// ---- DML ------------------------------------------------------------------------------------------

let private returning (cx: Context) (ctx: P.ReturningClauseContext) =
    match ctx with
    | null -> []
    | r -> r.selectItem () |> listOf (selectItem cx)

let private insert (cx: Context) (ctx: P.InsertStatementContext) : Insert =
    { Table = tableName cx (ctx.tableName ())
      Columns = optional (columnList cx) (ctx.columnList ())
      Source =
        match ctx.insertSource () with
        | :? P.ValuesInsertSourceContext as c -> ValuesSource(valuesRows cx (c.valuesClause ()))
        | :? P.QueryInsertSourceContext as c -> QuerySource(query cx (c.query ()))
        | _ -> DefaultValues
      Returning = returning cx (ctx.returningClause ())
      Span = span cx ctx }

let private update (cx: Context) (ctx: P.UpdateStatementContext) : Update =
    { Table = tableReference cx (ctx.tableReference ())
      Assignments = ctx.assignment () |> listOf (fun a -> columnName cx (a.columnName ()), expr cx (a.expr ()))
      From =
        match ctx.fromClause () with
        | null -> []
        | f -> f.fromItem () |> listOf (fromItem cx)
      Where = ctx.whereClause () |> optional (fun w -> expr cx (w.expr ()))
      Returning = returning cx (ctx.returningClause ())
      Span = span cx ctx }

let private delete (cx: Context) (ctx: P.DeleteStatementContext) : Delete =
    { Table = tableReference cx (ctx.tableReference ())
      Where = ctx.whereClause () |> optional (fun w -> expr cx (w.expr ()))
      Returning = returning cx (ctx.returningClause ())
      Span = span cx ctx }

let rec statement (cx: Context) (ctx: P.StatementContext) : Statement =
    let kind =
        match ctx.GetChild 0 with
        | :? P.CreateTableStatementContext as c -> CreateTable(createTable cx c)
        | :? P.DropTableStatementContext as c -> DropTable(tableName cx (c.tableName ()), present (c.EXISTS()))
        | :? P.CreateIndexStatementContext as c -> CreateIndex(createIndex cx c)
        | :? P.DropIndexStatementContext as c -> DropIndex(identifier cx (c.identifier ()), present (c.EXISTS()))
        | :? P.CreateViewStatementContext as c -> CreateView(createView cx c)
        | :? P.DropViewStatementContext as c -> DropView(identifier cx (c.identifier ()), present (c.EXISTS()))
        | :? P.AlterTableStatementContext as c -> AlterTable(tableName cx (c.tableName ()), alterTableAction cx (c.alterTableAction ()))
        | :? P.InsertStatementContext as c -> Insert(insert cx c)
        | :? P.UpdateStatementContext as c -> Update(update cx c)
        | :? P.DeleteStatementContext as c -> Delete(delete cx c)
        | :? P.SelectStatementContext as c -> Select(query cx (c.query ()))
        | :? P.BeginStatementContext -> Begin
        | :? P.CommitStatementContext -> Commit
        | :? P.RollbackStatementContext -> Rollback
        | :? P.CheckpointStatementContext -> Checkpoint
        | :? P.AnalyzeStatementContext as c -> Analyze(optional (tableName cx) (c.tableName ()))
        | :? P.ExplainStatementContext as c -> Explain(present (c.ANALYZE()), statement cx (c.statement ()))
        | c -> failwithf "Foundry bug: AstBuilder has no case for statement %s at %O" (c.GetType().Name) (span cx ctx)
    { Kind = kind; Span = span cx ctx }

/// Numbers every `?` token within its statement (statements end at ';'): one above the highest
/// parameter number before it in the text, `$n` included, as SQLite numbers `?` among `?NNN`. So
/// `?, ?` are 1 and 2, `$2, ?` are 2 and 3, and `?, $1` both parameter 1.
let private numberParameters (tokens: IToken seq) : IReadOnlyDictionary<int, int> =
    let numbers = Dictionary<int, int>()
    let mutable highest = 0
    for token in tokens do
        if token.Type = P.SEMI then highest <- 0
        elif token.Type = P.QUESTION_MARK then
            highest <- highest + 1
            numbers[token.TokenIndex] <- highest
        elif token.Type = P.NUMBERED_PARAMETER then
            // A number too large for 32 bits is reported where the parameter is built (FND0003).
            match Int32.TryParse(token.Text.AsSpan 1) with
            | true, n -> highest <- max highest n
            | _ -> ()
    numbers :> IReadOnlyDictionary<int, int>

/// The statements of a script, in order; empty statements between semicolons are skipped.
let script (source: SourceMap) (tokens: IToken seq) (literalLists: IReadOnlyDictionary<int, IToken[]>) (ctx: P.ScriptContext) : Statement list =
    let cx = { Source = source; Parameters = numberParameters tokens; LiteralLists = literalLists }
    ctx.statement () |> listOf (statement cx)
