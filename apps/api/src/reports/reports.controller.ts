import { ReportIntake } from '@faultline/ingest';
import { RequireScope } from '@faultline/platform';
import { reportSchema } from '@faultline/reports';
import {
  Body,
  Controller,
  Headers,
  HttpCode,
  HttpStatus,
  Post,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';

import { isTextBodyType } from '../http/content-types';

@ApiTags('ingest')
@ApiBearerAuth()
@Controller('api/v1/reports')
export class ReportsController {
  constructor(private readonly intake: ReportIntake) {}

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
  async ingest(
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
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
    return { accepted: await this.intake.ingest(body) };
  }
}
