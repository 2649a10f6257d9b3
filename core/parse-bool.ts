/** Query-parameter scalars parsed the way Go's standard library parses them for kube-apiserver. */

const trueWords = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const falseWords = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/**
 * Go's `strconv.ParseBool`: `1 t T TRUE true True` are true, `0 f F FALSE false False` are
 * false, and anything else (including `yes`, `tRuE` and the empty string) is undefined, which
 * is where Go returns an error.
 */
export function parseBool(text: string): boolean | undefined {
  if (trueWords.has(text)) return true;
  if (falseWords.has(text)) return false;
  return undefined;
}
