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

/// FND0005: expressions or queries nested deeper than the limit (parentheses, subqueries, CASE, runs of
/// NOT and signs); the span is the token where the limit is passed.
let tooDeeplyNested span (limit: int) =
    err 5 span (sprintf "statement too deeply nested: more than %d levels of parentheses, subqueries, CASE or prefix operators" limit)
    |> Diagnostic.withNote "split the statement, or use a flat list (a IN (...), a OR b OR ...) instead of nesting"

/// FND0006: statement text longer than the limit; checked before the text is read.
let statementTooLarge span (length: int) (limit: int) =
    err 6 span (sprintf "statement too large: %d characters, the limit is %d" length limit)

/// FND0040: a numeric literal whose value is beyond REAL (double precision): 1e999, or 1e-999 which
/// would round to zero (PostgreSQL's 22003 for float8 input).
let realLiteralOutOfRange span (text: string) =
    err 40 span (sprintf "\"%s\" is out of range for type REAL (double precision)" text)

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

let aggregateNotAllowed span (clause: string) =
    err 1019 span (sprintf "aggregate functions are not allowed in %s" clause)

let notGrouped span (column: string) =
    err 1020 span (sprintf "column \"%s\" must appear in the GROUP BY clause or be used in an aggregate function" column)

let distinctOrderBy span =
    err 1021 span "for SELECT DISTINCT, ORDER BY expressions must appear in the select list"

let functionArity span (name: string) (expected: string) (found: int) =
    err 1022 span (sprintf "function %s takes %s argument%s, not %d" name expected (if expected = "1" then "" else "s") found)

let unknownFunction span (name: string) =
    err 1023 span (sprintf "function %s does not exist" name)

let functionArgumentType span (name: string) (types: string list) =
    err 1024 span (sprintf "function %s(%s) does not exist; check the argument types" name (String.concat ", " types))

let nestedAggregate span = err 1025 span "aggregate function calls cannot be nested"

let subqueryColumns span (found: int) =
    err 1026 span (sprintf "subquery must return exactly one column, not %d" found)

let setOperationArity span (op: string) (left: int) (right: int) =
    err 1027 span (sprintf "each %s query must have the same number of columns (%d and %d)" op left right)

let setOperationTypes span (op: string) (position: int) (left: string) (right: string) =
    err 1028 span (sprintf "%s column %d has types %s and %s, which cannot be matched" op position left right)

let duplicateAlias span (name: string) =
    err 1029 span (sprintf "table name \"%s\" is specified more than once" name)

let invalidCast span (source: string) (target: string) =
    err 1030 span (sprintf "cannot cast type %s to %s" source target)

let caseTypes span (left: string) (right: string) =
    err 1031 span (sprintf "CASE types %s and %s cannot be matched" left right)

let viewAlreadyExists span (name: string) = err 1032 span (sprintf "relation \"%s\" already exists" name)

let unknownView span (name: string) = err 1033 span (sprintf "view \"%s\" does not exist" name)

let unknownIndex span (name: string) = err 1034 span (sprintf "index \"%s\" does not exist" name)

let indexAlreadyExists span (name: string) = err 1035 span (sprintf "index \"%s\" already exists" name)

let derivedColumnCount span (alias: string) (given: int) (available: int) =
    err 1036 span (sprintf "table \"%s\" has %d columns available but %d columns specified" alias available given)

let usingColumnMissing span (name: string) = err 1037 span (sprintf "column \"%s\" specified in USING clause does not exist in both tables" name)

let parameterType span (index: int) = err 1038 span (sprintf "could not determine the type of parameter $%d" index)

let foreignKeyTarget span (table: string) =
    err 1039 span (sprintf "there is no primary key or unique constraint on table \"%s\" matching the referenced columns" table)

let foreignKeyShape span (detail: string) = err 1040 span (sprintf "invalid foreign key: %s" detail)

let tableReferenced span (table: string) (child: string) =
    err 1041 span (sprintf "cannot drop table \"%s\" because table \"%s\" references it (drop that table or its foreign key first)" table child)

let columnUsedByConstraint span (column: string) (constraintName: string) =
    err 1042 span (sprintf "column \"%s\" is used by constraint \"%s\" and cannot be renamed" column constraintName)

let tableReferencedRename span (table: string) (child: string) =
    err 1043 span (sprintf "table \"%s\" is referenced by a foreign key of \"%s\" and cannot be renamed" table child)

/// FND1044: a table would have more columns than a stored record holds (RecordWriter.MaxColumns).
let tooManyColumns span (table: string) (count: int) (limit: int) =
    err 1044 span (sprintf "table \"%s\" would have %d columns; a table has at most %d" table count limit)
