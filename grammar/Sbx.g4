// The .sbx policy language. Newlines are not significant: statements start with a keyword and
// lists are comma-separated, so the grammar needs no separators. Keywords are contextual where
// they collide with syscall names (read, write, kill, connect, bind, ...): see `name`.
grammar Sbx;

file
    : unit EOF
    ;

unit
    : 'policy' name 'version' INT '{' item* '}'      # policyUnit
    | 'module' dottedName '{' item* '}'              # moduleUnit
    ;

item
    : 'targets' name (',' name)*                                 # targetsItem
    | 'import' importRef (',' importRef)* ('without' withoutList)?   # importItem
    | 'const' name '=' value                                     # constItem
    | 'group' GROUP '=' '{' (groupMember (',' groupMember)* ','?)? '}'   # groupItem
    | 'hosts' GROUP '=' '{' (hostRef (',' hostRef)* ','?)? '}'       # hostsItem
    | 'syscalls' '{' syscallStmt* '}'                            # syscallsItem
    | 'filesystem' '{' fsStmt* '}'                               # filesystemItem
    | 'network' '{' netStmt* '}'                                 # networkItem
    | 'limits' '{' limitStmt* '}'                                # limitsItem
    | 'namespaces' name (',' name)*                              # namespacesItem
    | 'assert' quantifier=('never' | 'always') query             # assertItem
    | 'test' STRING '{' expectStmt* '}'                          # testItem
    ;

importRef
    : dottedName
    | STRING
    ;

withoutList
    : withoutRef (',' withoutRef)*
    ;

withoutRef
    : name
    | GROUP
    | STRING
    ;

groupMember
    : name optional='?'?
    | GROUP
    ;

// ---- syscalls -------------------------------------------------------------------------------

syscallStmt
    : 'default' action                                           # defaultStmt
    | action syscallTarget (',' syscallTarget)* trailingErrno?   # ruleStmt
    ;

action
    : kind=('allow' | 'log' | 'trap' | 'user_notif' | 'kill_thread' | 'kill_process' | 'kill' | 'deny')
    | kind=('errno' | 'trace') '(' value ')'
    ;

trailingErrno
    : 'errno' '(' value ')'
    ;

syscallTarget
    : name optional='?'? ('(' (expr (',' expr)*)? ')')?
    | GROUP ('(' (expr (',' expr)*)? ')')?   // conditions on a group are rejected by sema (E0208)
    ;

// Conditions and values share one expression grammar; sema decides which is which, so that a
// test's positional arguments (`socket(AF_INET, SOCK_STREAM, 0)`) and a rule's conditions
// (`socket(domain == AF_INET)`) read naturally and get precise diagnostics when mixed up.
expr
    : '!' expr                                                   # notExpr
    | expr '&&' expr                                             # andExpr
    | expr '||' expr                                             # orExpr
    | value op=('==' | '!=' | '<' | '<=' | '>' | '>=') value     # compareExpr
    | value negated='not'? 'in' '{' value (',' value)* ','? '}'  # inExpr
    | '(' expr ')'                                               # parenExpr
    | value                                                      # valueExpr
    ;

value
    : '-' value                 # negValue
    | value '&' value           # maskValue
    | value '|' value           # orValue
    | '(' value ')'             # parenValue
    | INT                       # intValue
    | name                      # nameValue
    ;

// ---- filesystem -----------------------------------------------------------------------------

fsStmt
    : 'landlock' 'abi' '>=' INT                                  # abiStmt
    | 'landlock' 'scope' name (',' name)*                        # scopeStmt
    | 'landlock' 'best_effort' name (',' name)*                  # bestEffortStmt
    | 'mount' kind=name (STRING (',' STRING)*)? ('size' quantity)?   # mountStmt
    | 'workspace' STRING ('discard' 'on' discardCond (',' discardCond)*)?   # workspaceStmt
    | deny='deny'? name (',' name)* STRING (',' STRING)*         # accessStmt
    ;

discardCond
    : name ('(' name (',' name)* ')')?
    ;

// ---- the OS layer: resource limits --------------------------------------------------------------

