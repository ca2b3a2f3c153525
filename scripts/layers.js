// The layers of src/: each folder lists the folders right below it. A folder may import any
// folder it reaches along these arrows, and nothing else, so every import points down.
// `npm run lint` enforces it (eslint.config.js); test/architecture.test.ts checks that src/ has no
// import cycle and that the README's diagram draws exactly these arrows.

/** @type {Readonly<Record<string, readonly string[]>>} */
export const layers = {
  cli: ['authoring', 'report', 'sample'],
  authoring: ['inspect'],
  inspect: ['runtime'],
  runtime: ['topology'],
  topology: ['kinds'],
  kinds: ['actors', 'db', 'quality', 'stores', 'link', 'gate', 'lag', 'cdc', 'search'],
  quality: ['actors', 'db'],
  cdc: ['db'],
  lag: ['coord', 'transport'],
  coord: ['core'],
  search: ['streams'],
  gate: ['formats', 'log'],
  link: ['transport', 'formats'],
  actors: ['transport'],
  transport: ['streams', 'log'],
  report: ['db'],
  sample: ['formats'],
  db: ['formats'],
  formats: ['streams'],
  stores: ['core'],
  log: ['core'],
  streams: ['core'],
  core: [],
};

/**
 * The folders `folder` may import: everything below it along the arrows.
 * @param {string} folder
 * @returns {Set<string>}
 */
export function below(folder) {
  /** @type {Set<string>} */
  const seen = new Set();
  /** @param {string} f */
  const visit = (f) => {
    for (const next of layers[f] ?? []) {
      if (seen.has(next)) continue;
      seen.add(next);
      visit(next);
    }
  };
  visit(folder);
  return seen;
}

/**
 * The src/ folder of a repository-relative path (`src/kinds/file/sink.ts` -> `kinds`), or undefined.
 * @param {string} path
 */
export function layerOf(path) {
  const m = /^src\/([^/]+)\//.exec(path);
  return m ? m[1] : undefined;
}

/** The arrows of {@link layers} as the body of a Mermaid flowchart, top layer first. */
export function layersMermaid() {
  return Object.entries(layers)
    .flatMap(([from, tos]) => tos.map((to) => `  ${from} --> ${to}`))
    .join('\n');
}
