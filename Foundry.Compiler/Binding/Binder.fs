/// Resolves names and types: AST + catalog -> bound tree. Errors are collected rather than thrown at
/// the first one; an expression that fails to bind becomes a NULL constant (which every operator
/// accepts), so one mistake does not cascade into a list of follow-on errors.
module Foundry.Compiler.Binding.Binder

open System
open Foundry.Compiler.Diagnostics
open Foundry.Compiler.Syntax
open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.Binding
open Foundry.Runtime

type private Context(catalog: ICatalog, sourceText: string) =
    let errors = ResizeArray<Diagnostic>()
    let mutable nextColumnId = 0
    member _.Catalog = catalog
    member _.Errors = errors
    member _.Report(d: Diagnostic) = errors.Add d

    member _.NewColumn(name, typ, nullable) =
        nextColumnId <- nextColumnId + 1
        { Id = nextColumnId; Name = name; Type = typ; Nullable = nullable }

    /// The SQL text a span covers, used to name unaliased output columns as the user wrote them.
    member _.TextOf(span: Span) =
        if span.IsNone || span.End.Offset > sourceText.Length then ""
        else sourceText.Substring(span.Start.Offset, span.End.Offset - span.Start.Offset)

let private nameEquals (id: Ast.Identifier) (name: string) =
    if id.Quoted then id.Name = name
    else String.Equals(id.Name, name, StringComparison.OrdinalIgnoreCase)

/// The NULL constant an expression becomes when it fails to bind.
let private errorExpr span = Expr.constant VNull span

let private bindLiteral (lit: Ast.Literal) span =
    match lit with
    | Ast.IntegerLiteral i -> Expr.constant (VInteger i) span
    | Ast.RealLiteral r -> Expr.constant (VReal r) span
    | Ast.StringLiteral s -> Expr.constant (VText s) span
    | Ast.BooleanLiteral b -> Expr.constant (VBoolean b) span
    | Ast.NullLiteral -> Expr.constant VNull span

/// Converts an operand to `target` when it is of a different (compatible) type.
let castTo (target: SqlType) (e: Expr) =
    if e.Type = target then e
    else
        match e.Kind with
        | Constant VNull -> { e with Type = target }
        | _ -> Expr.make (Cast(e, target)) target e.Nullable e.Span

let private operatorText =
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

let private binaryOp =
    function
    | Ast.Add -> Add
    | Ast.Subtract -> Subtract
    | Ast.Multiply -> Multiply
    | Ast.Divide -> Divide
    | Ast.Modulo -> Modulo
    | Ast.Concat -> Concat
    | Ast.Equal -> Equal
    | Ast.NotEqual -> NotEqual
    | Ast.Less -> Less
    | Ast.LessOrEqual -> LessOrEqual
    | Ast.Greater -> Greater
    | Ast.GreaterOrEqual -> GreaterOrEqual
    | Ast.And -> And
    | Ast.Or -> Or

/// Types a binary operation, inserting implicit casts; reports FND1004 when the operand types do not fit.
let private typeBinary (ctx: Context) op (a: Expr) (b: Expr) span =
    let mismatch () =
        ctx.Report(Messages.operatorTypeMismatch span (operatorText op) (a.Type.Display()) (b.Type.Display()))
        errorExpr span
    let nullable = a.Nullable || b.Nullable
    match op with
    | And
    | Or ->
        let ok (t: SqlType) = t = SqlType.Boolean || t = SqlType.Null
        if ok a.Type && ok b.Type then
            Expr.make (Binary(op, castTo SqlType.Boolean a, castTo SqlType.Boolean b)) SqlType.Boolean nullable span
        else mismatch ()
    | Equal
    | NotEqual
    | Less
    | LessOrEqual
    | Greater
    | GreaterOrEqual ->
        match TypeRules.unify a.Type b.Type with
        | Some t when t <> SqlType.Blob ->
            let t = if t = SqlType.Null then SqlType.Integer else t
            Expr.make (Binary(op, castTo t a, castTo t b)) SqlType.Boolean nullable span
        | _ -> mismatch ()
    | Concat ->
        let textual (e: Expr) =
            match e.Type with
            | SqlType.Text -> Some e
            | SqlType.Null -> Some(castTo SqlType.Text e)
            | SqlType.Integer
            | SqlType.Real
            | SqlType.Boolean -> Some(Expr.make (Cast(e, SqlType.Text)) SqlType.Text e.Nullable e.Span)
            | _ -> None
        match textual a, textual b with
        | Some x, Some y when a.Type = SqlType.Text || b.Type = SqlType.Text || a.Type = SqlType.Null || b.Type = SqlType.Null ->
            Expr.make (Binary(Concat, x, y)) SqlType.Text nullable span
        | _ -> mismatch ()
    | Add
    | Subtract
    | Multiply
    | Divide
    | Modulo ->
        match TypeRules.unify a.Type b.Type with
        | Some t when TypeRules.isNumeric t || t = SqlType.Null ->
            let t = if t = SqlType.Null then SqlType.Integer else t
            Expr.make (Binary(op, castTo t a, castTo t b)) t nullable span
        | _ -> mismatch ()

