/*
 * Foundry SQL. The parse tree is turned into Foundry.Compiler.Syntax.Ast by AstBuilder.fs; the rule
 * names here are the nonterminals of docs/sql-subset.md, so keep the two in step.
 *
 * Layout: a statement rule per statement kind; queries go query -> queryBody (set operations,
 * INTERSECT binding tighter than UNION and EXCEPT) -> queryPrimary (SELECT, VALUES or a parenthesised
 * query); FROM holds a list of fromItem, each a left-associative chain of joins over tablePrimary.
 *
 * Expressions are two left-recursive rules. `valueExpr` holds the value operators (unary + -, then
 * * / %, + -, ||) and the primaries; `expr` holds the predicates over it (BETWEEN, IN, LIKE, then the
 * comparisons, IS [NOT] DISTINCT FROM, IS [NOT] NULL, NOT, AND, OR). The split lets the bounds of
 * BETWEEN and the pattern of LIKE be parsed at the valueExpr level, so BETWEEN's AND is never read as
 * the logical AND. ANTLR gives earlier alternatives higher precedence. AstPrinter.toSql mirrors these
 * levels exactly; change both together.
 */
grammar FoundrySql;

options { caseInsensitive = true; }

// ---- statements ---------------------------------------------------------------------------------

script
    : statement? (SEMI statement?)* EOF
    ;

statement
    : createTableStatement
    | dropTableStatement
    | createIndexStatement
    | dropIndexStatement
    | createViewStatement
    | dropViewStatement
    | alterTableStatement
    | insertStatement
    | updateStatement
    | deleteStatement
    | selectStatement
    | beginStatement
    | commitStatement
    | rollbackStatement
    | checkpointStatement
    | analyzeStatement
    | explainStatement
    ;

createTableStatement
    : CREATE TABLE (IF NOT EXISTS)? tableName LPAREN tableElement (COMMA tableElement)* RPAREN
    ;

tableElement
    : columnDefinition
    | tableConstraint
    ;

columnDefinition
    : columnName typeName columnConstraint*
    ;

/* A type is one or more words (INTEGER, DOUBLE PRECISION) with optional size arguments. */
typeName
    : identifier+ (LPAREN INTEGER_LITERAL (COMMA INTEGER_LITERAL)? RPAREN)?
    ;

columnConstraint
    : PRIMARY KEY                   # primaryKeyColumnConstraint
    | NOT NULL                      # notNullColumnConstraint
    | NULL                          # nullColumnConstraint
    | UNIQUE                        # uniqueColumnConstraint
    | DEFAULT defaultValue          # defaultColumnConstraint
    | CHECK LPAREN expr RPAREN      # checkColumnConstraint
    | referencesClause              # referencesColumnConstraint
    ;

defaultValue
    : literal                       # literalDefault
    | op=(PLUS | MINUS) literal     # signedLiteralDefault
    | LPAREN expr RPAREN            # parenthesizedDefault
    ;

referencesClause
    : REFERENCES tableName columnList? (ON DELETE referentialAction)?
    ;

referentialAction
    : CASCADE                       # cascadeAction
    | RESTRICT                      # restrictAction
    | SET NULL                      # setNullAction
    | NO ACTION                     # noAction
    ;

tableConstraint
    : PRIMARY KEY columnList                    # primaryKeyTableConstraint
    | UNIQUE columnList                         # uniqueTableConstraint
    | CHECK LPAREN expr RPAREN                  # checkTableConstraint
    | FOREIGN KEY columnList referencesClause   # foreignKeyTableConstraint
    ;

dropTableStatement
    : DROP TABLE (IF EXISTS)? tableName
    ;

createIndexStatement
    : CREATE UNIQUE? INDEX (IF NOT EXISTS)? indexName=identifier ON tableName
      LPAREN indexColumn (COMMA indexColumn)* RPAREN
    ;

indexColumn
    : columnName (ASC | DESC)?
    ;

dropIndexStatement
    : DROP INDEX (IF EXISTS)? identifier
    ;

createViewStatement
    : CREATE VIEW (IF NOT EXISTS)? identifier columnList? AS query
    ;

dropViewStatement
    : DROP VIEW (IF EXISTS)? identifier
    ;

alterTableStatement
    : ALTER TABLE tableName alterTableAction
    ;

alterTableAction
    : ADD COLUMN? columnDefinition                              # addColumnAction
    | RENAME COLUMN? oldName=identifier TO newName=identifier   # renameColumnAction
    | RENAME TO newName=identifier                              # renameTableAction
    ;

