/*
 * Foundry SQL. The parse tree is turned into Foundry.Compiler.Syntax.Ast by AstBuilder.fs; the rule
 * names here are the nonterminals of docs/sql-subset.md, so keep the two in step.
 *
 * Layout for growth: a statement rule per statement kind; queries go query -> queryTerm ->
 * querySpecification so that WITH, UNION/INTERSECT/EXCEPT and subqueries slot in above or beside
 * querySpecification; FROM holds a list of tableReference so joins extend tableReference; table
 * elements are a list of column definitions and table constraints in any order.
 *
 * Expression precedence is the order of the labelled alternatives of `expr` (ANTLR gives earlier
 * alternatives higher precedence): unary +/-, then * / %, + -, ||, comparisons, IS [NOT] NULL, NOT,
 * AND, OR. AstPrinter.toSql mirrors these levels exactly; change both together.
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
    | insertStatement
    | selectStatement
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
    : PRIMARY KEY        # primaryKeyColumnConstraint
    | NOT NULL           # notNullColumnConstraint
    | NULL               # nullColumnConstraint
    ;

tableConstraint
    : PRIMARY KEY columnList
    ;

dropTableStatement
    : DROP TABLE (IF EXISTS)? tableName
    ;

insertStatement
    : INSERT INTO tableName columnList? valuesClause
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

// ---- queries ------------------------------------------------------------------------------------

query
    : queryTerm orderByClause? limitClause?
    ;

queryTerm
    : querySpecification
    ;

querySpecification
    : SELECT selectItem (COMMA selectItem)* fromClause? whereClause?
    ;

selectItem
    : STAR                                  # allColumnsItem
    | identifier DOT STAR                   # tableColumnsItem
    | expr (AS? alias=identifier)?          # exprItem
    ;

fromClause
    : FROM tableReference
    ;

tableReference
    : tableName (AS? alias=identifier)?
    ;

whereClause
    : WHERE expr
    ;

orderByClause
    : ORDER BY orderItem (COMMA orderItem)*
    ;

orderItem
    : expr (ASC | DESC)?
    ;

limitClause
    : LIMIT limit=expr (OFFSET offset=expr)?
    ;

// ---- expressions --------------------------------------------------------------------------------

expr
    : primary                                                   # primaryExpr
    | op=(PLUS | MINUS) expr                                    # signExpr
    | expr op=(STAR | SLASH | PERCENT) expr                     # multiplicativeExpr
    | expr op=(PLUS | MINUS) expr                               # additiveExpr
    | expr CONCAT expr                                          # concatExpr
    | expr op=(EQ | EQEQ | NEQ | LTGT | LT | LE | GT | GE) expr # comparisonExpr
    | expr IS NOT? NULL                                         # isNullExpr
    | NOT expr                                                  # notExpr
    | expr AND expr                                             # andExpr
    | expr OR expr                                              # orExpr
    ;

primary
    : literal                                                   # literalPrimary
    | functionCall                                              # functionCallPrimary
    | (qualifier=identifier DOT)? name=identifier               # columnRefPrimary
    | LPAREN expr RPAREN                                        # parenthesizedPrimary
    ;

functionCall
    : identifier LPAREN (STAR | DISTINCT? expr (COMMA expr)*)? RPAREN
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

/* Keywords that may still name a table or column. */
nonReservedKeyword
    : KEY
    ;

// ---- lexical rules ------------------------------------------------------------------------------

AND      : 'AND' ;
AS       : 'AS' ;
ASC      : 'ASC' ;
BY       : 'BY' ;
CREATE   : 'CREATE' ;
DELETE   : 'DELETE' ;
DESC     : 'DESC' ;
DISTINCT : 'DISTINCT' ;
DROP     : 'DROP' ;
EXISTS   : 'EXISTS' ;
FALSE    : 'FALSE' ;
FROM     : 'FROM' ;
IF       : 'IF' ;
INSERT   : 'INSERT' ;
INTO     : 'INTO' ;
IS       : 'IS' ;
KEY      : 'KEY' ;
LIMIT    : 'LIMIT' ;
NOT      : 'NOT' ;
NULL     : 'NULL' ;
OFFSET   : 'OFFSET' ;
OR       : 'OR' ;
ORDER    : 'ORDER' ;
PRIMARY  : 'PRIMARY' ;
SELECT   : 'SELECT' ;
TABLE    : 'TABLE' ;
TRUE     : 'TRUE' ;
UPDATE   : 'UPDATE' ;
VALUES   : 'VALUES' ;
WHERE    : 'WHERE' ;

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