/// The columns visible to expressions: the FROM table, if any.
type private Scope = { Tables: TableRef list }

let private resolveColumn (ctx: Context) (scope: Scope) (qualifier: Ast.Identifier option) (name: Ast.Identifier) span =
    let candidates =
        scope.Tables
        |> List.filter (fun t ->
            match qualifier with
            | None -> true
            | Some q -> nameEquals q t.Alias)
    match qualifier, candidates with
    | Some q, [] ->
        ctx.Report(Messages.unknownTable q.Span q.Name)
        errorExpr span
    | _ ->
        let matches =
            candidates
            |> List.choose (fun t -> t.Columns |> List.tryFind (fun c -> nameEquals name c.Name) |> Option.map (fun c -> t, c))
        match matches with
        | [ (_, c) ] -> Expr.column c span
        | [] ->
            let shown = match qualifier with Some q -> q.Name + "." + name.Name | None -> name.Name
            ctx.Report(Messages.unknownColumn span shown)
            errorExpr span
        | many ->
            ctx.Report(Messages.ambiguousColumn span name.Name (many |> List.map (fun (t, _) -> t.Alias)))
            errorExpr span

let rec private bindExpr (ctx: Context) (scope: Scope) (e: Ast.Expr) : Expr =
    match e.Kind with
    | Ast.Literal lit -> bindLiteral lit e.Span
    | Ast.Parenthesized inner -> { bindExpr ctx scope inner with Span = e.Span }
    | Ast.ColumnRef(qualifier, name) -> resolveColumn ctx scope qualifier name e.Span
    | Ast.Unary(Ast.Identity, x) ->
        let b = bindExpr ctx scope x
        if TypeRules.isNumeric b.Type || b.Type = SqlType.Null then { b with Span = e.Span }
        else
            ctx.Report(Messages.unaryTypeMismatch e.Span "+" (b.Type.Display()))
            errorExpr e.Span
    | Ast.Unary(Ast.Negate, x) ->
        let b = bindExpr ctx scope x
        if TypeRules.isNumeric b.Type then Expr.make (Unary(Negate, b)) b.Type b.Nullable e.Span
        elif b.Type = SqlType.Null then Expr.make (Unary(Negate, castTo SqlType.Integer b)) SqlType.Integer true e.Span
        else
            ctx.Report(Messages.unaryTypeMismatch e.Span "-" (b.Type.Display()))
            errorExpr e.Span
    | Ast.Unary(Ast.Not, x) ->
        let b = bindExpr ctx scope x
        if b.Type = SqlType.Boolean || b.Type = SqlType.Null then
            Expr.make (Unary(Not, castTo SqlType.Boolean b)) SqlType.Boolean b.Nullable e.Span
        else
            ctx.Report(Messages.unaryTypeMismatch e.Span "NOT" (b.Type.Display()))
            errorExpr e.Span
    | Ast.Binary(op, a, b) -> typeBinary ctx (binaryOp op) (bindExpr ctx scope a) (bindExpr ctx scope b) e.Span
    | Ast.IsNull(x, negated) ->
        let b = bindExpr ctx scope x
        Expr.make (IsNull(b, negated)) SqlType.Boolean false e.Span
    | Ast.FunctionCall(name, _, _, _) ->
        ctx.Report(Messages.unsupportedSyntax e.Span (sprintf "function %s()" name.Name))
        errorExpr e.Span

/// A condition (WHERE) must be BOOLEAN; NULL is accepted as "unknown".
let private bindCondition ctx scope clause (e: Ast.Expr) =
    let b = bindExpr ctx scope e
    if b.Type = SqlType.Boolean || b.Type = SqlType.Null then castTo SqlType.Boolean b
    else
        ctx.Report(Messages.conditionNotBoolean e.Span clause (b.Type.Display()))
        errorExpr e.Span