/* A bare VALUES list is valuesInsertSource; any other query (VALUES ... ORDER BY too) is a query. */
insertStatement
    : INSERT INTO tableName columnList? insertSource returningClause?
    ;

insertSource
    : valuesClause                  # valuesInsertSource
    | query                         # queryInsertSource
    | DEFAULT VALUES                # defaultValuesInsertSource
    ;

updateStatement
    : UPDATE tableReference SET assignment (COMMA assignment)* fromClause? whereClause? returningClause?
    ;

assignment
    : columnName EQ expr
    ;

deleteStatement
    : DELETE FROM tableReference whereClause? returningClause?
    ;

returningClause
    : RETURNING selectItem (COMMA selectItem)*
    ;

columnList
    : LPAREN columnName (COMMA columnName)* RPAREN
    ;

valuesClause
    : VALUES valuesRow (COMMA valuesRow)*
    ;

valuesRow
    : LPAREN expr (COMMA expr)* RPAREN
    ;

selectStatement
    : query
    ;

beginStatement
    : BEGIN TRANSACTION?
    ;

commitStatement
    : (COMMIT | END) TRANSACTION?
    ;

rollbackStatement
    : ROLLBACK TRANSACTION?
    ;

checkpointStatement
    : CHECKPOINT
    ;

analyzeStatement
    : ANALYZE tableName?
    ;

explainStatement
    : EXPLAIN ANALYZE? statement
    ;

// ---- queries ------------------------------------------------------------------------------------

query
    : withClause? queryBody orderByClause? limitClause?
    ;

withClause
    : WITH RECURSIVE? commonTableExpression (COMMA commonTableExpression)*
    ;

commonTableExpression
    : identifier columnList? AS LPAREN query RPAREN
    ;

/* INTERSECT binds tighter than UNION and EXCEPT; all are left-associative. */
queryBody
    : queryPrimary                                          # primaryQueryBody
    | queryBody INTERSECT ALL? queryBody                    # intersectQueryBody
    | queryBody op=(UNION | EXCEPT) ALL? queryBody          # unionQueryBody
    ;

queryPrimary
    : querySpecification            # specificationQueryPrimary
    | valuesClause                  # valuesQueryPrimary
    | LPAREN query RPAREN           # nestedQueryPrimary
    ;

querySpecification
    : SELECT (DISTINCT | ALL)? selectItem (COMMA selectItem)* fromClause? whereClause? groupByClause? havingClause?
    ;

selectItem
    : STAR                                  # allColumnsItem
    | identifier DOT STAR                   # tableColumnsItem
    | expr (AS? alias=identifier)?          # exprItem
    ;

fromClause
    : FROM fromItem (COMMA fromItem)*
    ;

/* Joins are left-associative; a parenthesised join tree is a tablePrimary. */
fromItem
    : tablePrimary                                          # primaryFromItem
    | fromItem CROSS JOIN tablePrimary                      # crossJoinFromItem
    | fromItem NATURAL joinType? JOIN tablePrimary          # naturalJoinFromItem
    | fromItem joinType? JOIN tablePrimary joinCondition?   # qualifiedJoinFromItem
    ;

joinType
    : INNER                         # innerJoinType
    | LEFT OUTER?                   # leftJoinType
    | RIGHT OUTER?                  # rightJoinType
    | FULL OUTER?                   # fullJoinType
    ;

joinCondition
    : ON expr                       # onJoinCondition
    | USING columnList              # usingJoinCondition
    ;

tablePrimary
    : tableReference                                            # tableTablePrimary
    | LPAREN query RPAREN AS? alias=identifier columnList?      # derivedTablePrimary
    | LPAREN fromItem RPAREN                                    # parenthesizedTablePrimary
    ;

tableReference
    : tableName (AS? alias=identifier)?
    ;

whereClause
    : WHERE expr
    ;

groupByClause
    : GROUP BY expr (COMMA expr)*
    ;

havingClause
    : HAVING expr
    ;

orderByClause
    : ORDER BY orderItem (COMMA orderItem)*
    ;

orderItem
    : expr (ASC | DESC)? (NULLS (FIRST | LAST))?
    ;

limitClause
    : LIMIT limit=expr (OFFSET offset=expr)?
    | OFFSET offset=expr
    ;

// ---- expressions --------------------------------------------------------------------------------

