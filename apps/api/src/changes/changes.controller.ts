import { CHANGE_LIMITS, changeSchema, type ChangeView } from '@faultline/changes';
import { ChangeIntake, ChangeQueryService, type ChangesAccepted } from '@faultline/changes/service';
import { type AuthenticatedRequest, type Page, RequireScope } from '@faultline/platform';
import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';

import { CLOUDEVENTS_TYPES, JSON_TYPE, type RawBodyRequest } from '../http/content-types';
import { ApiUnknown, ReadRoute } from '../http/route.decorators';
import {
  ChangeEntityQueryDto,
  GithubChangeQueryDto,
  ListChangesQueryDto,
} from './dto/change.query.dto';
import { ChangeDto, ChangePageDto, ChangesAcceptedDto } from './dto/change.response.dto';

const CHANGES_BODY_SCHEMA = {
  oneOf: [changeSchema, { type: 'array', maxItems: CHANGE_LIMITS.perRequest, items: changeSchema }],
};
const PAGERDUTY_BODY_SCHEMA = {
  type: 'object',
  required: ['payload'],
  properties: {
    routing_key: { type: 'string', description: 'Accepted and ignored (never stored)' },
    payload: {
      type: 'object',
      required: ['summary'],
      properties: {
        summary: { type: 'string' },
        timestamp: { type: 'string', example: '2020-07-17T08:42:58.315+0000' },
        source: { type: 'string' },
        custom_details: {
          type: 'object',
          description:
            'entity, service, kind, status, version (or revision) are read; other scalars become labels',
        },
      },
    },
    links: {
      type: 'array',
      items: { type: 'object', properties: { href: { type: 'string' }, text: { type: 'string' } } },
    },
  },
};
const REFUSED_400 =
  'Invalid input; `errors` names each bad field as {path, reason} (JSON pointers into the body). Nothing is stored.';
const REFUSED_403 =
  'The token is bound to services and a change is on another entity (a backend, host or zone needs an unbound token); `errors` names each (`/0/entity`). Nothing is stored.';
const REFUSED_409 =
  'An id is already that of a change on another entity or of another kind; `errors` names it. Nothing is stored.';
const ACCEPTED =
  '{accepted, ids}: stored in Postgres and handed to correlation; a change posted again with its id is updated';

