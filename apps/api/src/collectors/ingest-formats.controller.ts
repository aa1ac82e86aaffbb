import { PushIntake, type PushResult, SIGNATURE_HEADER } from '@faultline/collectors';
import { FORMAT_NAMES, type FormatName } from '@faultline/formats';
import { type AuthenticatedRequest, InvalidInputError, RequireScope } from '@faultline/platform';
import { Body, Controller, Headers, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConsumes,
  ApiForbiddenResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';

import type { RawBodyRequest } from '../http/content-types';
import { PushQueryDto } from './dto/push-query.dto';

const FORMATS: readonly (FormatName | 'auto')[] = ['auto', ...FORMAT_NAMES];

@ApiTags('ingest')
@ApiBearerAuth()
@Controller('api/v1/ingest')
export class IngestFormatsController {
  constructor(private readonly push: PushIntake) {}

  @Post(':format')
  @HttpCode(202)
  @RequireScope('ingest')
  @ApiOperation({
    summary:
      'Push a health document in a format services already speak (oslo, health+json, actuator, terminus, aspnet, alertmanager, or auto)',
    description:
      'Identity the body lacks comes from ?service=&instance=&host=&labels=k=v,... or the X-Faultline-Service/-Instance/-Host/-Labels headers; ' +
      '?source=<id> applies a registered push source (component mapping, defaults, and a required X-Faultline-Signature when it has a secret). ' +
      "Components are resolved with the fleet-wide mapping (/api/v1/mappings) overridden by the source's own. " +
      'Answers 202 once the reports are durable, with the components it could not identify. ' +
      'Partly valid documents are not refused whole (Alertmanager drops a whole group on a 4xx): what is valid is stored and ' +
      'answered 202, and each part that could not be read or stored (an alert without a service label, a report the intake refuses) ' +
      'is listed in `refused` as {path, reason}, path a JSON pointer into the body. 400 only when nothing in the document is valid.',
  })
  @ApiParam({ name: 'format', enum: FORMATS })
  @ApiConsumes('application/json', 'text/plain', 'application/health+json')
  @ApiAcceptedResponse({
    description:
      '{accepted, format, unresolved: [{service, component, target}], refused: [{path, reason}]} — refused is empty when everything was stored',
  })
  @ApiBadRequestResponse({
    description:
      'Not a document of the format, or nothing in it valid; `errors` names each place. Nothing is stored.',
  })
  @ApiUnauthorizedResponse({
    description:
      'The source signs its requests and the signature is missing, stale (over 5 minutes old or 60 s ahead), replayed or wrong',
  })
  @ApiForbiddenResponse({
    description:
      'A report names a service the token is not bound to, or one a signing source reserves without its signature; `errors` names each. Nothing is stored.',
  })
  async ingest(
    @Param('format') format: string,
    @Query() query: PushQueryDto,
    @Body() body: unknown,
    @Req() req: RawBodyRequest & AuthenticatedRequest,
    @Headers() headers: Record<string, string | undefined>,
  ): Promise<PushResult> {
    if (!FORMATS.includes(format as FormatName))
      throw new InvalidInputError(
        [{ path: '/format', reason: `must be one of ${FORMATS.join(', ')}` }],
        'unknown format',
      );
    const text =
      req.rawBody ??
      (typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body));
    const labels = query.labels ?? headers['x-faultline-labels'];
    return this.push.push({
      format: format as FormatName | 'auto',
      doc: {
        body: text,
        ...(headers['content-type'] ? { contentType: headers['content-type'] } : {}),
      },
      identity: {
        service: query.service ?? headers['x-faultline-service'],
        instance: query.instance ?? headers['x-faultline-instance'],
        host: query.host ?? headers['x-faultline-host'],
        ...(labels ? { labels: parseLabels(labels) } : {}),
      },
      sourceId: query.source ?? null,
      signature: headers[SIGNATURE_HEADER],
      http: { method: req.method, url: req.url, headers: req.headers },
      binding: req.principal?.services ?? null,
    });
  }
}

/** `zone=az1,team=core` → {zone: 'az1', team: 'core'} (the query DTO checked the shape; headers are checked here). */
function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw new InvalidInputError([
        { path: '/labels', reason: 'must be k=v pairs separated by commas' },
      ]);
    labels[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return labels;
}
