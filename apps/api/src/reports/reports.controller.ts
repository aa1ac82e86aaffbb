import { claimedServices, PushSourceService } from '@faultline/collectors';
import { ReportIntake } from '@faultline/ingest';
import { type AuthenticatedRequest, RequireScope } from '@faultline/platform';
import { reportSchema } from '@faultline/reports';
import {
  Body,
  Controller,
  Headers,
  HttpCode,
  HttpStatus,
  Post,
  Req,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiForbiddenResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
} from '@nestjs/swagger';

import { isTextBodyType } from '../http/content-types';

@ApiTags('ingest')
@ApiBearerAuth()
@Controller('api/v1/reports')
export class ReportsController {
  constructor(
    private readonly intake: ReportIntake,
    private readonly sources: PushSourceService,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireScope('ingest')
  @ApiOperation({
    summary: 'Post health reports (one, a JSON array, or NDJSON); 202 once they are durable',
  })
  @ApiConsumes('application/json', 'application/x-ndjson')
  @ApiBody({ schema: { oneOf: [reportSchema, { type: 'array', items: reportSchema }] } as object })
  @ApiAcceptedResponse({
    schema: { type: 'object', properties: { accepted: { type: 'integer' } } },
  })
  @ApiBadRequestResponse({
    description:
      'Invalid input; `errors` lists each bad field as {path, reason}. Nothing is stored.',
  })
  @ApiForbiddenResponse({
    description:
      'A report names a service the token is not bound to, or one a signing push source reserves; `errors` names each (`/0/service`). Nothing is stored.',
  })
  @ApiPayloadTooLargeResponse({
    description:
      'The body is over INGEST_BODY_LIMIT_BYTES, or holds more than INGEST_MAX_REPORTS_PER_REQUEST reports; the message names the limit. Nothing is stored.',
  })
  async ingest(
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @Req() req: AuthenticatedRequest,
  ): Promise<{ accepted: number }> {
    // Text bodies are parsed for the format push endpoints only (/api/v1/ingest/:format).
    if (isTextBodyType(contentType)) {
      const reason =
        'native reports are application/json or application/x-ndjson; other formats go to /api/v1/ingest/<format>';
      throw new UnsupportedMediaTypeException({
        statusCode: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        error: 'Unsupported Media Type',
        message: reason,
        errors: [{ path: '', reason }],
      });
    }
    // Too many reports: 413 before any work on them (the claims below walk every one).
    this.intake.refuseOverCap(body);
    // Native reports are never signed: a service a signing source reserves is refused here.
    await this.sources.checkClaims(claimedServices(body), {
      binding: req.principal?.services ?? null,
      signedBy: null,
    });
    return { accepted: await this.intake.ingest(body) };
  }
}
