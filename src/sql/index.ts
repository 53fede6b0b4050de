/** sql/: parsing with libpg-query and Tessera's typed AST. Imports only errors/. */
export { initParser, parseRaw, parseSql, charOffset } from './parser.ts';
export { errorPosition } from './position.ts';
export { convertExpr, convertTypeName } from './convert.ts';
export { selectStmt } from './select-stmt.ts';
export { viewQueryMentions, viewQueryText } from './convert-view.ts';
export type * from './ast.ts';
