/** Environment variables as `process.env` holds them. */
export type Env = Readonly<Record<string, string | undefined>>;

/** A reference that could not be substituted, at `index` in the input string. */
export interface InterpolationError {
  index: number;
  /** The reference as written, e.g. `${PORT}`. */
  reference: string;
  message: string;
  expected?: string;
  hint?: string;
}

/** The substituted string, whether any `${...}` was substituted, and the failures. */
export interface InterpolationResult {
  value: string;
  substituted: boolean;
  errors: InterpolationError[];
}

const reference = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

/**
 * Substitutes environment variables in one string.
 *
 * - `${NAME}` is the value of NAME; unset is an error (set but empty gives `''`).
 * - `${NAME:-default}` is `default` when NAME is unset or empty (as in POSIX shells).
 * - `$${` is a literal `${`; any other `$` stays as it is.
 *
 * @example
 * interpolate('${HOST:-localhost}:${PORT}', { PORT: '9092' }).value; // 'localhost:9092'
 * interpolate('cost: $${PRICE}', {}).value; // 'cost: ${PRICE}'
 */
export function interpolate(text: string, env: Env): InterpolationResult {
  if (!text.includes('$')) return { value: text, substituted: false, errors: [] };
  const errors: InterpolationError[] = [];
  let value = '';
  let substituted = false;
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      value += '${';
      i += 3;
      continue;
    }
    if (!text.startsWith('${', i)) {
      value += text[i];
      i += 1;
      continue;
    }
    const close = text.indexOf('}', i + 2);
    if (close < 0) {
      errors.push({
        index: i,
        reference: text.slice(i),
        message: 'unterminated variable reference',
        expected: '${NAME} or ${NAME:-default}',
        hint: 'write $${ for a literal ${',
      });
      value += text.slice(i);
      break;
    }
    const written = text.slice(i, close + 1);
    const match = reference.exec(text.slice(i + 2, close));
    if (!match) {
      errors.push({
        index: i,
        reference: written,
        message: `malformed variable reference ${JSON.stringify(written)}`,
        expected: '${NAME} or ${NAME:-default} with NAME made of letters, digits and _',
        hint: 'write $${ for a literal ${',
      });
      value += written;
    } else {
      const name = match[1] ?? '';
      const fallback = match[2];
      const set = env[name];
      if (set !== undefined && (fallback === undefined || set !== '')) value += set;
      else if (fallback !== undefined) value += fallback;
      else {
        errors.push({
          index: i,
          reference: written,
          message: `environment variable ${name} is not set`,
          hint: `set it, or give a default: \${${name}:-value}`,
        });
        value += written;
      }
      substituted = true;
    }
    i = close + 1;
  }
  return { value, substituted, errors };
}
