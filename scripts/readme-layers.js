const open = '<!-- layers: generated from scripts/layers.js by `npm run schema`; do not edit by hand -->';
const close = '<!-- /layers -->';

/**
 * `readme` with the Mermaid block between the layers markers replaced by a flowchart of `arrows`.
 * @param {string} readme
 * @param {string} arrows
 */
export function withLayersDiagram(readme, arrows) {
  const start = readme.indexOf(open);
  const end = readme.indexOf(close);
  if (start < 0 || end < start) throw new Error(`README.md has no layers block (${open} ... ${close})`);
  const block = `${open}\n\`\`\`mermaid\nflowchart TD\n${arrows}\n\`\`\`\n`;
  return readme.slice(0, start) + block + readme.slice(end);
}