expr
    : valueExpr                                                         # valueExprPredicate
    | expr NOT? BETWEEN low=valueExpr AND high=valueExpr                # betweenExpr
    | expr NOT? IN LPAREN (query | expr (COMMA expr)*)? RPAREN          # inExpr
    | expr NOT? LIKE pattern=valueExpr (ESCAPE escape=valueExpr)?       # likeExpr
    | expr op=(EQ | EQEQ | NEQ | LTGT | LT | LE | GT | GE) expr         # comparisonExpr
    | expr IS NOT? DISTINCT FROM expr                                   # isDistinctFromExpr
    | expr IS NOT? NULL                                                 # isNullExpr
    | NOT expr                                                          # notExpr
    | expr AND expr                                                     # andExpr
    | expr OR expr                                                      # orExpr
    ;

valueExpr
    : primary                                                   # primaryExpr
    | op=(PLUS | MINUS) valueExpr                               # signExpr
    | valueExpr op=(STAR | SLASH | PERCENT) valueExpr           # multiplicativeExpr
    | valueExpr op=(PLUS | MINUS) valueExpr                     # additiveExpr
    | valueExpr CONCAT valueExpr                                # concatExpr
    ;

/* `(SELECT ...)` is a subquery, not a parenthesised expression: the subquery alternative comes first. */
primary
    : literal                                                   # literalPrimary
    | QUESTION_MARK                                             # positionalParameterPrimary
    | NUMBERED_PARAMETER                                        # numberedParameterPrimary
    | functionCall                                              # functionCallPrimary
    | (qualifier=identifier DOT)? name=identifier               # columnRefPrimary
    | CASE operand=expr? caseWhen+ (ELSE elseResult=expr)? END  # casePrimary
    | CAST LPAREN expr AS typeName RPAREN                       # castPrimary
    | EXISTS LPAREN query RPAREN                                # existsPrimary
    | LPAREN query RPAREN                                       # subqueryPrimary
    | LPAREN expr RPAREN                                        # parenthesizedPrimary
    ;

caseWhen
    : WHEN condition=expr THEN result=expr
    ;

/* COUNT(*), COUNT(DISTINCT x); ALL is the default and is dropped. */
functionCall
    : functionName LPAREN (STAR | (DISTINCT | ALL)? expr (COMMA expr)*)? RPAREN
    ;

/* LEFT and RIGHT are join keywords but also name string functions. */
functionName
    : identifier
    | LEFT
    | RIGHT
    ;

literal
    : INTEGER_LITERAL        # integerLiteral
    | REAL_LITERAL           # realLiteral
    | STRING_LITERAL         # stringLiteral
    | TRUE                   # trueLiteral
    | FALSE                  # falseLiteral
    | NULL                   # nullLiteral
    ;

// ---- names --------------------------------------------------------------------------------------

tableName
    : identifier
    ;

columnName
    : identifier
    ;

identifier
    : IDENTIFIER
    | QUOTED_IDENTIFIER
    | nonReservedKeyword
    ;

/* Keywords that may still name a table, column or alias. */
nonReservedKeyword
    : ACTION
    | ADD
    | CASCADE
    | FIRST
    | KEY
    | LAST
    | NO
    | NULLS
    | RENAME
    | RESTRICT
    | TRANSACTION
    ;

// ---- lexical rules ------------------------------------------------------------------------------

