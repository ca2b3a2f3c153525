/**
 * `obj[key] = value` as an own, enumerable data property, `__proto__` included: assigning that
 * key would set the prototype instead (dropping a string, or re-parenting the object to an
 * object value). For objects whose keys come from the data: headers, fields, mapping keys.
 *
 * @example
 * setOwn(headers, '__proto__', 'x'); // Object.keys(headers) includes '__proto__'
 */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}
