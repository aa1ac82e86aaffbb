// Builds the dashboard into dist/dashboard: one bundle (esbuild) beside its page and styles.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'apps/dashboard');
const out = join(root, 'dist/dashboard');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(src, 'src/main.ts')],
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'iife',
  target: 'es2022',
  outfile: join(out, 'app.js'),
  logLevel: 'warning',
});
for (const file of ['index.html', 'styles.css']) copyFileSync(join(src, file), join(out, file));
