import { z } from 'zod';

/** A JSON Schema node, as `z.toJSONSchema` writes them. */
type Node = { [key: string]: unknown };

/** One row of a settings table. */
export interface SettingRow {
  /** Dotted path: `engine.path`, `clusters[].name`. */
  name: string;
  type: string;
  /** The default as JSON, `required`, or empty for an optional setting without one. */
  default: string;
  description: string;
}

const asNode = (value: unknown): Node => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Node) : {});
const isObject = (n: Node): boolean => n.type === 'object' && n.properties !== undefined;
const options = (n: Node): Node[] => ((n.oneOf ?? n.anyOf) as unknown[] | undefined)?.map(asNode) ?? [];
const code = (value: unknown): string => `\`${JSON.stringify(value)}\``;

function bounds(n: Node): string {
  const parts: string[] = [];
  const big = (v: unknown): boolean => typeof v === 'number' && Math.abs(v) >= Number.MAX_SAFE_INTEGER;
  if (typeof n.minimum === 'number' && !big(n.minimum)) parts.push(`≥ ${n.minimum}`);
  if (typeof n.exclusiveMinimum === 'number' && !big(n.exclusiveMinimum)) parts.push(`> ${n.exclusiveMinimum}`);
  if (typeof n.maximum === 'number' && !big(n.maximum)) parts.push(`≤ ${n.maximum}`);
  if (typeof n.exclusiveMaximum === 'number' && !big(n.exclusiveMaximum)) parts.push(`< ${n.exclusiveMaximum}`);
  return parts.length === 0 ? '' : ` ${parts.join(', ')}`;
}

/** The type of a JSON Schema node in a few words: `integer > 0`, `"a" | "b"`, `list of string`. */
export function typeOf(n: Node): string {
  if (n.const !== undefined) return code(n.const);
  if (Array.isArray(n.enum)) return n.enum.map(code).join(' | ');
  const alternatives = options(n);
  if (alternatives.length > 0) {
    const tags = alternatives.map((o) => asNode(asNode(o.properties).type).const);
    if (tags.every((t) => typeof t === 'string')) return `mapping (type: ${tags.map(code).join(' | ')})`;
    return alternatives.map(typeOf).join(' or ');
  }
  if (Array.isArray(n.type)) return n.type.map((type) => typeOf({ ...n, type })).join(' or ');
  switch (n.type) {
    case 'string':
      return n.format === 'uri' ? 'URL' : 'string';
    case 'integer':
    case 'number':
      return `${n.type}${bounds(n)}`;
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array': {
      const min = typeof n.minItems === 'number' && n.minItems > 0 ? ` (at least ${n.minItems})` : '';
      return `list of ${typeOf(asNode(n.items))}${min}`;
    }
    case 'object':
      if (isObject(n)) return 'mapping';
      return n.additionalProperties === undefined || Object.keys(asNode(n.additionalProperties)).length === 0
        ? 'mapping'
        : `mapping of ${typeOf(asNode(n.additionalProperties))}`;
    default:
      return 'any';
  }
}

const oneLine = (text: unknown): string => (typeof text === 'string' ? text.replace(/\s+/g, ' ').trim() : '');

/**
 * The rows of an object schema's properties, nested mappings (and lists of mappings, and
 * `type`-tagged alternatives) flattened into dotted names when `nested` is true.
 */
export function settingRows(schema: Node, nested = true, prefix = '', note = ''): SettingRow[] {
  const rows: SettingRow[] = [];
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  for (const [key, raw] of Object.entries(asNode(schema.properties))) {
    const n = asNode(raw);
    const name = `${prefix}${key}`;
    const fallback = required.has(key) ? 'required' : '';
    const description = `${note}${oneLine(n.description)}`;
    rows.push({ name, type: typeOf(n), default: n.default === undefined ? fallback : code(n.default), description });
    if (!nested) continue;
    if (isObject(n)) rows.push(...settingRows(n, true, `${name}.`));
    const items = asNode(n.items);
    if (n.type === 'array' && isObject(items)) rows.push(...settingRows(items, true, `${name}[].`));
    for (const option of options(n).filter(isObject)) {
      const tag = asNode(asNode(option.properties).type).const;
      const only = typeof tag === 'string' ? `(type: ${tag}) ` : '';
      rows.push(...settingRows(option, true, `${name}.`, only).filter((r) => r.name !== `${name}.type`));
    }
  }
  return rows;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');

/**
 * Rows as a Markdown table: setting, type, default, description, and the extra columns given
 * (their cells by row name).
 */
export function markdownTable(rows: readonly SettingRow[], extra: Record<string, (row: SettingRow) => string> = {}): string {
  if (rows.length === 0) return '_No settings._\n';
  const titles = Object.keys(extra);
  const lines = [
    `| setting | ${titles.map((t) => `${t} | `).join('')}type | default | description |`,
    `| --- | ${titles.map(() => '--- | ').join('')}--- | --- | --- |`,
  ];
  for (const r of rows) {
    const cells = titles.map((t) => `${cell(extra[t]?.(r) ?? '')} | `).join('');
    lines.push(`| \`${r.name}\` | ${cells}${cell(r.type)} | ${cell(r.default)} | ${cell(r.description)} |`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The settings table of a zod object schema, from its JSON Schema (input types, so defaults
 * show). `nested: false` lists only the top-level fields.
 *
 * @example
 * settingsTable(mapConfig); // '| setting | type | default | description |\n...'
 */
export function settingsTable(schema: z.core.$ZodType, nested = true): string {
  return markdownTable(schemaRows(schema, nested));
}

/** The rows of a zod object schema (see {@link settingRows}), from its JSON Schema. */
export function schemaRows(schema: z.core.$ZodType, nested = true): SettingRow[] {
  const json = z.toJSONSchema(schema, { target: 'draft-07', io: 'input' }) as Node;
  return settingRows(json, nested);
}
