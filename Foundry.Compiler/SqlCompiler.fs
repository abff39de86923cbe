namespace Foundry.Compiler

open System
open Foundry.Compiler.Diagnostics
open Foundry.Compiler.Syntax
open Foundry.Compiler.Binding
open Foundry.Compiler.Logical
open Foundry.Compiler.Rules
open Foundry.Compiler.Physical
open Foundry.Compiler.CodeGen
open Foundry.Compiler.Explain
open Foundry.Runtime

/// A compile error as the engine and tools see it (no F# types): code, message and place.
[<AllowNullLiteral>]
type SqlDiagnostic(code: string, message: string, line: Nullable<int>, column: Nullable<int>, endLine: Nullable<int>, endColumn: Nullable<int>, rendered: string) =
    member _.Code = code
    member _.Message = message
    member _.Line = line
    member _.Column = column
    member _.EndLine = endLine
    member _.EndColumn = endColumn
    /// Headline, source line and caret.
    member _.Rendered = rendered

/// Raised for SQL that cannot be compiled; Diagnostics holds every problem found, first first.
type CompilationException(diagnostics: SqlDiagnostic[]) =
    inherit Exception(if diagnostics.Length = 0 then "compilation failed" else diagnostics[0].Message)
    member _.Diagnostics = diagnostics

type CompiledStatementKind =
    | Query = 0
    /// INSERT, UPDATE or DELETE: a program that counts the rows it changed.
    | Change = 1
    | CreateTable = 2
    | DropTable = 3
    | CreateIndex = 4
    | DropIndex = 5
    | CreateView = 6
    | DropView = 7
    | Begin = 8
    | Commit = 9
    | Rollback = 10
    | Checkpoint = 11
    /// EXPLAIN ANALYZE: run `Inner` (instrumented), then return `RenderAnalysis(counters, milliseconds, memoryLine)`,
    /// where the engine's `memoryLine` says what the operators took and spilled.
    | ExplainAnalyze = 12
    /// ALTER TABLE: `TableToCreate` is the table's new definition; `ObjectName` its current name;
    /// `BackfillSql`, when set, an UPDATE that fills a new column of existing rows with its DEFAULT.
    | AlterTable = 13
    /// ANALYZE: count the rows of `ObjectName` (null: every table) and keep the counts in the catalog.
    | Analyze = 14

/// What the engine runs. A query or change has a Program (the compiled delegate) with its state
/// Layout; schema statements carry what the engine's catalog applies.
[<AllowNullLiteral>]
type CompiledStatement(kind: CompiledStatementKind, commandTag: string) =
    member _.Kind = kind
    /// The command tag clients see: SELECT, INSERT, UPDATE, DELETE, CREATE TABLE, ...
    member _.CommandTag = commandTag
    member val ColumnNames: string[] = [||] with get, set
    member val ColumnTypes: SqlType[] = [||] with get, set
    member val Program: Func<QueryState, bool> = null with get, set
    member val Layout: StateLayout = StateLayout(0, 0, 0, 0, 0) with get, set
    /// The state counter holding the affected-row count, or -1.
    member val AffectedCounter = -1 with get, set
    /// CREATE TABLE: the new table (RootPageId 0 until the engine allocates its tree).
    member val TableToCreate: TableSchema = null with get, set
    /// The table, view or index a schema statement names.
    member val ObjectName: string = null with get, set
    /// IF EXISTS (DROP) or IF NOT EXISTS (CREATE).
    member val IfExists = false with get, set
    /// CREATE VIEW: the defining query's text.
    member val ViewSql: string = null with get, set
    /// CREATE INDEX: the table, its key columns (ordinals) and uniqueness.
    member val IndexTable: string = null with get, set
    member val IndexColumns: int[] = [||] with get, set
    member val IndexUnique = false with get, set
    /// CREATE TABLE: the column sets of its UNIQUE constraints (each becomes a unique index).
    member val UniqueKeys: int[][] = [||] with get, set
    /// How many parameter values an execution needs.
    member val ParameterCount = 0 with get, set
    /// ALTER TABLE ADD COLUMN with a DEFAULT: the UPDATE that gives existing rows the default.
    member val BackfillSql: string = null with get, set
    /// ALTER TABLE ADD COLUMN ... NOT NULL without a DEFAULT: allowed only while the table is empty.
    member val RequiresEmptyTable = false with get, set
    /// EXPLAIN ANALYZE: the statement to run, instrumented.
    member val Inner: CompiledStatement = null with get, set
    /// EXPLAIN ANALYZE: the result (a query returning the annotated plan) from the inner run's state
    /// counters and its elapsed milliseconds.
    member val RenderAnalysis: Func<int64[], float, string, CompiledStatement> = null with get, set