ACTION      : 'ACTION' ;
ADD         : 'ADD' ;
ALL         : 'ALL' ;
ALTER       : 'ALTER' ;
ANALYZE     : 'ANALYZE' ;
AND         : 'AND' ;
AS          : 'AS' ;
ASC         : 'ASC' ;
BEGIN       : 'BEGIN' ;
BETWEEN     : 'BETWEEN' ;
BY          : 'BY' ;
CASCADE     : 'CASCADE' ;
CASE        : 'CASE' ;
CAST        : 'CAST' ;
CHECK       : 'CHECK' ;
CHECKPOINT  : 'CHECKPOINT' ;
COLUMN      : 'COLUMN' ;
COMMIT      : 'COMMIT' ;
CREATE      : 'CREATE' ;
CROSS       : 'CROSS' ;
DEFAULT     : 'DEFAULT' ;
DELETE      : 'DELETE' ;
DESC        : 'DESC' ;
DISTINCT    : 'DISTINCT' ;
DROP        : 'DROP' ;
ELSE        : 'ELSE' ;
END         : 'END' ;
ESCAPE      : 'ESCAPE' ;
EXCEPT      : 'EXCEPT' ;
EXISTS      : 'EXISTS' ;
EXPLAIN     : 'EXPLAIN' ;
FALSE       : 'FALSE' ;
FIRST       : 'FIRST' ;
FOREIGN     : 'FOREIGN' ;
FROM        : 'FROM' ;
FULL        : 'FULL' ;
GROUP       : 'GROUP' ;
HAVING      : 'HAVING' ;
IF          : 'IF' ;
IN          : 'IN' ;
INDEX       : 'INDEX' ;
INNER       : 'INNER' ;
INSERT      : 'INSERT' ;
INTERSECT   : 'INTERSECT' ;
INTO        : 'INTO' ;
IS          : 'IS' ;
JOIN        : 'JOIN' ;
KEY         : 'KEY' ;
LAST        : 'LAST' ;
LEFT        : 'LEFT' ;
LIKE        : 'LIKE' ;
LIMIT       : 'LIMIT' ;
NATURAL     : 'NATURAL' ;
NO          : 'NO' ;
NOT         : 'NOT' ;
NULL        : 'NULL' ;
NULLS       : 'NULLS' ;
OFFSET      : 'OFFSET' ;
ON          : 'ON' ;
OR          : 'OR' ;
ORDER       : 'ORDER' ;
OUTER       : 'OUTER' ;
PRIMARY     : 'PRIMARY' ;
RECURSIVE   : 'RECURSIVE' ;
REFERENCES  : 'REFERENCES' ;
RENAME      : 'RENAME' ;
RESTRICT    : 'RESTRICT' ;
RETURNING   : 'RETURNING' ;
RIGHT       : 'RIGHT' ;
ROLLBACK    : 'ROLLBACK' ;
SELECT      : 'SELECT' ;
SET         : 'SET' ;
TABLE       : 'TABLE' ;
THEN        : 'THEN' ;
TO          : 'TO' ;
TRANSACTION : 'TRANSACTION' ;
TRUE        : 'TRUE' ;
UNION       : 'UNION' ;
UNIQUE      : 'UNIQUE' ;
UPDATE      : 'UPDATE' ;
USING       : 'USING' ;
VALUES      : 'VALUES' ;
VIEW        : 'VIEW' ;
WHEN        : 'WHEN' ;
WHERE       : 'WHERE' ;
WITH        : 'WITH' ;

SEMI     : ';' ;
COMMA    : ',' ;
DOT      : '.' ;
LPAREN   : '(' ;
RPAREN   : ')' ;
STAR     : '*' ;
SLASH    : '/' ;
PERCENT  : '%' ;
PLUS     : '+' ;
MINUS    : '-' ;
CONCAT   : '||' ;
EQ       : '=' ;
EQEQ     : '==' ;
NEQ      : '!=' ;
LTGT     : '<>' ;
LT       : '<' ;
LE       : '<=' ;
GT       : '>' ;
GE       : '>=' ;

/* `?` is numbered by its position in the statement; `$n` names parameter n. */
QUESTION_MARK
    : '?'
    ;

NUMBERED_PARAMETER
    : '$' DIGIT+
    ;

INTEGER_LITERAL
    : DIGIT+
    ;

REAL_LITERAL
    : DIGIT+ '.' DIGIT* EXPONENT?
    | '.' DIGIT+ EXPONENT?
    | DIGIT+ EXPONENT
    ;

/* 'it''s': a doubled quote stands for one quote. */
STRING_LITERAL
    : '\'' (~'\'' | '\'\'')* '\''
    ;

IDENTIFIER
    : [A-Z_] [A-Z_0-9$]*
    ;

/* "Mixed Case": case is kept and the name may be a keyword; a doubled quote stands for one quote. */
QUOTED_IDENTIFIER
    : '"' (~'"' | '""')* '"'
    ;

LINE_COMMENT
    : '--' ~[\r\n]* -> channel(HIDDEN)
    ;

BLOCK_COMMENT
    : '/*' .*? '*/' -> channel(HIDDEN)
    ;

WHITESPACE
    : [ \t\r\n\f]+ -> channel(HIDDEN)
    ;

/* Never accepted by the parser: the lexer turns these into FND0002 diagnostics with a location. */
UNTERMINATED_STRING
    : '\'' (~'\'' | '\'\'')* EOF
    ;

UNTERMINATED_QUOTED_IDENTIFIER
    : '"' (~'"' | '""')* EOF
    ;

UNTERMINATED_BLOCK_COMMENT
    : '/*' (~'*' | '*' ~'/')* '*'? EOF
    ;

INVALID_CHARACTER
    : .
    ;

fragment DIGIT    : [0-9] ;
fragment EXPONENT : 'E' [+-]? DIGIT+ ;
