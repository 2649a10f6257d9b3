/**
 * The error both selector parsers throw. Its message is the text kube-apiserver puts in the
 * 400 BadRequest Status for a bad `labelSelector` or `fieldSelector` query parameter.
 */
export class SelectorError extends Error {
  override readonly name = 'SelectorError';

  constructor(message: string) {
    super(message);
  }
}
