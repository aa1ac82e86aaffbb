import { claimedServices, PushSourceService } from '@faultline/collectors';
import { ReportIntake } from '@faultline/ingest';
import { type AuthenticatedRequest, routeAccessConfig } from '@faultline/platform';
import { reportSchema } from '@faultline/reports';
import { UnauthorizedException } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';

import { JSON_TYPE, NDJSON_TYPE } from '../http/content-types';

export const REPORTS_PATH = '/api/v1/reports';

/**
 * `POST /api/v1/reports` as a plain Fastify route, not a Nest controller: at thousands of
 * single-report requests a second Nest's router, guards, interceptors and pipes were a large
 * share of the api's CPU per request, for a route that needs none of them. It is the same
 * route otherwise: the auth hook checks its token and `ingest` scope from its config (rate
 * limits included) before the body is read; registerContentTypes gives it its types (JSON,
 * NDJSON; 415 listing them) and the ingest body limit (413); the body is validated by the
 * compiled report schema (ajv, ReportValidator: 400 with `errors: [{path, reason}]`); errors
 * go through Nest's exception filter like every route's; the 202 is serialised from a compiled
 * response schema. Documented in the OpenAPI document by `reportsOpenApiPath`.
 *
 * Call after registerContentTypes (its onRoute hook must see this route) and before the app
 * starts listening.
 */
export function registerReportsRoute(app: NestFastifyApplication): void {
  const intake = app.get(ReportIntake, { strict: false });
  const sources = app.get(PushSourceService, { strict: false });
  app
    .getHttpAdapter()
    .getInstance()
    .route({
      method: 'POST',
      url: REPORTS_PATH,
      config: routeAccessConfig('ingest'),
      schema: { response: { 202: ACCEPTED_SCHEMA } },
      handler: async (request: AuthenticatedRequest, reply) => {
        // The auth hook passed it; were it ever not installed, no report is taken unchecked.
        if (!request.authChecked)
          throw new UnauthorizedException({
            statusCode: 401,
            error: 'Unauthorized',
            message: 'missing bearer token (Authorization: Bearer <token>)',
          });
        const body = request.body;
        // Too many reports: 413 before any work on them (the claims below walk every one).
        intake.refuseOverCap(body);
        // Native reports are never signed: a service a signing source reserves is refused here.
        await sources.checkClaims(claimedServices(body), {
          binding: request.principal?.services ?? null,
          signedBy: null,
        });
        const accepted = await intake.ingest(body);
        void reply.code(202);
        return { accepted };
      },
    });
}

const ACCEPTED_SCHEMA = {
  type: 'object',
  properties: { accepted: { type: 'integer' } },
} as const;

const REPORTS_BODY_SCHEMA = { oneOf: [reportSchema, { type: 'array', items: reportSchema }] };

/** The route's entry in the OpenAPI document (Nest's document generator sees controllers only). */
export function reportsOpenApiPath(): OpenAPIObject['paths'][string] {
  return {
    post: {
      operationId: 'ReportsController_ingest',
      summary: 'Post health reports (one, a JSON array, or NDJSON); 202 once they are durable',
      tags: ['ingest'],
      security: [{ bearer: [] }],
      parameters: [],
      requestBody: {
        required: true,
        content: {
          [JSON_TYPE]: { schema: REPORTS_BODY_SCHEMA as object },
          [NDJSON_TYPE]: { schema: REPORTS_BODY_SCHEMA as object },
        },
      },
      responses: {
        202: {
          description: 'The reports are durable (in Redis): `accepted` is how many',
          content: { [JSON_TYPE]: { schema: ACCEPTED_SCHEMA } },
        },
        400: {
          description:
            'Invalid input; `errors` lists each bad field as {path, reason}. Nothing is stored.',
        },
        403: {
          description:
            'A report names a service the token is not bound to, or one a signing push source reserves; `errors` names each (`/0/service`). Nothing is stored.',
        },
        413: {
          description:
            'The body is over INGEST_BODY_LIMIT_BYTES, or holds more than INGEST_MAX_REPORTS_PER_REQUEST reports; the message names the limit. Nothing is stored.',
        },
        415: {
          description:
            'The body is not application/json or application/x-ndjson; `errors` lists the types under /content-type.',
        },
      },
    },
  };
}
