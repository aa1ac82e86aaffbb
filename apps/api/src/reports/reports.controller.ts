import { ReportIntake } from '@faultline/ingest';
import { RequireScope } from '@faultline/platform';
import { reportSchema } from '@faultline/reports';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';

@ApiTags('ingest')
@ApiBearerAuth()
@Controller('api/v1/reports')
export class ReportsController {
  constructor(private readonly intake: ReportIntake) {}

  @Post()
  @HttpCode(202)
  @RequireScope('ingest')
  @ApiOperation({ summary: 'Post health reports (one, a JSON array, or NDJSON); 202 once they are durable' })
  @ApiConsumes('application/json', 'application/x-ndjson')
  @ApiBody({ schema: { oneOf: [reportSchema, { type: 'array', items: reportSchema }] } as object })
  @ApiAcceptedResponse({ schema: { type: 'object', properties: { accepted: { type: 'integer' } } } })
  @ApiBadRequestResponse({ description: 'Invalid input; `errors` lists each bad field as {path, reason}. Nothing is stored.' })
  async ingest(@Body() body: unknown): Promise<{ accepted: number }> {
    return { accepted: await this.intake.ingest(body) };
  }
}
