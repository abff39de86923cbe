/// Minimal reproductions of the Foundry bugs the differential and index metamorphic properties found. While a bug's flag
/// in Generators.Exclusions is set, its test checks that the bug is still there (SQLite and Foundry
/// still disagree on the reproduction): a fix turns the test red, which is the signal to clear the
/// flag so the property covers the shape again. With the flag cleared the test checks agreement.
module Foundry.Differential.Tests.Regressions

open Xunit
open Foundry.Differential.Tests.Engines
open Foundry.Differential.Tests.Differential
open Foundry.Differential.Tests.Generators

/// Runs the reproduction; `excluded` is the bug's flag in Generators.Exclusions.
let check (excluded: bool) (bug: string) (setup: string) (sql: string) (ordered: bool) =
    let expected, actual, agreed = runSql setup sql ordered
    let detail = sprintf "%s\n%s\nexpected (SQLite): %s\nactual (Foundry): %s" bug sql (formatAnswer expected) (formatAnswer actual)
    if excluded then
        Assert.False(agreed, "this bug looks fixed: clear its flag in Generators.Exclusions\n" + detail)
    else
        Assert.True(agreed, detail)

[<Fact>]
let ``bug 1: GROUP BY r + 1 (an INTEGER constant widened to REAL) rejects the same select item`` () =
    check
        Exclusions.groupKeyWithFoldableConstant
        "bug 1: FND1020 for GROUP BY r + 1 with select item r + 1 (r REAL)"
        "CREATE TABLE t (r REAL); INSERT INTO t VALUES (1.5), (NULL), (1.5), (2.0);"
        "SELECT r + 1 FROM t GROUP BY r + 1"
        false

[<Fact>]
let ``bug 1: GROUP BY a + (-1) (a signed literal) rejects the same select item`` () =
    check
        Exclusions.groupKeyWithFoldableConstant
        "bug 1: FND1020 for GROUP BY a + (-1) with select item a + (-1)"
        "CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1), (NULL), (1), (5);"
        "SELECT a + (-1) FROM t GROUP BY a + (-1)"
        false

[<Fact>]
let ``bug 1: GROUP BY a CASE with a constant condition rejects the same select item`` () =
    check
        Exclusions.groupKeyWithFoldableConstant
        "bug 1: FND1020 for GROUP BY CASE WHEN 1 = 1 THEN a END with the same select item"
        "CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1), (NULL), (1), (5);"
        "SELECT CASE WHEN 1 = 1 THEN a END FROM t GROUP BY CASE WHEN 1 = 1 THEN a END"
        false

[<Fact>]
let ``bug 2: GROUP BY an expression with a subquery rejects the same select item`` () =
    check
        Exclusions.groupKeyWithSubquery
        "bug 2: FND1020 for GROUP BY CASE WHEN EXISTS (...) THEN a END with the same select item"
        "CREATE TABLE t (a INTEGER); CREATE TABLE u (x INTEGER); INSERT INTO t VALUES (1), (NULL), (1), (5); INSERT INTO u VALUES (1);"
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM u) THEN a END FROM t GROUP BY CASE WHEN EXISTS (SELECT 1 FROM u) THEN a END"
        false

[<Fact>]
let ``bug 3: GROUP BY a correlated scalar subquery fails with an internal error`` () =
    check
        Exclusions.groupKeyWithSubquery
        "bug 3: internal error 'column a#1 is not available to generated code' for GROUP BY (SELECT MAX(x) FROM u WHERE u.x = t.a)"
        "CREATE TABLE t (a INTEGER); CREATE TABLE u (x INTEGER); INSERT INTO t VALUES (1), (NULL), (1), (5); INSERT INTO u VALUES (1), (5), (7);"
        "SELECT (SELECT MAX(x) FROM u WHERE u.x = t.a) FROM t GROUP BY (SELECT MAX(x) FROM u WHERE u.x = t.a)"
        false

[<Fact>]
let ``bug 4: LENGTH counts UTF-16 code units instead of characters`` () =
    check
        Exclusions.supplementaryCharacters
        "bug 4: LENGTH of a character beyond U+FFFF is 2"
        "CREATE TABLE t (s TEXT); INSERT INTO t VALUES ('😀'), ('a😀'), ('é');"
        "SELECT s, LENGTH(s) FROM t"
        false

[<Fact>]
let ``bug 4: SUBSTR splits a character beyond U+FFFF`` () =
    check
        Exclusions.supplementaryCharacters
        "bug 4: SUBSTR('😀b', 1, 1) returns half a surrogate pair"
        "CREATE TABLE t (s TEXT); INSERT INTO t VALUES ('😀b');"
        "SELECT SUBSTR(s, 1, 1), SUBSTR(s, 2, 1) FROM t"
        false

[<Fact>]
let ``bug 5: an index range with only an upper bound returned the NULL keys`` () =
    check
        false
        "bug 5: '' >= c was TRUE for a NULL c when an index on c answered the bound (NULL sorts first in the index)"
        "CREATE TABLE t2 (c0 TEXT); INSERT INTO t2 VALUES (NULL); CREATE INDEX t2_ix0 ON t2 (c0);"
        "SELECT 0 FROM t2 a0 WHERE '' >= a0.c0"
        false

[<Fact>]
let ``bug 6: a CASE folded to a correlated subquery no longer matched the same GROUP BY subquery`` () =
    check
        false
        "bug 6: internal error 'column c0#1 is not available to generated code': folding CASE WHEN 1 = 1 THEN (subquery) END gave the subquery the CASE's span, which its GROUP BY identity is read from"
        "CREATE TABLE t1 (c0 INTEGER, c1 REAL, c2 TEXT); CREATE TABLE t2 (c0 INTEGER PRIMARY KEY, c1 REAL); INSERT INTO t1 VALUES (0, 1.0, 'a'), (1, NULL, 'b'); INSERT INTO t2 VALUES (0, 1.0), (1, 2.0), (2, NULL);"
        "SELECT CASE WHEN 1 = 1 THEN (SELECT MAX(b0.c2) FROM t1 b0 WHERE EXISTS (SELECT 0 FROM t1 c0 WHERE a1.c0 = c0.c0)) END FROM t2 a1 GROUP BY (SELECT MAX(b0.c2) FROM t1 b0 WHERE EXISTS (SELECT 0 FROM t1 c0 WHERE a1.c0 = c0.c0))"
        false
