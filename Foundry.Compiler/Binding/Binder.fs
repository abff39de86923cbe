/// Binds one statement: AST + catalog -> bound tree. Errors are collected rather than thrown at the
/// first one; an expression that fails to bind becomes a NULL constant (which every operator accepts),
/// so one mistake does not cascade into a list of follow-on errors.
module Foundry.Compiler.Binding.Binder

open System
open Foundry.Compiler.Diagnostics
open Foundry.Compiler.Syntax
open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.Binding.BindContext
open Foundry.Compiler.Binding.Scope
open Foundry.Compiler.Binding.ExprBinder
open Foundry.Compiler.Binding
open Foundry.Runtime

let private valueEnv ctx clause =
    { Scope = Scope.empty; Aggregates = None; Clause = clause; BindQuery = QueryBinder.bindQuery ctx }

let private typedNull (t: SqlType) span = { Expr.constant VNull span with Type = t }

/// Parses and binds a stored expression (DEFAULT, CHECK) in the given environment.
let private bindStored (ctx: Context) (env: Env) (sql: string) span : Expr =
    match Parser.parseExpression sql with
    | Ok e -> bind ctx env e
    | Result.Error ds ->
        for d in ds do
            ctx.Report { d with Span = span }
        errorExpr span

/// Fresh columns standing for a row's values, the table's CHECK conditions (when `checks`) and the
/// RETURNING list over them; `alias` also names the row in RETURNING.
let private rowChecks (ctx: Context) (schema: TableSchema) (alias: string) (checks: bool) (returning: Ast.SelectItem list) span : RowChecks =
    let columns = [ for c in schema.Columns -> ctx.NewColumn(c.Name, c.Type, not c.NotNull) ]
    let entries =
        columns |> List.collect (fun c -> [ { Qualifier = alias; Column = c; Unqualified = true } ] @ (if alias <> schema.Name then [ { Qualifier = schema.Name; Column = c; Unqualified = false } ] else []))
    let env = { Scope = child Scope.empty entries; Aggregates = None; Clause = "CHECK"; BindQuery = QueryBinder.bindQuery ctx }
    let outputs =
        returning
        |> List.collect (fun item ->
            match item with
            | Ast.AllColumns s
            | Ast.TableColumns(_, s) -> columns |> List.map (fun c -> c.Name, Expr.column c s)
            | Ast.ExprItem(e, alias) ->
                let b = bind ctx { env with Clause = "RETURNING" } e
                let name =
                    match alias, e.Kind with
                    | Some a, _ -> a.Name
                    | None, Ast.ColumnRef(_, n) -> n.Name
                    | None, _ -> ctx.TextOf e.Span
                [ name, b ])
        |> List.map (fun (name, e) -> ctx.NewColumn(name, e.Type, e.Nullable), e)
    { Columns = columns
      Conditions = (if checks then [ for check in schema.Checks -> check.Name, castTo ctx SqlType.Boolean (bindStored ctx env check.Sql span) ] else [])
      Returning = outputs }

