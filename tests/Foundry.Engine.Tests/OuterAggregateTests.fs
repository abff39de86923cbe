/// An aggregate belongs to the innermost query level of the columns it reads (standard SQL and
/// PostgreSQL): inside a subquery, an aggregate over outer columns only is an aggregate of the outer
/// query, which becomes an aggregate query. Expected answers are PostgreSQL 15's on the same data.
module Foundry.Engine.Tests.OuterAggregateTests

open Xunit
open Foundry.Engine.Tests.Sql

let private shop () =
    databaseWith
        [ "CREATE TABLE products (id INTEGER PRIMARY KEY, category TEXT, price REAL)"
          "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)"
          "INSERT INTO products VALUES (1, 'tea', 4.5), (2, 'tea', 6.0), (3, 'coffee', 12.0), (4, 'coffee', 3.5), (5, 'other', 20.0)"
          "INSERT INTO customers VALUES (1, 'ada'), (2, 'alan'), (3, 'grace')" ]

[<Fact>]
let ``an aggregate of outer columns in a FROM-less subquery is the outer query's aggregate`` () =
    let db, s = shop ()
    use _ = db
    // Was an internal error: the subquery's max read price after the outer aggregation.
    Assert.Equal<obj list list>([ [ box 3.5; box 20.0 ] ], rows s "SELECT min(price), (SELECT max(price)) FROM products")

[<Fact>]
let ``an aggregate of outer columns makes the outer query return one row`` () =
    let db, s = shop ()
    use _ = db
    // Was one row per product (max over the single outer row each time).
    Assert.Equal<obj list list>([ [ box 20.0 ] ], rows s "SELECT (SELECT max(p.price) FROM customers c WHERE c.id = 1) FROM products p")
    Assert.Equal<obj list list>([ [ box 23.0 ] ], rows s "SELECT (SELECT max(p.price) + count(*) FROM customers c) FROM products p")
    // The subquery runs over customers once per outer (aggregated) row: three rows for a scalar subquery.
    Assert.Equal("FND5006", (error s "SELECT (SELECT max(p.price) FROM customers) FROM products p").Code)

[<Fact>]
let ``an aggregate reading a local column stays in the subquery`` () =
    let db, s = shop ()
    use _ = db
    Assert.Equal<obj list list>(
        [ [ box 7.5 ]; [ box 9.0 ] ],
        rows s "SELECT (SELECT max(p.price + c.id) FROM customers c) FROM products p WHERE p.category = 'tea' ORDER BY 1")

[<Fact>]
let ``outer aggregates in a subquery's WHERE and in HAVING belong to the grouped outer query`` () =
    let db, s = shop ()
    use _ = db
    Assert.Equal<obj list list>(
        [ [ box "coffee"; box 3L ]; [ box "other"; box 3L ]; [ box "tea"; box 1L ] ],
        rows s "SELECT category, (SELECT count(*) FROM customers c WHERE c.id < max(p.id)) FROM products p GROUP BY category ORDER BY 1")
    Assert.Equal<obj list list>(
        [ [ box "coffee" ]; [ box "other" ] ],
        rows s "SELECT category FROM products p GROUP BY category HAVING (SELECT max(p.price)) > 10 ORDER BY 1")

[<Fact>]
let ``an outer aggregate is refused where the outer clause allows none, and nested in an outer aggregate`` () =
    let db, s = shop ()
    use _ = db
    let e = error s "SELECT count(*) FROM products p WHERE EXISTS (SELECT max(p.price))"
    Assert.Equal("FND1019", e.Code)
    Assert.Contains("WHERE", e.Message)
    Assert.Equal("FND1025", (error s "SELECT max((SELECT max(p.price))) FROM products p").Code)
