import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

import { REPORTS_PATH, reportsOpenApiPath } from './reports/reports.route';

/** The document's description (Markdown): what Faultline is, and how to authenticate, first. */
export const OPENAPI_DESCRIPTION = [
  'Health reports in; root causes out.',
  '',
  '## Authentication',
  '',
  'Every `/api/v1` route and `/metrics` takes `Authorization: Bearer <token>`: 401 without a valid token, ' +
    '403 when its scopes do not cover the route. Scopes: `ingest`, `read`, `admin` (admin covers all). ' +
    'Public: `/healthz`, `/readyz`, this document, and the dashboard page at `/` (it asks for a token).',
  '',
  'Where tokens come from:',
  '',
  "- `FAULTLINE_ADMIN_TOKEN` (16+ characters) in the server's environment is an admin token: the first one.",
  '- With an admin token, `POST /api/v1/tokens` `{"name": "ci-ingest", "scopes": ["ingest"]}` creates one; ' +
    'the answer carries `token` once (only its hash is stored). `GET /api/v1/tokens` lists them, ' +
    '`DELETE /api/v1/tokens/{id}` revokes one.',
  '',
  '```sh',
  'curl -H "Authorization: Bearer $FAULTLINE_ADMIN_TOKEN" -H "content-type: application/json" \\',
  '  -d \'{"name":"ci-ingest","scopes":["ingest"]}\' http://localhost:3000/api/v1/tokens',
  '```',
  '',
  'To try the routes on this page: **Authorize**, then paste the token alone (without `Bearer `).',
].join('\n');

/**
 * Serves the OpenAPI document, generated from the controllers, at /api/docs (JSON at
 * /api/docs-json), with the plain Fastify route POST /api/v1/reports added first.
 */
export function mountOpenApi(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Faultline')
      .setDescription(OPENAPI_DESCRIPTION)
      .setVersion('1')
      .addBearerAuth({
        type: 'http',
        scheme: 'bearer',
        // Faultline's tokens are opaque random strings, not the JWTs Nest's default announces.
        bearerFormat: 'opaque',
        description:
          'A token: FAULTLINE_ADMIN_TOKEN, or one created with POST /api/v1/tokens. Sent as Authorization: Bearer <token>.',
      })
      .build(),
  );
  document.paths = { [REPORTS_PATH]: reportsOpenApiPath(), ...document.paths };
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}