@ApiTags('changes')
@ApiBearerAuth()
@Controller('api/v1/changes')
export class ChangesController {
  constructor(
    private readonly intake: ChangeIntake,
    private readonly query: ChangeQueryService,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireScope('ingest')
  @ApiOperation({
    summary: 'Record changes (deploys, config pushes, scale-downs, …): one object or an array',
    description:
      '`entity` is an entity key (service:, instance:<service>/<instance>, backend:<target>, host:, zone:) or a service name; ' +
      'backend targets are normalised as report targets are. Times RFC 3339, within the retention window ' +
      '(TRANSITION_RETENTION_DAYS) and at most 60 s ahead. Without an id, the id is derived from entity, kind, ' +
      'startedAt and version. A post with a known id updates the change: status (a later `started` never ' +
      'replaces succeeded, failed or rolled-back), finishedAt, summary, and links, labels, source and version ' +
      'when given; startedAt keeps the earliest; entity and kind never change. All or nothing.',
  })
  @ApiBody({ schema: CHANGES_BODY_SCHEMA as object })
  @ApiAcceptedResponse({ type: ChangesAcceptedDto, description: ACCEPTED })
  @ApiBadRequestResponse({ description: REFUSED_400 })
  @ApiForbiddenResponse({ description: REFUSED_403 })
  @ApiConflictResponse({ description: REFUSED_409 })
  post(@Body() body: unknown, @Req() req: AuthenticatedRequest): Promise<ChangesAccepted> {
    return this.intake.post(body, req.principal?.services ?? null);
  }

  @Post('cdevents')
  @HttpCode(202)
  @RequireScope('ingest')
  @ApiOperation({
    summary:
      'Record changes from CDEvents (service deployed, upgraded, rolledback, removed; environment modified)',
    description:
      'A CDEvent as the body (CloudEvents HTTP binary mode), a CloudEvent carrying one as its data (structured mode, ' +
      'application/cloudevents+json), or an array of either. service.deployed and .upgraded are deploys (succeeded), ' +
      '.rolledback a deploy rolled back, .removed a scale change, environment.modified a config change. The entity is ' +
      '?entity=, else service:<last segment of subject.id> (environments: zone:<name>). The id is cdevents:<context.id>. ' +
      'Other CDEvents are answered 202 and listed in `ignored`.',
  })
  @ApiConsumes(JSON_TYPE, ...CLOUDEVENTS_TYPES)
  @ApiBody({
    description:
      'A CDEvent ({context, subject}), a CloudEvent whose data is one ({specversion, type, source, id, data}), or an array of either',
    schema: { oneOf: [{ type: 'object' }, { type: 'array', items: { type: 'object' } }] },
  })
  @ApiAcceptedResponse({ type: ChangesAcceptedDto, description: ACCEPTED })
  @ApiBadRequestResponse({ description: REFUSED_400 })
  @ApiForbiddenResponse({ description: REFUSED_403 })
  @ApiConflictResponse({ description: REFUSED_409 })
  cdevents(
    @Body() body: unknown,
    @Query() query: ChangeEntityQueryDto,
    @Req() req: AuthenticatedRequest,
  ): Promise<ChangesAccepted> {
    return this.intake.postCdevents(body, query, req.principal?.services ?? null);
  }

  @Post('pagerduty')
  @HttpCode(202)
  @RequireScope('ingest')
  @ApiOperation({
    summary:
      'Record a change from a PagerDuty change event (the body PagerDuty’s /v2/change/enqueue takes)',
    description:
      'The entity is payload.custom_details.entity (an entity key or service name), else custom_details.service, ' +
      'else ?entity=, else payload.source as a service name. custom_details.kind and .status when they are ' +
      "Faultline's (default other, succeeded), .version or .revision the version, other scalar details labels; " +
      'the time payload.timestamp, else now. The routing key is not stored.',
  })
  @ApiBody({ schema: PAGERDUTY_BODY_SCHEMA as object })
  @ApiAcceptedResponse({ type: ChangesAcceptedDto, description: ACCEPTED })
  @ApiBadRequestResponse({ description: REFUSED_400 })
  @ApiForbiddenResponse({ description: REFUSED_403 })
  @ApiConflictResponse({ description: REFUSED_409 })
  pagerduty(
    @Body() body: unknown,
    @Query() query: ChangeEntityQueryDto,
    @Req() req: AuthenticatedRequest,
  ): Promise<ChangesAccepted> {
    return this.intake.postPagerduty(body, query, req.principal?.services ?? null);
  }

  @Post('github')
  @HttpCode(202)
  @RequireScope('ingest')
  @ApiOperation({
    summary:
      'Record deploys from GitHub’s deployment_status webhook, signed with a push source’s secret',
    description:
      'Point the webhook (content type application/json, event "Deployment statuses") at ' +
      '/api/v1/changes/github?source=<push source id> with the source’s secret as the webhook secret; ' +
      'X-Hub-Signature-256 is checked before the body is read. One change per deployment ' +
      '(github:<owner>/<repo>/deployments/<id>): pending, queued, waiting, in_progress → started; success → ' +
      'succeeded; failure, error → failed; inactive and other events (ping) are answered 202 and listed in `ignored`. ' +
      "The entity is service:<?service=, else the source's service, else the repository name>.",
  })
  @ApiBody({
    description: 'The webhook delivery as GitHub sends it (X-GitHub-Event: deployment_status)',
    schema: { type: 'object' },
  })
  @ApiAcceptedResponse({ type: ChangesAcceptedDto, description: ACCEPTED })
  @ApiBadRequestResponse({ description: `${REFUSED_400} Also: no ?source=.` })
  @ApiUnauthorizedResponse({
    description:
      'X-Hub-Signature-256 missing or wrong, or the push source has no secret; `errors` names the header',
  })
  @ApiForbiddenResponse({ description: REFUSED_403 })
  @ApiConflictResponse({ description: REFUSED_409 })
  @ApiUnknown('push source')
  github(
    @Body() body: unknown,
    @Query() query: GithubChangeQueryDto,
    @Req() req: RawBodyRequest & AuthenticatedRequest,
    @Headers() headers: Record<string, string | undefined>,
  ): Promise<ChangesAccepted> {
    return this.intake.postGithub(
      {
        event: headers['x-github-event'],
        signature: headers['x-hub-signature-256'],
        rawBody: req.rawBody ?? '',
        body,
        sourceId: query.source,
        service: query.service,
      },
      req.principal?.services ?? null,
    );
  }

  @Get()
  @ReadRoute()
  @ApiOperation({
    summary: 'Changes, newest started first; filters entity, kind, since, until',
  })
  @ApiOkResponse({ type: ChangePageDto })
  list(@Query() query: ListChangesQueryDto): Promise<Page<ChangeView>> {
    return this.query.list(query);
  }

  @Get(':id')
  @ReadRoute()
  @ApiParam({ name: 'id', description: 'Change id, URL-encoded' })
  @ApiOperation({ summary: 'One change' })
  @ApiOkResponse({ type: ChangeDto })
  @ApiUnknown('change')
  get(@Param('id') id: string): Promise<ChangeView> {
    return this.query.get(id);
  }
}