/// INSERT: the source becomes a query producing one value per table column, in ordinal order.
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
        if i.Source <> Ast.DefaultValues then
            for c in schema.Columns do
                if c.NotNull && isNull c.DefaultSql && not (seen.Contains c.Ordinal) then ctx.Report(Messages.notNullInsertMissing i.Table.Span c.Name)
        /// Values for every table column from the given (target, expression) pairs; a column not given
        /// takes its DEFAULT, or NULL.
        let complete (given: Map<int, Expr>) =
            [ for c in schema.Columns ->
                  match given.TryFind c.Ordinal with
                  | Some e -> e
                  | None when not (isNull c.DefaultSql) -> castTo ctx c.Type (bindStored ctx (valueEnv ctx "DEFAULT") c.DefaultSql i.Span)
                  | None -> typedNull c.Type i.Span ]
        let assign (column: ColumnSchema) (b: Expr) span =
            if not (TypeRules.assignable b.Type column.Type) then
                ctx.Report(Messages.assignmentTypeMismatch span column.Name (column.Type.Display()) (b.Type.Display()))
            elif column.NotNull && b.Kind = Constant VNull then
                ctx.Report(Messages.nullIntoNotNull span column.Name)
            castTo ctx column.Type b
        let tableColumns = [ for c in schema.Columns -> ctx.NewColumn(c.Name, c.Type, not c.NotNull) ]
        let source =
            match i.Source with
            | Ast.DefaultValues -> { Body = ValuesBody([ complete Map.empty ], tableColumns); OrderBy = []; Limit = None; Offset = None; Columns = tableColumns }
            | Ast.ValuesSource rows ->
                let bindRow (row: Ast.Expr list) =
                    if row.Length <> targets.Length then
                        let span = if row.IsEmpty then i.Span else Span.Union(row.Head.Span, (List.last row).Span)
                        ctx.Report(Messages.insertArity span targets.Length row.Length)
                    List.zip (List.truncate row.Length targets) (List.truncate targets.Length row)
                    |> List.choose (fun ((column, _), e) ->
                        let b = bind ctx (valueEnv ctx "VALUES") e
                        column |> Option.map (fun c -> c.Ordinal, assign c b e.Span))
                    |> Map.ofList
                    |> complete
                { Body = ValuesBody(rows |> List.map bindRow, tableColumns); OrderBy = []; Limit = None; Offset = None; Columns = tableColumns }
            | Ast.QuerySource q ->
                let bq = QueryBinder.bindQuery ctx Scope.empty q
                if bq.Columns.Length <> targets.Length then ctx.Report(Messages.insertArity q.Span targets.Length bq.Columns.Length)
                let given =
                    List.zip (List.truncate bq.Columns.Length targets) (List.truncate targets.Length bq.Columns)
                    |> List.choose (fun ((column, _), qc) -> column |> Option.map (fun c -> c.Ordinal, assign c (Expr.column qc q.Span) q.Span))
                    |> Map.ofList
                let select =
                    { From = Some(DerivedSource(bq, "", bq.Columns))
                      Where = None
                      Grouping = None
                      Having = None
                      Output = List.zip tableColumns (complete given)
                      VisibleCount = tableColumns.Length
                      Distinct = false }
                { Body = SelectBody select; OrderBy = []; Limit = None; Offset = None; Columns = tableColumns }
        Some { Table = schema; Source = source; Checks = rowChecks ctx schema schema.Name true i.Returning i.Span; Span = i.Span }

let private tableRefOf (ctx: Context) (t: Ast.TableRef) =
    match ctx.Catalog.FindTable t.Name.Name with
    | null ->
        ctx.Report(Messages.unknownTable t.Name.Span t.Name.Name)
        None
    | schema ->
        let alias = match t.Alias with Some a -> a.Name | None -> schema.Name
        Some { Schema = schema; Alias = alias; Columns = [ for c in schema.Columns -> ctx.NewColumn(c.Name, c.Type, not c.NotNull) ] }

