import { type Alias, AliasRepository } from '@faultline/correlation/service';
import { InvalidInputError, JobName, JobProducer, RequireScope } from '@faultline/platform';
import { InvalidTargetError, parseTarget } from '@faultline/reports';
import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';

import { PutAliasDto } from './dto/put-alias.dto';

@ApiTags('topology')
@ApiBearerAuth()
@Controller('api/v1/aliases')
export class AliasesController {
  constructor(
    private readonly aliases: AliasRepository,
    private readonly producer: JobProducer,
  ) {}

  @Put()
  @RequireScope('admin')
  @ApiOperation({
    summary:
      'Declare what serves a check target, e.g. amqp://mq-2.internal:5672 is served by instance:rabbitmq/rabbit-2',
  })
  async put(@Body() dto: PutAliasDto): Promise<Alias> {
    let targetKey: string;
    try {
      targetKey = dto.target.startsWith('backend:')
        ? parseTarget(dto.target.slice(8)).key
        : parseTarget(dto.target).key;
    } catch (e) {
      if (e instanceof InvalidTargetError)
        throw new InvalidInputError([{ path: '/target', reason: e.message }]);
      throw e;
    }
    const alias = { targetKey, servedBy: dto.servedBy };
    await this.aliases.upsert([alias]);
    // The correlation leader learns it in order with the reports; a rebuilt engine reads the table.
    await this.producer.add(JobName.Correlate, { reports: [], aliases: [alias] });
    return alias;
  }

  @Get()
  @RequireScope('read')
  @ApiOperation({ summary: 'List the declared aliases' })
  async list(): Promise<{ items: Alias[] }> {
    return { items: await this.aliases.list() };
  }
}
