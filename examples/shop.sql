-- A small shop: products and customers. Loaded by
--   dotnet run --project Foundry.Cli -- shell examples/shop.foundry --init examples/shop.sql
-- (the script runs only while the database has no tables).

CREATE TABLE products (
    id       INTEGER PRIMARY KEY,
    name     TEXT    NOT NULL,
    category TEXT    NOT NULL,
    price    REAL    NOT NULL,
    in_stock BOOLEAN NOT NULL
);

CREATE TABLE customers (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL,
    city    TEXT NOT NULL,
    email   TEXT
);

INSERT INTO products VALUES
    (1, 'Espresso beans 1 kg', 'coffee', 18.5, TRUE),
    (2, 'Filter coffee 500 g', 'coffee', 8.9, TRUE),
    (3, 'Decaf beans 250 g', 'coffee', 6.25, FALSE),
    (4, 'Green tea, 100 bags', 'tea', 4.75, TRUE),
    (5, 'Earl Grey loose 200 g', 'tea', 7.4, TRUE),
    (6, 'Pour-over kettle', 'equipment', 42.0, TRUE),
    (7, 'Burr grinder', 'equipment', 129.0, FALSE),
    (8, 'Paper filters, 100', 'equipment', 3.5, TRUE),
    (9, 'Ceramic mug', 'equipment', 12.0, TRUE),
    (10, 'Hot chocolate 400 g', 'other', 5.95, TRUE);

INSERT INTO customers VALUES
    (1, 'Ada Lovelace', 'London', 'ada@example.org'),
    (2, 'Alan Turing', 'Manchester', 'alan@example.org'),
    (3, 'Grace Hopper', 'New York', NULL),
    (4, 'Edsger Dijkstra', 'Eindhoven', 'ewd@example.org'),
    (5, 'Barbara Liskov', 'Boston', NULL),
    (6, 'Donald Knuth', 'Stanford', 'dek@example.org');
