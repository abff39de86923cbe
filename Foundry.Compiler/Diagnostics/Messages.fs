/// The catalogue of every compile-time message, keyed by code. New messages get new codes; codes are
/// never reused. Codes by phase: 0xxx syntax, 1xxx binding, 2xxx planning (runtime 5xxx codes live in
/// Foundry.Runtime's RuntimeErrors because compiled code raises them).
module Foundry.Compiler.Diagnostics.Messages

let private err = Diagnostic.error

// ---- 0xxx syntax --------------------------------------------------------------------------------

/// FND0001: the parser met a token it cannot accept here.
let syntaxError span (found: string) (expected: string) =
    if expected = "" then err 1 span (sprintf "syntax error at %s" found)
    else err 1 span (sprintf "syntax error at %s: expected %s" found expected)

/// FND0002: the lexer met characters that start no token (an unterminated string, a stray character).
let invalidToken span (text: string) = err 2 span (sprintf "unrecognised input '%s'" text)

/// FND0003: a statement the grammar accepts but this release does not implement.
let unsupportedSyntax span (what: string) = err 3 span (sprintf "%s is not supported" what)

/// FND0004: the input holds no statement.
let emptyStatement span = err 4 span "no statement to run"

// ---- 1xxx binding -------------------------------------------------------------------------------

let unknownTable span (name: string) = err 1001 span (sprintf "table \"%s\" does not exist" name)

let unknownColumn span (name: string) = err 1002 span (sprintf "column \"%s\" does not exist" name)

let ambiguousColumn span (name: string) (tables: string list) =
    err 1003 span (sprintf "column reference \"%s\" is ambiguous (it is in %s); qualify it with a table name" name (String.concat " and " tables))

let operatorTypeMismatch span (op: string) (left: string) (right: string) =
    err 1004 span (sprintf "operator %s cannot be applied to %s and %s" op left right)

let tableAlreadyExists span (name: string) = err 1005 span (sprintf "table \"%s\" already exists" name)

let unknownType span (name: string) =
    err 1006 span (sprintf "type \"%s\" does not exist; use INTEGER, REAL, TEXT, BOOLEAN or BLOB" name)

let duplicateColumn span (name: string) = err 1007 span (sprintf "column \"%s\" is specified more than once" name)

let multiplePrimaryKeys span (table: string) =
    err 1008 span (sprintf "multiple primary keys for table \"%s\" are not allowed" table)

let insertArity span (expected: int) (found: int) =
    err 1009 span (sprintf "INSERT has %d target columns but a VALUES row has %d expressions" expected found)

let conditionNotBoolean span (clause: string) (found: string) =
    err 1010 span (sprintf "argument of %s must be BOOLEAN, not %s" clause found)

let assignmentTypeMismatch span (column: string) (columnType: string) (found: string) =
    err 1011 span (sprintf "column \"%s\" is of type %s but the expression is of type %s" column columnType found)

let orderByPositionOutOfRange span (position: int64) (count: int) =
    err 1012 span (sprintf "ORDER BY position %d is not in the select list (1..%d)" position count)

let limitNotInteger span (clause: string) =
    err 1013 span (sprintf "argument of %s must be a non-negative INTEGER constant" clause)

let starWithoutFrom span = err 1014 span "SELECT * with no tables specified is not valid"

let unaryTypeMismatch span (op: string) (operand: string) =
    err 1015 span (sprintf "operator %s cannot be applied to %s" op operand)

let unknownPrimaryKeyColumn span (name: string) =
    err 1016 span (sprintf "column \"%s\" named in PRIMARY KEY does not exist" name)

let notNullInsertMissing span (column: string) =
    err 1017 span (sprintf "column \"%s\" is NOT NULL and has no value in this INSERT" column)

let nullIntoNotNull span (column: string) =
    err 1018 span (sprintf "null value in column \"%s\" violates its NOT NULL constraint" column)
