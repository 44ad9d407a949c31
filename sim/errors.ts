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

/**
 * Text from an input file or the command line made safe to print on a terminal: control
 * characters (an ESC that would recolour the terminal, a CR that would overwrite the line, a
 * NUL), C1 controls and bidirectional overrides become visible escapes (\x1b, \r, \u202e).
 * Newlines and tabs stay: messages may span lines.
 */
export function printable(text: string, maxChars = 4000): string {
  // a message quoting a whole input line or file stays readable
  const cut = text.length > maxChars ? `${text.slice(0, maxChars)}... (${text.length - maxChars} more characters)` : text;
  // eslint-disable-next-line no-control-regex
  return cut.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\r') return '\\r';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