// `memory 512MiB`, `tasks 128`, `cpu 1.5`, `core_dumps off`: sema knows the limits and which
// value each takes, so an unknown limit or unit gets a precise diagnostic rather than a parse error.
limitStmt
    : name quantity
    ;

quantity
    : INT
    | QUANTITY
    | name
    ;

// ---- network --------------------------------------------------------------------------------

netStmt
    : 'proxy' ADDRESS 'port' INT                                 # proxyStmt
    | deny='deny'? netBody                                       # ruleStmtNet
    ;

netBody
    : direction=('connect' | 'bind') proto=('tcp' | 'udp')? ports? netTo?
    | proto=('tcp' | 'udp') ports? netTo?
    | netTo
    ;

netTo
    : 'to' hostRef (',' hostRef)*
    ;

ports
    : portRange (',' portRange)*
    | 'any'
    ;

portRange
    : INT ('-' INT)?
    ;

hostRef
    : STRING
    | ADDRESS
    | GROUP
    | 'any'
    ;

// ---- assertions and tests -------------------------------------------------------------------

query
    : name (',' name)* STRING                                    # fsQuery
    | direction=('connect' | 'bind') proto=('tcp' | 'udp') portRange? ('to' hostRef)?   # netQuery
    | syscallTarget ('on' name)?                                 # syscallQuery
    ;

expectStmt
    : 'expect' action query
    ;

// ---- names ----------------------------------------------------------------------------------

dottedName
    : name ('.' name)*
    ;

// Keywords that may also be syscall, right, argument or constant names.
name
    : IDENT
    | 'read' | 'write' | 'kill' | 'connect' | 'bind' | 'trace' | 'log' | 'allow' | 'deny'
    | 'default' | 'errno' | 'trap' | 'user_notif' | 'kill_thread' | 'kill_process'
    | 'tcp' | 'udp' | 'any' | 'to' | 'on' | 'in' | 'not' | 'abi' | 'landlock' | 'version'
    | 'targets' | 'import' | 'without' | 'const' | 'group' | 'hosts' | 'syscalls' | 'filesystem'
    | 'network' | 'assert' | 'never' | 'always' | 'test' | 'expect' | 'policy' | 'module'
    | 'scope' | 'best_effort' | 'proxy' | 'port' | 'limits' | 'namespaces' | 'mount' | 'size'
    | 'workspace' | 'discard'
    ;

// ---- lexer ----------------------------------------------------------------------------------

GROUP   : '@' [a-zA-Z_] [a-zA-Z0-9_]* ;
// IPv4 with optional prefix; must precede INT so the longest match wins.
ADDRESS
    : DEC '.' DEC '.' DEC '.' DEC ('/' DEC)?
    | IPV6 ('/' DEC)?
    ;
INT     : '0x' [0-9a-fA-F_]+ | '0o' [0-7_]+ | '0b' [01_]+ | [0-9] [0-9_]* ;
// A number with its unit (512MiB, 5m) or a decimal (1.5): the OS layer's limits and sizes. After
// INT, so that `0x1f` stays an integer; a unit is letters written right after the digits.
QUANTITY
    : [0-9] [0-9_]* ('.' DEC)? [a-zA-Z]+
    | [0-9] [0-9_]* '.' DEC
    ;
IDENT   : [a-zA-Z_] [a-zA-Z0-9_]* ;
STRING  : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"' ;
// A string cut off by the end of the line: one token, so the diagnostic points at its start.
UNTERMINATED_STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* ;
COMMENT : '#' ~[\r\n]* -> channel(HIDDEN) ;
WS      : [ \t\r\n\uFEFF]+ -> channel(HIDDEN) ;  // U+FEFF: a byte-order mark some editors write
// Anything else becomes one error token, reported by polc rather than ANTLR's console listener.
ERROR_CHAR : . ;

fragment DEC : [0-9]+ ;
fragment HEX : [0-9a-fA-F] ;
// IPv6 needs at least two colons to be told apart from anything else in the language, which has
// no other use for ':'. Sema validates the text with inet_pton.
fragment IPV6
    : HEX* ':' HEX* ':' (HEX | ':')* ('.' DEC '.' DEC '.' DEC)?
    ;
