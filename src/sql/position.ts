/** AST locations (0-based byte offsets, -1 unknown) to DbError positions (1-based). */
export function errorPosition(location: number | undefined): number | undefined {
  return location !== undefined && location >= 0 ? location + 1 : undefined;
}
