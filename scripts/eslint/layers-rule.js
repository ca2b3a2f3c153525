import { posix, relative, sep } from 'node:path';
import { below, layerOf } from '../layers.js';

/**
 * ESLint rule: an import in src/ may only point to a folder below its own (scripts/layers.js).
 * @type {import('eslint').Rule.RuleModule}
 */
export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'imports in src/ point down the layers of scripts/layers.js' },
    schema: [],
    messages: {
      up: 'src/{{from}} may not import src/{{to}} ({{target}}): it may import only {{allowed}}. Move the shared code down a layer, or pass it in from above (scripts/layers.js, CONTRIBUTING.md).',
    },
  },
  create(context) {
    const file = relative(context.cwd, context.filename).split(sep).join('/');
    const from = layerOf(file);
    if (from === undefined) return {};
    const allowed = below(from);
    /** @param {import('eslint').Rule.Node} node @param {unknown} source */
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = posix.normalize(posix.join(posix.dirname(file), source));
      const to = layerOf(target);
      if (to === undefined || to === from || allowed.has(to)) return;
      context.report({ node, messageId: 'up', data: { from, to, target, allowed: [...allowed].sort().join(', ') || 'nothing outside itself' } });
    };
    return {
      ImportDeclaration: (n) => check(n, n.source.value),
      ExportAllDeclaration: (n) => check(n, n.source.value),
      ExportNamedDeclaration: (n) => n.source && check(n, n.source.value),
      ImportExpression: (n) => n.source.type === 'Literal' && check(n, n.source.value),
    };
  },
};