let private bindUpdate (ctx: Context) (u: Ast.Update) : Update option =
    tableRefOf ctx u.Table
    |> Option.map (fun table ->
        let entries = table.Columns |> List.map (fun c -> { Qualifier = table.Alias; Column = c; Unqualified = true })
        // UPDATE ... FROM: the FROM list's tables keep their names and aliases for SET and WHERE.
        let fromSource, fromEntries =
            match u.From with
            | [] -> None, []
            | items -> QueryBinder.bindFrom ctx Scope.empty items
        let env = { Scope = child Scope.empty (entries @ fromEntries); Aggregates = None; Clause = "UPDATE"; BindQuery = QueryBinder.bindQuery ctx }
        let assignments =
            u.Assignments
            |> List.choose (fun (id, e) ->
                match table.Schema.Columns |> Seq.tryFind (fun c -> nameEquals id c.Name) with
                | None ->
                    ctx.Report(Messages.unknownColumn id.Span id.Name)
                    None
                | Some c ->
                    let b = bind ctx env e
                    if not (TypeRules.assignable b.Type c.Type) then
                        ctx.Report(Messages.assignmentTypeMismatch e.Span c.Name (c.Type.Display()) (b.Type.Display()))
                    elif c.NotNull && b.Kind = Constant VNull then ctx.Report(Messages.nullIntoNotNull e.Span c.Name)
                    Some { Ordinal = c.Ordinal; Value = castTo ctx c.Type b })
        let source =
            match fromSource with
            | None -> TableSource table
            | Some f -> JoinSource(Cross, TableSource table, f, None)
        { Table = table
          Source = source
          Where = u.Where |> Option.map (bindCondition ctx { env with Clause = "WHERE" })
          Assignments = assignments
          Checks = rowChecks ctx table.Schema table.Alias true u.Returning u.Span })

let private bindDelete (ctx: Context) (d: Ast.Delete) : Delete option =
    tableRefOf ctx d.Table
    |> Option.map (fun table ->
        let entries = table.Columns |> List.map (fun c -> { Qualifier = table.Alias; Column = c; Unqualified = true })
        let env = { Scope = child Scope.empty entries; Aggregates = None; Clause = "WHERE"; BindQuery = QueryBinder.bindQuery ctx }
        { Table = table; Where = d.Where |> Option.map (bindCondition ctx env); Checks = rowChecks ctx table.Schema table.Alias false d.Returning Span.None })

/// A column definition's SQL type and its DEFAULT, which must fit the type and have no subquery (it is
/// stored as its SQL text and compiled wherever an INSERT omits the column).
let private columnTypeAndDefault (ctx: Context) (d: Ast.ColumnDef) : SqlType * string option =
    let typ =
        match TypeRules.resolveTypeName d.Type.Name with
        | Some t -> t
        | None ->
            ctx.Report(Messages.unknownType d.Type.Span d.Type.Name)
            SqlType.Integer
    let defaultSql =
        d.Constraints
        |> List.tryPick (function Ast.DefaultConstraint(e, _) -> Some e | _ -> None)
        |> Option.map (fun e ->
            let b = bind ctx (valueEnv ctx "DEFAULT") e
            if Expr.containsSubquery b || not (TypeRules.assignable b.Type typ) then
                ctx.Report(Messages.assignmentTypeMismatch e.Span d.Name.Name (typ.Display()) (b.Type.Display()))
            ctx.TextOf e.Span)
    typ, defaultSql