/// LIMIT and OFFSET take a constant non-negative integer.
let private bindCount (ctx: Context) clause (e: Ast.Expr) =
    let b = bindExpr ctx { Tables = [] } e
    match ConstantEvaluator.evaluate b with
    | Some(VInteger n) when n >= 0L -> Some n
    | _ ->
        ctx.Report(Messages.limitNotInteger e.Span clause)
        None

let private bindTableRef (ctx: Context) (t: Ast.TableRef) : TableRef option =
    match ctx.Catalog.FindTable t.Name.Name with
    | null ->
        ctx.Report(Messages.unknownTable t.Name.Span t.Name.Name)
        None
    | schema ->
        let columns = [ for c in schema.Columns -> ctx.NewColumn(c.Name, c.Type, not c.NotNull) ]
        Some
            { Schema = schema
              Alias = (match t.Alias with Some a -> a.Name | None -> schema.Name)
              Columns = columns }

let private bindSelect (ctx: Context) (s: Ast.Select) : Select =
    let from = s.From |> Option.bind (bindTableRef ctx)
    let scope = { Tables = Option.toList from }
    let output =
        s.Items
        |> List.collect (fun item ->
            match item with
            | Ast.AllColumns span ->
                if s.From.IsNone then
                    ctx.Report(Messages.starWithoutFrom span)
                    []
                else scope.Tables |> List.collect (fun t -> t.Columns |> List.map (fun c -> c.Name, Expr.column c span))
            | Ast.TableColumns(q, span) ->
                match scope.Tables |> List.filter (fun t -> nameEquals q t.Alias) with
                | [] ->
                    ctx.Report(Messages.unknownTable q.Span q.Name)
                    []
                | tables -> tables |> List.collect (fun t -> t.Columns |> List.map (fun c -> c.Name, Expr.column c span))
            | Ast.ExprItem(e, alias) ->
                let b = bindExpr ctx scope e
                let name =
                    match alias, e.Kind with
                    | Some a, _ -> a.Name
                    | None, Ast.ColumnRef(_, n) -> n.Name
                    | None, _ -> ctx.TextOf e.Span
                [ name, b ])
    let where = s.Where |> Option.map (bindCondition ctx scope "WHERE")
    let orderBy =
        s.OrderBy
        |> List.map (fun o ->
            let expr =
                match o.Expr.Kind with
                // ORDER BY 2: the second output column.
                | Ast.Literal(Ast.IntegerLiteral n) ->
                    if n >= 1L && n <= int64 output.Length then snd output[int n - 1]
                    else
                        ctx.Report(Messages.orderByPositionOutOfRange o.Expr.Span n output.Length)
                        errorExpr o.Expr.Span
                // ORDER BY alias: an output column's name, when no FROM column has it.
                | Ast.ColumnRef(None, name) ->
                    let fromColumn = scope.Tables |> List.exists (fun t -> t.Columns |> List.exists (fun c -> nameEquals name c.Name))
                    match output |> List.tryFind (fun (n, _) -> nameEquals name n) with
                    | Some(_, e) when not fromColumn -> e
                    | _ -> bindExpr ctx scope o.Expr
                | _ -> bindExpr ctx scope o.Expr
            { Expr = expr; Descending = o.Descending })
    { Output = output
      From = from
      Where = where
      OrderBy = orderBy
      Limit = s.Limit |> Option.bind (bindCount ctx "LIMIT")
      Offset = s.Offset |> Option.bind (bindCount ctx "OFFSET") |> Option.defaultValue 0L }

