// ESLint rule keeping the layering true: which part of the code may import which.
import { dirname, relative, resolve, sep } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

/** The layers each layer may import (its own included). Files outside src-main and src-renderer are free. */
const ALLOWED = {
  engine: ['engine'],
  api: ['api'],
  service: ['service', 'engine', 'api'],
  cli: ['cli', 'service', 'engine', 'api'],
  server: ['server', 'service', 'engine', 'api'],
  electron: ['electron', 'service', 'engine', 'api'],
  renderer: ['renderer', 'api'],
};

/**
 * Host-to-host imports that are the point of the importer: `earmark serve` starts the web host, and the
 * desktop app serves the renderer with the web host's static-file handler and security headers.
 */
const EXCEPTIONS = [
  { from: 'src-main/cli/commands/serve.ts', to: 'src-main/server/server' },
  { from: 'src-main/electron/main.ts', to: 'src-main/server/static-files' },
  { from: 'src-main/electron/csp.ts', to: 'src-main/server/security-headers' },
];

const toPosix = (path) => relative(ROOT, path).split(sep).join('/');

function layerOf(rel) {
  if (rel.startsWith('src-renderer/')) return 'renderer';
  const m = /^src-main\/([^/]+)\//.exec(rel);
  return m && m[1] in ALLOWED ? m[1] : undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
export const layerBoundaries = {
  meta: { type: 'problem', schema: [], docs: { description: 'Keep src-main layers and the renderer from importing what they must not' } },
  create(context) {
    const file = toPosix(context.filename);
    const layer = layerOf(file);
    if (!layer) return {};
    const check = (node, spec) => {
      if (typeof spec !== 'string') return;
      if (spec === 'electron' || spec.startsWith('electron/')) {
        if (layer !== 'electron') context.report({ node, message: `${layer} must not import "electron" (only src-main/electron may)` });
        return;
      }
      if (!spec.startsWith('.')) return;
      const target = toPosix(resolve(dirname(context.filename), spec));
      const to = layerOf(`${target}/`);
      if (!to || ALLOWED[layer].includes(to)) return;
      if (EXCEPTIONS.some((e) => e.from === file && target.replace(/\.(ts|js|mjs)$/, '') === e.to)) return;
      context.report({ node, message: `${layer} must not import from ${to} ("${spec}"); ${layer} may import only ${ALLOWED[layer].join(', ')}` });
    };
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
      TSImportType: (node) => check(node, node.argument?.literal?.value ?? node.source?.value),
    };
  },
};
