/**
 * The `?hash=` of a v3 group-version document: upper-case hex SHA-512 of its JSON, as
 * kube-openapi `pkg/handler3/handler.go` computes it (`fmt.Sprintf("%X", sha512.Sum512(json))`).
 * It must be taken over the exact bytes served, so serve `JSON.stringify(doc)`. kubectl
 * caches a hashed URL forever, so the hash has to change whenever the content does.
 */
import { createHash } from 'node:crypto';

export function openAPIHash(doc: object): string {
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase();
}