/// One parsed statement and the script text it came from (error locations refer to that text).
[<AllowNullLiteral>]
type ParsedStatement internal (ast: Ast.Statement, source: string, depth: int) =
    member internal _.Ast = ast
    /// The deepest nesting of the script the statement came from (Syntax/InputLimits).
    member internal _.Depth = depth
    member _.Source = source
    /// The statement's own text.
    member _.Text =
        let span = ast.Span
        if span.IsNone then source else source.Substring(span.Start.Offset, span.End.Offset - span.Start.Offset)

/// Compiler settings for experiments: rules to switch off by name.
[<AllowNullLiteral>]
type CompilerOptions() =
    member val DisabledRules: string[] = [||] with get, set

/// The compiler's surface for the engine and tools.
[<AbstractClass; Sealed>]
type SqlCompiler =
    static member private Convert (source: string) (ds: Diagnostic list) =
        ds
        |> List.map (fun d ->
            let located = not d.Span.IsNone
            let opt v = if located then Nullable v else Nullable()
            SqlDiagnostic(
                d.CodeText,
                d.Message,
                opt d.Span.Start.Line,
                opt d.Span.Start.Column,
                opt d.Span.End.Line,
                opt d.Span.End.Column,
                DiagnosticRenderer.render "" source d
            ))
        |> Array.ofList

    static member private Guard (source: string) (f: unit -> 'a) =
        try
            f ()
        with CompileError ds ->
            raise (CompilationException(SqlCompiler.Convert source ds))

    /// Parses a script of ';'-separated statements.
    static member Parse(script: string) : ParsedStatement[] =
        match Parser.parseScriptWithDepth script with
        | Ok(statements, depth) -> statements |> List.map (fun s -> ParsedStatement(s, script, depth)) |> Array.ofList
        | Result.Error ds -> raise (CompilationException(SqlCompiler.Convert script ds))

    /// Parses exactly one statement.
    static member ParseOne(sql: string) : ParsedStatement =
        match Parser.parseStatementWithDepth sql with
        | Ok(s, depth) -> ParsedStatement(s, sql, depth)
        | Result.Error ds -> raise (CompilationException(SqlCompiler.Convert sql ds))

    static member IsCompleteStatement(text: string) = Parser.isCompleteStatement text

    /// Every optimizer rule's name, in pipeline order.
    static member RuleNames: string[] = Array.ofList Pipeline.ruleNames

    /// The stages `Explain` can print in the dot format: the plans.
    static member DotStages: string[] = [| "logical"; "optimized"; "physical" |]

    /// Bound statement -> logical plan, optimized plan and physical plan; also the planner used for
    /// the statement's subqueries (the same rules, fresh column ids).
    static member private Plan (options: CompilerOptions) (bound: BoundTree.Statement) =
        let mutable nextId = 1_000_000
        let newColumn name typ nullable : BoundTree.Column =
            nextId <- nextId + 1
            { Id = nextId; Name = name; Type = typ; Nullable = nullable }
        let disabled = options |> Option.ofObj |> Option.map (fun o -> Set.ofArray o.DisabledRules) |> Option.defaultValue Set.empty
        let context: Rule.RuleContext = { BuildQuery = LogicalBuilder.buildQuery newColumn }
        let logical = LogicalBuilder.buildStatement newColumn bound
        let optimized = Optimizer.optimize context disabled logical
        let planQuery (q: BoundTree.Query) =
            PhysicalPlanner.plan (Optimizer.optimize context disabled (LogicalBuilder.buildQuery newColumn q)).Plan
        logical, optimized, PhysicalPlanner.plan optimized.Plan, planQuery

    /// A query that returns the given lines as one TEXT column (EXPLAIN's result).
    static member private LinesQuery (header: string) (lines: string list) : CompiledStatement =
        let column: BoundTree.Column = { Id = 1; Name = header; Type = SqlType.Text; Nullable = false }
        let rows = lines |> List.map (fun l -> [ BoundTree.Expr.constant (BoundTree.VText l) Span.None ])
        let program = QueryCompiler.generate (fun _ -> invalidOp "Foundry bug: EXPLAIN output has no subqueries") (PhysicalPlan.Values(rows, [ column ]))
        CompiledStatement(
            CompiledStatementKind.Query,
            "EXPLAIN",
            ColumnNames = [| header |],
            ColumnTypes = [| SqlType.Text |],
            Program = QueryCompiler.compile program,
            Layout = program.Layout
        )

    static member private CompileBound (options: CompilerOptions) (bound: BoundTree.Statement) : CompiledStatement =
        let simple kind tag = CompiledStatement(kind, tag)
        match bound with
        | BoundTree.Explain(false, inner) ->
            let _, _, physical, _ = SqlCompiler.Plan options inner
            let lines = PhysicalPrinter.printAnnotated physical (fun _ p -> sprintf "(estimated rows=%.0f)" (Estimates.rows p))
            SqlCompiler.LinesQuery "QUERY PLAN" lines
        | BoundTree.Explain(true, inner) ->
            let _, _, physical, planQuery = SqlCompiler.Plan options inner
            let program = QueryCompiler.generateWith true planQuery physical
            let instruments = program.Instruments.Value
            let innerStatement = SqlCompiler.CompileBound options inner
            innerStatement.Program <- QueryCompiler.compile program
            innerStatement.Layout <- program.Layout
            innerStatement.AffectedCounter <- (program.AffectedCounter |> Option.defaultValue -1)
            let render (counters: int64[]) (milliseconds: float) (memoryLine: string) =
                let ticksToMs (ticks: int64) = float ticks * 1000.0 / float System.Diagnostics.Stopwatch.Frequency
                let note id p =
                    let actual = instruments.RowCounters.TryFind id |> Option.map (fun c -> counters[c]) |> Option.defaultValue 0L
                    let time =
                        match instruments.TimeCounters.TryFind id with
                        | Some c -> sprintf " time=%.3f ms" (ticksToMs counters[c])
                        | None -> ""
                    sprintf "(estimated rows=%.0f actual rows=%d%s)" (Estimates.rows p) actual time
                let lines = PhysicalPrinter.printAnnotated program.Executed note
                SqlCompiler.LinesQuery "QUERY PLAN" (lines @ [ memoryLine; sprintf "Execution time: %.3f ms" milliseconds ])
            CompiledStatement(CompiledStatementKind.ExplainAnalyze, "EXPLAIN", Inner = innerStatement, RenderAnalysis = Func<int64[], float, string, CompiledStatement>(render))
        | BoundTree.CreateTable c ->
            let columns = c.Columns |> List.mapi (fun i col -> ColumnSchema(col.Name, col.Type, col.NotNull, i, Option.toObj col.Default)) |> Array.ofList
            let checks = c.Checks |> List.map (fun (name, sql) -> CheckConstraint(name, sql)) |> Array.ofList
            let foreignKeys =
                c.ForeignKeys
                |> List.map (fun f -> ForeignKey(f.Name, Array.ofList f.Columns, f.ParentTable, Array.ofList f.ParentColumns, f.OnDelete))
                |> Array.ofList
            CompiledStatement(CompiledStatementKind.CreateTable, "CREATE TABLE", TableToCreate = TableSchema(c.Name, columns, Array.ofList c.PrimaryKey, 0u, checks, foreignKeys), ObjectName = c.Name, IfExists = c.IfNotExists, UniqueKeys = (c.Unique |> List.map Array.ofList |> Array.ofList))
        | BoundTree.DropTable(name, ifExists) -> CompiledStatement(CompiledStatementKind.DropTable, "DROP TABLE", ObjectName = name, IfExists = ifExists)
        | BoundTree.CreateIndex i ->
            CompiledStatement(
                CompiledStatementKind.CreateIndex,
                "CREATE INDEX",
                ObjectName = i.Name,
                IfExists = i.IfNotExists,
                IndexTable = i.Table.Name,
                IndexColumns = Array.ofList i.Columns,
                IndexUnique = i.Unique
            )
        | BoundTree.DropIndex(name, ifExists) -> CompiledStatement(CompiledStatementKind.DropIndex, "DROP INDEX", ObjectName = name, IfExists = ifExists)
        | BoundTree.CreateView(name, sql, ifNotExists) -> CompiledStatement(CompiledStatementKind.CreateView, "CREATE VIEW", ObjectName = name, ViewSql = sql, IfExists = ifNotExists)
        | BoundTree.DropView(name, ifExists) -> CompiledStatement(CompiledStatementKind.DropView, "DROP VIEW", ObjectName = name, IfExists = ifExists)
        | BoundTree.Begin -> simple CompiledStatementKind.Begin "BEGIN"
        | BoundTree.Commit -> simple CompiledStatementKind.Commit "COMMIT"
        | BoundTree.Rollback -> simple CompiledStatementKind.Rollback "ROLLBACK"
        | BoundTree.Checkpoint -> simple CompiledStatementKind.Checkpoint "CHECKPOINT"
        | BoundTree.Analyze table -> CompiledStatement(CompiledStatementKind.Analyze, "ANALYZE", ObjectName = Option.toObj table)
        | BoundTree.AlterTable(table, action) ->
            let altered (columns: ColumnSchema seq) (name: string) =
                let t = TableSchema(name, Array.ofSeq columns, table.PrimaryKey, table.RootPageId, table.Checks, table.ForeignKeys, NextRowId = table.NextRowId)
                t.Indexes.AddRange table.Indexes
                t
            let statement = CompiledStatement(CompiledStatementKind.AlterTable, "ALTER TABLE", ObjectName = table.Name)
            match action with
            | BoundTree.AddColumn c ->
                let column = ColumnSchema(c.Name, c.Type, c.NotNull, table.Columns.Count, Option.toObj c.Default)
                statement.TableToCreate <- altered (Seq.append table.Columns [ column ]) table.Name
                statement.BackfillSql <- (match c.Default with Some d -> sprintf "UPDATE \"%s\" SET \"%s\" = %s" table.Name c.Name d | None -> null)
                statement.RequiresEmptyTable <- c.NotNull && c.Default.IsNone
            | BoundTree.RenameColumn(ordinal, newName) ->
                let columns = table.Columns |> Seq.map (fun col -> if col.Ordinal = ordinal then ColumnSchema(newName, col.Type, col.NotNull, col.Ordinal, col.DefaultSql) else col)
                statement.TableToCreate <- altered columns table.Name
            | BoundTree.RenameTable newName -> statement.TableToCreate <- altered table.Columns newName
            statement
        | BoundTree.Query _
        | BoundTree.Insert _
        | BoundTree.Update _
        | BoundTree.Delete _ ->
            let _, _, physical, planQuery = SqlCompiler.Plan options bound
            let program = QueryCompiler.generate planQuery physical
            let columns = PhysicalPlan.outputColumns physical
            let kind, tag =
                match bound with
                | BoundTree.Insert _ -> CompiledStatementKind.Change, "INSERT"
                | BoundTree.Update _ -> CompiledStatementKind.Change, "UPDATE"
                | BoundTree.Delete _ -> CompiledStatementKind.Change, "DELETE"
                | _ -> CompiledStatementKind.Query, "SELECT"
            CompiledStatement(
                kind,
                tag,
                ColumnNames = (columns |> List.map (fun c -> c.Name) |> Array.ofList),
                ColumnTypes = (columns |> List.map (fun c -> c.Type) |> Array.ofList),
                Program = QueryCompiler.compile program,
                Layout = program.Layout,
                AffectedCounter = (program.AffectedCounter |> Option.defaultValue -1)
            )

    /// Compiles a parsed statement against the catalog.
    static member Compile(catalog: ICatalog, statement: ParsedStatement, options: CompilerOptions) : CompiledStatement =
        SqlCompiler.Guard statement.Source (fun () ->
          StackGuard.runWithStackFor statement.Depth (fun () ->
            let bound, parameters = Binder.bindWithParameters catalog statement.Source statement.Ast
            let compiled = SqlCompiler.CompileBound options bound
            compiled.ParameterCount <- parameters
            compiled))

    /// Compiles one statement up to `stage` (ast, bound, logical, optimized, physical, code) and prints
    /// it as `format`: text, json, or dot (Graphviz, for the plan stages logical, optimized and physical
    /// only). The optimized stage in text lists the rules that fired.
    static member Explain(catalog: ICatalog, sql: string, stage: string, format: string, options: CompilerOptions) : string =
        let format = format.ToLowerInvariant()
        let json = format = "json"
        let dot = format = "dot"
        let stage = stage.ToLowerInvariant()
        if dot && not (Array.contains stage SqlCompiler.DotStages) then
            invalidArg "format" (sprintf "--format dot draws plans: use it with the logical, optimized or physical stage, not %s" stage)
        let parsed = SqlCompiler.ParseOne sql
        SqlCompiler.Guard sql (fun () ->
          StackGuard.runWithStackFor parsed.Depth (fun () ->
            if stage = "ast" then
                if json then AstPrinter.toJson parsed.Ast else AstPrinter.printStatement parsed.Ast
            else
                let bound = Binder.bind catalog sql parsed.Ast
                let textOrJson name text = if json then PlanJson.lines name text else text
                match stage, bound with
                | "bound", _ -> textOrJson "bound" (BoundPrinter.print bound)
                | _, (BoundTree.Query _ | BoundTree.Insert _ | BoundTree.Update _ | BoundTree.Delete _) ->
                    let logical, optimized, physical, planQuery = SqlCompiler.Plan options bound
                    match stage with
                    | "logical" when dot -> PlanDot.logical logical
                    | "logical" -> if json then PlanJson.logical logical else LogicalPrinter.print logical
                    | "optimized" when dot -> PlanDot.logical optimized.Plan
                    | "optimized" ->
                        if json then PlanJson.logical optimized.Plan
                        else
                            let fired = optimized.Trace |> List.map (fun t -> sprintf "%s/%s" t.Batch t.Rule) |> List.distinct
                            LogicalPrinter.print optimized.Plan
                            + "\n-- rules fired: "
                            + (if fired.IsEmpty then "none" else String.concat ", " fired)
                    | "physical" when dot -> PlanDot.physical physical
                    | "physical" -> if json then PlanJson.physical physical else PhysicalPrinter.print physical
                    | "code" ->
                        let program = QueryCompiler.generate planQuery physical
                        let text =
                            (CodePrinter.print program.Lambda :: (program.Helpers |> List.map CodePrinter.print))
                            |> String.concat "\n\n"
                        textOrJson "code" text
                    | other -> invalidArg "stage" (sprintf "unknown stage '%s': use ast, bound, logical, optimized, physical or code" other)
                | _ when dot -> PlanDot.single (BoundPrinter.print bound + "\n(this statement has no plan)")
                | _ -> textOrJson stage (BoundPrinter.print bound + "\n(this statement has no plan)")))

    /// Each rule that fired while optimizing `sql`, with the plan after it (for `explain --verbose`).
    static member ExplainRules(catalog: ICatalog, sql: string, options: CompilerOptions) : string =
        let parsed = SqlCompiler.ParseOne sql
        SqlCompiler.Guard sql (fun () ->
          StackGuard.runWithStackFor parsed.Depth (fun () ->
            let bound = Binder.bind catalog sql parsed.Ast
            match bound with
            | BoundTree.Query _
            | BoundTree.Insert _
            | BoundTree.Update _
            | BoundTree.Delete _ ->
                let logical, optimized, _, _ = SqlCompiler.Plan options bound
                let steps =
                    optimized.Trace
                    |> List.map (fun t -> sprintf "== %s / %s ==\n%s" t.Batch t.Rule (LogicalPrinter.print t.After))
                String.concat "\n" ((sprintf "== initial ==\n%s" (LogicalPrinter.print logical)) :: steps)
            | _ -> "(this statement has no plan)"))
