/**
 * An error in what the user gave us (a name, a file, a field, a line). The CLI prints its
 * message without a stack trace and exits with code 2; everything else is a bug (exit 1).
 */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** "did you mean" style list for errors about unknown names. */
export function unknownName(what: string, given: string, valid: readonly string[]): InputError {
  return new InputError(`unknown ${what} '${given}'; valid: ${valid.join(', ')}`);
}