let private bindCreateTable (ctx: Context) (c: Ast.CreateTable) : CreateTable option =
    let exists = not (isNull (ctx.Catalog.FindTable c.Name.Name)) || not (isNull (ctx.Catalog.FindView c.Name.Name))
    if exists && not c.IfNotExists then ctx.Report(Messages.tableAlreadyExists c.Name.Span c.Name.Name)
    if c.Columns.Length > Foundry.Storage.RecordWriter.MaxColumns then
        ctx.Report(Messages.tooManyColumns c.Name.Span c.Name.Name c.Columns.Length Foundry.Storage.RecordWriter.MaxColumns)
    let seen = Collections.Generic.HashSet<string>(StringComparer.OrdinalIgnoreCase)
    let columns =
        c.Columns
        |> List.map (fun d ->
            if not (seen.Add d.Name.Name) then ctx.Report(Messages.duplicateColumn d.Name.Span d.Name.Name)
            let typ, defaultSql = columnTypeAndDefault ctx d
            let notNull = d.Constraints |> List.exists (function Ast.NotNullConstraint _ | Ast.PrimaryKeyConstraint _ -> true | _ -> false)
            { Name = d.Name.Name; Type = typ; NotNull = notNull; Default = defaultSql })
    let inlineKeys =
        c.Columns |> List.indexed |> List.filter (fun (_, d) -> d.Constraints |> List.exists (function Ast.PrimaryKeyConstraint _ -> true | _ -> false))
    let tableKeys =
        c.Constraints
        |> List.choose (function
            | Ast.PrimaryKeyTableConstraint(names, span) -> Some(names, span)
            | Ast.UniqueTableConstraint _ -> None
            | Ast.CheckTableConstraint _ -> None
            | Ast.ForeignKeyTableConstraint _ -> None)
    let primaryKey =
        match inlineKeys, tableKeys with
        | [], [] -> []
        | [ (i, _) ], [] -> [ i ]
        | [], [ (names, _) ] ->
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
    let ordinalOf (n: Ast.Identifier) =
        match c.Columns |> List.tryFindIndex (fun d -> nameEquals n d.Name.Name) with
        | Some i -> Some i
        | None ->
            ctx.Report(Messages.unknownColumn n.Span n.Name)
            None
    let unique =
        (c.Columns
         |> List.indexed
         |> List.filter (fun (_, d) -> d.Constraints |> List.exists (function Ast.UniqueConstraint _ -> true | _ -> false))
         |> List.map (fun (i, _) -> [ i ]))
        @ (c.Constraints |> List.choose (function Ast.UniqueTableConstraint(names, _) -> Some(names |> List.choose ordinalOf) | _ -> None))
    // CHECK constraints, named as PostgreSQL names them (table_column_check, table_check, table_check1, ...).
    let checkColumns = columns |> List.map (fun col -> ctx.NewColumn(col.Name, col.Type, not col.NotNull))
    let checkEnv =
        { Scope = child Scope.empty (checkColumns |> List.map (fun col -> { Qualifier = c.Name.Name; Column = col; Unqualified = true }))
          Aggregates = None
          Clause = "CHECK"
          BindQuery = QueryBinder.bindQuery ctx }
    let checkExprs =
        (c.Columns |> List.collect (fun d -> d.Constraints |> List.choose (function Ast.CheckConstraint(e, _) -> Some(Some d.Name.Name, e) | _ -> None)))
        @ (c.Constraints |> List.choose (function Ast.CheckTableConstraint(e, _) -> Some(None, e) | _ -> None))
    let mutable unnamed = 0
    let checks =
        checkExprs
        |> List.map (fun (column, e) ->
            let b = bindCondition ctx checkEnv e
            if Expr.containsSubquery b then ctx.Report(Messages.unsupportedSyntax e.Span "a subquery in CHECK")
            let name =
                match column with
                | Some col -> sprintf "%s_%s_check" c.Name.Name col
                | None ->
                    unnamed <- unnamed + 1
                    if unnamed = 1 then sprintf "%s_check" c.Name.Name else sprintf "%s_check%d" c.Name.Name (unnamed - 1)
            name, ctx.TextOf e.Span)
    // FOREIGN KEY / REFERENCES: the referenced columns (default: the parent's primary key) must be the
    // parent's primary key or have a unique index, and match in number and type.
    let references =
        (c.Columns
         |> List.collect (fun d -> d.Constraints |> List.choose (function Ast.ReferencesConstraint r -> Some([ d.Name ], r) | _ -> None)))
        @ (c.Constraints |> List.choose (function Ast.ForeignKeyTableConstraint(cols, r, _) -> Some(cols, r) | _ -> None))
    let foreignKeys =
        references
        |> List.choose (fun (childNames, r) ->
            let self = nameEquals r.Table c.Name.Name
            let parent = if self then None else Option.ofObj (ctx.Catalog.FindTable r.Table.Name)
            if not self && parent.IsNone then
                ctx.Report(Messages.unknownTable r.Table.Span r.Table.Name)
                None
            else
                let parentColumns: (string * SqlType) list =
                    match parent with
                    | Some p -> [ for col in p.Columns -> col.Name, col.Type ]
                    | None -> columns |> List.map (fun col -> col.Name, col.Type)
                let parentKey = match parent with Some p -> List.ofSeq p.PrimaryKey | None -> primaryKey
                let parentUniques = match parent with Some p -> [ for i in p.Indexes do if i.Unique then List.ofSeq i.Columns ] | None -> unique
                let parentOrdinals =
                    if r.Columns.IsEmpty then parentKey
                    else
                        r.Columns
                        |> List.choose (fun n ->
                            match parentColumns |> List.tryFindIndex (fun (name, _) -> nameEquals n name) with
                            | Some i -> Some i
                            | None ->
                                ctx.Report(Messages.unknownColumn n.Span n.Name)
                                None)
                let childOrdinals = childNames |> List.choose ordinalOf
                if parentOrdinals.IsEmpty || not (parentOrdinals = parentKey || List.contains parentOrdinals parentUniques) then
                    ctx.Report(Messages.foreignKeyTarget r.Span r.Table.Name)
                    None
                elif childOrdinals.Length <> parentOrdinals.Length then
                    ctx.Report(Messages.foreignKeyShape r.Span (sprintf "%d referencing columns but %d referenced" childOrdinals.Length parentOrdinals.Length))
                    None
                elif List.exists2 (fun ch pa -> columns[ch].Type <> snd parentColumns[pa]) childOrdinals parentOrdinals then
                    ctx.Report(Messages.foreignKeyShape r.Span "the referencing and referenced columns have different types")
                    None
                elif r.OnDelete = Ast.SetNull && childOrdinals |> List.exists (fun o -> columns[o].NotNull) then
                    ctx.Report(Messages.foreignKeyShape r.Span "ON DELETE SET NULL on a NOT NULL column")
                    None
                else
                    Some
                        { Name = sprintf "%s_%s_fkey" c.Name.Name (childOrdinals |> List.map (fun o -> columns[o].Name) |> String.concat "_")
                          Columns = childOrdinals
                          ParentTable = (match parent with Some p -> p.Name | None -> c.Name.Name)
                          ParentColumns = parentOrdinals
                          OnDelete =
                            match r.OnDelete with
                            | Ast.Cascade -> ReferentialAction.Cascade
                            | Ast.SetNull -> ReferentialAction.SetNull
                            | Ast.Restrict -> ReferentialAction.Restrict
                            | Ast.NoAction -> ReferentialAction.NoAction })
    Some { Name = c.Name.Name; Columns = columns; PrimaryKey = primaryKey; Unique = unique; Checks = checks; ForeignKeys = foreignKeys; IfNotExists = c.IfNotExists }

