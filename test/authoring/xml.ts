/** An element of a checked XML document: its name and attributes. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  /** Text directly inside the element, entities decoded. */
  text: string;
}

const name = /^[A-Za-z_][\w:.-]*$/;
const entity = /&(?:lt|gt|amp|quot|apos|#\d+|#x[0-9A-Fa-f]+);/g;

function decode(text: string, where: string): string {
  if (text.replace(entity, '').includes('&')) throw new Error(`unescaped & in ${where}: ${text.slice(0, 60)}`);
  return text.replace(entity, (e) => ({ '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&apos;': "'" })[e] ?? String.fromCodePoint(Number(e.startsWith('&#x') ? `0x${e.slice(3, -1)}` : e.slice(2, -1))));
}

function parseAttributes(source: string, tag: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  let rest = source;
  while (rest.trim() !== '') {
    const m = /^\s+([^\s=]+)="([^"<]*)"/.exec(rest);
    if (!m) throw new Error(`malformed attributes in <${tag}>: ${rest.slice(0, 60)}`);
    const [whole, key = '', value = ''] = m;
    if (!name.test(key)) throw new Error(`bad attribute name ${key} in <${tag}>`);
    if (Object.hasOwn(attributes, key)) throw new Error(`duplicate attribute ${key} in <${tag}>`);
    attributes[key] = decode(value, `attribute ${key}`);
    rest = rest.slice(whole.length);
  }
  return attributes;
}

/**
 * Checks that `source` is well-formed XML (an optional declaration, comments, one root element,
 * matching tags, quoted attributes without duplicates, only the predefined or numeric entities)
 * and returns its elements in document order. Throws, naming the problem, otherwise.
 */
export function checkXml(source: string): XmlElement[] {
  let rest = source.replace(/^<\?xml[^?]*\?>/, '');
  const stack: XmlElement[] = [];
  const elements: XmlElement[] = [];
  let roots = 0;
  while (rest.length > 0) {
    const lt = rest.indexOf('<');
    const text = lt < 0 ? rest : rest.slice(0, lt);
    const decoded = decode(text, 'text');
    if (stack.length === 0 && decoded.trim() !== '') throw new Error(`text outside the root element: ${text.slice(0, 40)}`);
    const open = stack.at(-1);
    if (open) open.text += decoded;
    if (lt < 0) break;
    rest = rest.slice(lt);
    if (rest.startsWith('<!--')) {
      const end = rest.indexOf('-->');
      if (end < 0) throw new Error('unterminated comment');
      rest = rest.slice(end + 3);
      continue;
    }
    const gt = rest.indexOf('>');
    if (gt < 0) throw new Error('unterminated tag');
    const tag = rest.slice(1, gt);
    rest = rest.slice(gt + 1);
    if (tag.startsWith('/')) {
      const closing = tag.slice(1).trim();
      const top = stack.pop();
      if (top?.name !== closing) throw new Error(`</${closing}> closes <${top?.name ?? 'nothing'}>`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const tagName = /^[^\s]+/.exec(body)?.[0] ?? '';
    if (!name.test(tagName)) throw new Error(`bad element name "${tagName}"`);
    if (stack.length === 0 && ++roots > 1) throw new Error('more than one root element');
    const element: XmlElement = { name: tagName, attributes: parseAttributes(body.slice(tagName.length), tagName), text: '' };
    elements.push(element);
    if (!selfClosing) stack.push(element);
  }
  if (stack.length > 0) throw new Error(`<${stack.at(-1)?.name}> is never closed`);
  if (roots !== 1) throw new Error('no root element');
  return elements;
}
