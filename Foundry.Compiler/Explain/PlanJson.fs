/// JSON dumps of the plan stages: one object per operator with its description, output columns and
/// children, so tools can walk a plan without parsing text.
module Foundry.Compiler.Explain.PlanJson

open System.IO
open System.Text
open System.Text.Json
open Foundry.Compiler.Binding.BoundPrinter
open Foundry.Compiler.Logical
open Foundry.Compiler.Physical

let private write (build: Utf8JsonWriter -> unit) =
    use stream = new MemoryStream()
    (
        use writer = new Utf8JsonWriter(stream, JsonWriterOptions(Indented = true))
        build writer
    )
    Encoding.UTF8.GetString(stream.ToArray())

let rec private logicalNode (w: Utf8JsonWriter) (plan: LogicalPlan.LogicalPlan) =
    w.WriteStartObject()
    w.WriteString("operator", LogicalPrinter.describe plan)
    w.WriteStartArray("columns")
    for c in LogicalPlan.outputColumns plan do
        w.WriteStringValue(columnWithType c)
    w.WriteEndArray()
    w.WriteStartArray("children")
    for c in LogicalPlan.children plan do
        logicalNode w c
    w.WriteEndArray()
    w.WriteEndObject()

let rec private physicalNode (w: Utf8JsonWriter) (plan: PhysicalPlan.PhysicalPlan) =
    w.WriteStartObject()
    w.WriteString("operator", PhysicalPrinter.describe plan)
    w.WriteStartArray("columns")
    for c in PhysicalPlan.outputColumns plan do
        w.WriteStringValue(columnWithType c)
    w.WriteEndArray()
    w.WriteStartArray("children")
    for c in PhysicalPlan.children plan do
        physicalNode w c
    w.WriteEndArray()
    w.WriteEndObject()

let logical (plan: LogicalPlan.LogicalPlan) = write (fun w -> logicalNode w plan)
let physical (plan: PhysicalPlan.PhysicalPlan) = write (fun w -> physicalNode w plan)

/// A text dump as a JSON object {"stage": ..., "lines": [...]}, for stages without a tree of their own.
let lines (stage: string) (text: string) =
    write (fun w ->
        w.WriteStartObject()
        w.WriteString("stage", stage)
        w.WriteStartArray("lines")
        for l in text.Split('\n') do
            w.WriteStringValue(l)
        w.WriteEndArray()
        w.WriteEndObject())