let private bindInsert (ctx: Context) (i: Ast.Insert) : Insert option =
    match ctx.Catalog.FindTable i.Table.Name with
    | null ->
        ctx.Report(Messages.unknownTable i.Table.Span i.Table.Name)
        None
    | schema ->
        let targets =
            match i.Columns with
            | None -> schema.Columns |> Seq.map (fun c -> Some c, i.Table.Span) |> List.ofSeq
            | Some ids ->
                ids
                |> List.map (fun id ->
                    match schema.Columns |> Seq.tryFind (fun c -> nameEquals id c.Name) with
                    | Some c -> Some c, id.Span
                    | None ->
                        ctx.Report(Messages.unknownColumn id.Span id.Name)
                        None, id.Span)
        let seen = Collections.Generic.HashSet<int>()
        for (c, span) in targets do
            match c with
            | Some c when not (seen.Add c.Ordinal) -> ctx.Report(Messages.duplicateColumn span c.Name)
            | _ -> ()
        for c in schema.Columns do
            if c.NotNull && not (seen.Contains c.Ordinal) then ctx.Report(Messages.notNullInsertMissing i.Table.Span c.Name)
        let bindRow (row: Ast.Expr list) =
            if row.Length <> targets.Length then
                let span = if row.IsEmpty then i.Span else Span.Union(row.Head.Span, (List.last row).Span)
                ctx.Report(Messages.insertArity span targets.Length row.Length)
            let given =
                List.zip (List.truncate row.Length targets) (List.truncate targets.Length row)
                |> List.choose (fun ((column, _), e) ->
                    let b = bindExpr ctx { Tables = [] } e
                    match column with
                    | None -> None
                    | Some c ->
                        if not (TypeRules.assignable b.Type c.Type) then
                            ctx.Report(Messages.assignmentTypeMismatch e.Span c.Name (c.Type.Display()) (b.Type.Display()))
                        elif c.NotNull && b.Kind = Constant VNull then
                            ctx.Report(Messages.nullIntoNotNull e.Span c.Name)
                        Some(c.Ordinal, castTo c.Type b))
                |> Map.ofList
            [ for c in schema.Columns ->
                  match given.TryFind c.Ordinal with
                  | Some e -> e
                  | None -> { Expr.constant VNull i.Span with Type = c.Type } ]
        Some { Table = schema; Rows = i.Rows |> List.map bindRow; Span = i.Span }

let private bindCreateTable (ctx: Context) (c: Ast.CreateTable) : CreateTable option =
    let exists = not (isNull (ctx.Catalog.FindTable c.Name.Name))
    if exists && not c.IfNotExists then ctx.Report(Messages.tableAlreadyExists c.Name.Span c.Name.Name)
    let seen = Collections.Generic.HashSet<string>(StringComparer.OrdinalIgnoreCase)
    let columns =
        c.Columns
        |> List.map (fun d ->
            if not (seen.Add d.Name.Name) then ctx.Report(Messages.duplicateColumn d.Name.Span d.Name.Name)
            let typ =
                match TypeRules.resolveTypeName d.Type.Name with
                | Some t -> t
                | None ->
                    ctx.Report(Messages.unknownType d.Type.Span d.Type.Name)
                    SqlType.Integer
            { Name = d.Name.Name; Type = typ; NotNull = d.NotNull || d.PrimaryKey })
    let inlineKeys = c.Columns |> List.indexed |> List.filter (fun (_, d) -> d.PrimaryKey)
    let primaryKey =
        match inlineKeys, c.PrimaryKey with
        | [], None -> []
        | [ (i, _) ], None -> [ i ]
        | [], Some(names, _) ->
            names
            |> List.choose (fun n ->
                match c.Columns |> List.tryFindIndex (fun d -> nameEquals n d.Name.Name) with
                | Some i -> Some i
                | None ->
                    ctx.Report(Messages.unknownPrimaryKeyColumn n.Span n.Name)
                    None)
        | _ ->
            ctx.Report(Messages.multiplePrimaryKeys c.Span c.Name.Name)
            []
    let columns = columns |> List.mapi (fun i col -> if List.contains i primaryKey then { col with NotNull = true } else col)
    Some { Name = c.Name.Name; Columns = columns; PrimaryKey = primaryKey; IfNotExists = c.IfNotExists }

/// Binds one statement against the catalog; fails with every binding diagnostic found.
let bind (catalog: ICatalog) (sourceText: string) (statement: Ast.Statement) : Statement =
    let ctx = Context(catalog, sourceText)
    let bound =
        match statement.Kind with
        | Ast.Select s -> Some(Select(bindSelect ctx s))
        | Ast.Insert i -> bindInsert ctx i |> Option.map Insert
        | Ast.CreateTable c -> bindCreateTable ctx c |> Option.map CreateTable
        | Ast.DropTable(name, ifExists) ->
            if isNull (catalog.FindTable name.Name) && not ifExists then ctx.Report(Messages.unknownTable name.Span name.Name)
            Some(DropTable(name.Name, ifExists))
    match bound with
    | Some b when ctx.Errors.Count = 0 -> b
    | _ -> Diagnostic.fail (List.ofSeq ctx.Errors)
