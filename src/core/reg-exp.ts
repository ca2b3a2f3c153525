/** Whether `source` compiles as a regular expression (for a config refinement). */
export function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}
