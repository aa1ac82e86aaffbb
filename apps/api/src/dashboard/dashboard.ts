import { existsSync } from 'node:fs';
import { join } from 'node:path';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';

// The page loads only its own script and styles and talks only to this API.
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

/** Where the built dashboard is: dist/dashboard, seen from the compiled api or from its sources (tests). */
export function dashboardDir(): string | null {
  for (const dir of [
    join(__dirname, '../../../../dashboard'),
    join(__dirname, '../../../../dist/dashboard'),
  ]) {
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return null;
}

/**
 * Serves the dashboard's static files at / (public: they hold no data; every API call the page
 * makes carries the read token the user gives it). Without a build (`npm run build`), no page.
 */
export function mountDashboard(app: NestFastifyApplication): boolean {
  const root = dashboardDir();
  if (!root) return false;
  app.useStaticAssets({
    root,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    // @fastify/static 10 hands over the Fastify reply (its types still say ServerResponse).
    setHeaders: (reply: unknown) => {
      (reply as FastifyReply)
        .header('content-security-policy', CONTENT_SECURITY_POLICY)
        .header('x-content-type-options', 'nosniff');
    },
  });
  return true;
}