let private bindCreateIndex (ctx: Context) (i: Ast.CreateIndex) : CreateIndex option =
    if ctx.Catalog.IndexExists i.Name.Name && not i.IfNotExists then ctx.Report(Messages.indexAlreadyExists i.Name.Span i.Name.Name)
    match ctx.Catalog.FindTable i.Table.Name with
    | null ->
        ctx.Report(Messages.unknownTable i.Table.Span i.Table.Name)
        None
    | schema ->
        let columns =
            i.Columns
            |> List.choose (fun ic ->
                match schema.Columns |> Seq.tryFind (fun c -> nameEquals ic.Column c.Name) with
                | Some c -> Some c.Ordinal
                | None ->
                    ctx.Report(Messages.unknownColumn ic.Column.Span ic.Column.Name)
                    None)
        Some { Name = i.Name.Name; Table = schema; Columns = columns; Unique = i.Unique; IfNotExists = i.IfNotExists }

/// Binds one statement against the catalog; fails with every binding diagnostic found. Also returns
/// the number of parameters the statement takes (its highest parameter number).
let bindWithParameters (catalog: ICatalog) (sourceText: string) (statement: Ast.Statement) : Statement * int =
    let ctx = Context(catalog, sourceText)
    let bound =
        match statement.Kind with
        | Ast.Select q -> Some(Query(QueryBinder.bindQuery ctx Scope.empty q))
        | Ast.Insert i ->
            bindInsert ctx i |> Option.map Insert
        | Ast.Update u ->
            bindUpdate ctx u |> Option.map Update
        | Ast.Delete d ->
            bindDelete ctx d |> Option.map Delete
        | Ast.CreateTable c -> bindCreateTable ctx c |> Option.map CreateTable
        | Ast.DropTable(name, ifExists) ->
            match catalog.FindTable name.Name with
            | null -> if not ifExists then ctx.Report(Messages.unknownTable name.Span name.Name)
            | table ->
                for (child, _) in table.ReferencedBy do
                    if not (obj.ReferenceEquals(child, table)) then ctx.Report(Messages.tableReferenced name.Span table.Name child.Name)
            Some(DropTable(name.Name, ifExists))
        | Ast.CreateIndex i -> bindCreateIndex ctx i |> Option.map CreateIndex
        | Ast.DropIndex(name, ifExists) ->
            if not (catalog.IndexExists name.Name) && not ifExists then ctx.Report(Messages.unknownIndex name.Span name.Name)
            Some(DropIndex(name.Name, ifExists))
        | Ast.CreateView v ->
            let exists = not (isNull (catalog.FindView v.Name.Name)) || not (isNull (catalog.FindTable v.Name.Name))
            if exists && not v.IfNotExists then ctx.Report(Messages.viewAlreadyExists v.Name.Span v.Name.Name)
            if v.Columns.IsSome then ctx.Report(Messages.unsupportedSyntax v.Name.Span "a column list on CREATE VIEW")
            // Bind once now so that a view that cannot work is rejected when it is created.
            QueryBinder.bindQuery ctx Scope.empty v.Query |> ignore
            Some(CreateView(v.Name.Name, ctx.TextOf v.Query.Span, v.IfNotExists))
        | Ast.DropView(name, ifExists) ->
            if isNull (catalog.FindView name.Name) && not ifExists then ctx.Report(Messages.unknownView name.Span name.Name)
            Some(DropView(name.Name, ifExists))
        | Ast.Begin -> Some Begin
        | Ast.Commit -> Some Commit
        | Ast.Rollback -> Some Rollback
        | Ast.Checkpoint -> Some Checkpoint
        | Ast.AlterTable(name, action) ->
            match catalog.FindTable name.Name with
            | null ->
                ctx.Report(Messages.unknownTable name.Span name.Name)
                None
            | table ->
                let columnNamed (id: Ast.Identifier) = table.Columns |> Seq.tryFind (fun c -> nameEquals id c.Name)
                let mentions (sql: string) (column: string) =
                    System.Text.RegularExpressions.Regex.IsMatch(sql, sprintf @"(?i)(?<![\w""])%s(?![\w""])" (System.Text.RegularExpressions.Regex.Escape column))
                match action with
                | Ast.AddColumn d ->
                    if (columnNamed d.Name).IsSome then ctx.Report(Messages.duplicateColumn d.Name.Span d.Name.Name)
                    if table.Columns.Count >= Foundry.Storage.RecordWriter.MaxColumns then
                        ctx.Report(Messages.tooManyColumns d.Name.Span table.Name (table.Columns.Count + 1) Foundry.Storage.RecordWriter.MaxColumns)
                    let typ, defaultSql = columnTypeAndDefault ctx d
                    for c in d.Constraints do
                        match c with
                        | Ast.PrimaryKeyConstraint span -> ctx.Report(Messages.unsupportedSyntax span "PRIMARY KEY in ADD COLUMN")
                        | Ast.UniqueConstraint span -> ctx.Report(Messages.unsupportedSyntax span "UNIQUE in ADD COLUMN (use CREATE UNIQUE INDEX)")
                        | Ast.CheckConstraint(_, span) -> ctx.Report(Messages.unsupportedSyntax span "CHECK in ADD COLUMN")
                        | Ast.ReferencesConstraint r -> ctx.Report(Messages.unsupportedSyntax r.Span "REFERENCES in ADD COLUMN")
                        | _ -> ()
                    let notNull = d.Constraints |> List.exists (function Ast.NotNullConstraint _ -> true | _ -> false)
                    Some(AlterTable(table, AddColumn { Name = d.Name.Name; Type = typ; NotNull = notNull; Default = defaultSql }))
                | Ast.RenameColumn(oldName, newName) ->
                    match columnNamed oldName with
                    | None ->
                        ctx.Report(Messages.unknownColumn oldName.Span oldName.Name)
                        None
                    | Some column ->
                        if (columnNamed newName).IsSome then ctx.Report(Messages.duplicateColumn newName.Span newName.Name)
                        // Stored expressions name columns by text; renaming under them would break them.
                        for check in table.Checks do
                            if mentions check.Sql column.Name then ctx.Report(Messages.columnUsedByConstraint oldName.Span column.Name check.Name)
                        for c in table.Columns do
                            if not (isNull c.DefaultSql) && mentions c.DefaultSql column.Name then
                                ctx.Report(Messages.columnUsedByConstraint oldName.Span column.Name (c.Name + " DEFAULT"))
                        Some(AlterTable(table, RenameColumn(column.Ordinal, newName.Name)))
                | Ast.RenameTable newName ->
                    if not (isNull (catalog.FindTable newName.Name)) || not (isNull (catalog.FindView newName.Name)) then
                        ctx.Report(Messages.tableAlreadyExists newName.Span newName.Name)
                    for (child, _) in table.ReferencedBy do
                        if not (obj.ReferenceEquals(child, table)) then ctx.Report(Messages.tableReferencedRename name.Span table.Name child.Name)
                    Some(AlterTable(table, RenameTable newName.Name))
        | Ast.Analyze None -> Some(Analyze None)
        | Ast.Analyze(Some name) ->
            match catalog.FindTable name.Name with
            | null ->
                ctx.Report(Messages.unknownTable name.Span name.Name)
                None
            | table -> Some(Analyze(Some table.Name))
        | Ast.Explain(analyze, inner) ->
            match inner.Kind with
            | Ast.Select q -> Some(Explain(analyze, Query(QueryBinder.bindQuery ctx Scope.empty q)))
            | Ast.Insert i -> bindInsert ctx i |> Option.map (fun b -> Explain(analyze, Insert b))
            | Ast.Update u -> bindUpdate ctx u |> Option.map (fun b -> Explain(analyze, Update b))
            | Ast.Delete d -> bindDelete ctx d |> Option.map (fun b -> Explain(analyze, Delete b))
            | _ ->
                ctx.Report(Messages.unsupportedSyntax inner.Span "EXPLAIN of a statement other than SELECT, INSERT, UPDATE or DELETE")
                None
    // A parameter no context gave a type to (SELECT ?) is an error, as in PostgreSQL; CAST fixes it.
    let rec untyped (e: Expr) =
        match e.Kind with
        | Parameter n when e.Type = SqlType.Null -> [ n, e.Span ]
        | _ -> Expr.children e |> List.collect untyped
    match bound with
    | Some(Query q) ->
        for (n, span) in q.Body |> (function SelectBody s -> s.Output |> List.collect (snd >> untyped) | _ -> []) |> List.distinctBy fst do
            ctx.Report(Messages.parameterType span n)
    | _ -> ()
    match bound with
    | Some b when ctx.Errors.Count = 0 -> b, ctx.ParameterCount
    | _ -> Diagnostic.fail (List.ofSeq ctx.Errors)

/// Binds one statement against the catalog; fails with every binding diagnostic found.
let bind (catalog: ICatalog) (sourceText: string) (statement: Ast.Statement) : Statement =
    fst (bindWithParameters catalog sourceText statement)
