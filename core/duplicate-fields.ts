import { LineCounter, isNode, isScalar, parseDocument, visit } from 'yaml';
/**
 * Finds keys that appear twice in one JSON object. JSON.parse keeps the last silently; kube's
 * strict decoder (sigs.k8s.io/json) reports each as `duplicate field "spec.replicas"`, naming
 * the field by the names of the enclosing fields (list indexes are not part of it).
 *
 * Expects text that JSON.parse accepted; returns the dotted paths in order of appearance.
 */
export function duplicateFields(text: string): string[] {
  const found: string[] = [];
  // One frame per open object or array: the keys seen so far (objects) and the field name that led here.
  const stack: { keys: Set<string> | undefined; name: string | undefined }[] = [];
  const names = (): string[] => stack.map((f) => f.name).filter((n): n is string => n !== undefined);
  let pendingKey: string | undefined; // the key just read, until its value opens or ends
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const raw = text.slice(i, j + 1);
      i = j;
      const top = stack[stack.length - 1];
      if (expectKey && top?.keys) {
        const key = JSON.parse(raw) as string;
        if (top.keys.has(key)) found.push([...names(), key].join('.'));
        top.keys.add(key);
        pendingKey = key;
        expectKey = false;
      }
    } else if (c === '{' || c === '[') {
      const top = stack[stack.length - 1];
      const name = top?.keys ? pendingKey : undefined;
      stack.push({ keys: c === '{' ? new Set() : undefined, name });
      expectKey = c === '{';
      pendingKey = undefined;
    } else if (c === '}' || c === ']') {
      stack.pop();
      expectKey = false;
    } else if (c === ',') {
      expectKey = stack[stack.length - 1]?.keys !== undefined;
    }
  }
  return found;
}

/**
 * Keys that appear twice in one mapping of a YAML text (the yaml parser, like Go's
 * non-strict decoder, keeps the last), each as go-yaml words it:
 * `line 7: key "size" already set in map`. Expects text the yaml parser accepts.
 */
export function duplicateYamlKeys(text: string): string[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: false, lineCounter: lines });
  const found: string[] = [];
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (seen.has(key)) {
          const line = isNode(pair.key) && pair.key.range ? lines.linePos(pair.key.range[0]).line : 0;
          found.push(`line ${line}: key ${JSON.stringify(String(key))} already set in map`);
        }
        seen.add(key);
      }
    },
  });
  return found;
}
