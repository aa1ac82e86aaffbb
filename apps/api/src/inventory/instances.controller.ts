import { InstanceQueryService } from '@faultline/inventory';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';

import { ApiUnknown, ReadRoute } from '../http/route.decorators';
import { HistoryQueryDto, TransitionsQueryDto } from './dto/history.query.dto';
import {
  InstanceDetailDto,
  InstancePageDto,
  ReportPageDto,
  TransitionPageDto,
} from './dto/instance.response.dto';
import { ListInstancesQueryDto } from './dto/list-instances.query.dto';

const SERVICE = ApiParam({ name: 'service', description: 'Service name' });
const INSTANCE = ApiParam({
  name: 'instance',
  description: 'Instance name, URL-encoded (a "/" in it as %2F)',
});

@ApiTags('inventory')
@ReadRoute()
@Controller('api/v1/instances')
export class InstancesController {
  constructor(private readonly instances: InstanceQueryService) {}

  @Get()
  @ApiOperation({
    summary: 'Instances by service and name, with their current status and staleness (event time)',
  })
  @ApiOkResponse({ type: InstancePageDto })
  list(@Query() query: ListInstancesQueryDto): Promise<InstancePageDto> {
    return this.instances.list(query);
  }

  @Get(':service/:instance')
  @SERVICE
  @INSTANCE
  @ApiOperation({ summary: 'One instance with its current checks' })
  @ApiOkResponse({ type: InstanceDetailDto })
  @ApiUnknown('instance')
  get(
    @Param('service') service: string,
    @Param('instance') instance: string,
  ): Promise<InstanceDetailDto> {
    return this.instances.get(service, instance);
  }

  @Get(':service/:instance/reports')
  @SERVICE
  @INSTANCE
  @ApiOperation({ summary: 'Its raw reports, newest first (observedAt within [since, until))' })
  @ApiOkResponse({ type: ReportPageDto })
  @ApiUnknown('instance')
  reports(
    @Param('service') service: string,
    @Param('instance') instance: string,
    @Query() query: HistoryQueryDto,
  ): Promise<ReportPageDto> {
    return this.instances.reports(service, instance, query);
  }

  @Get(':service/:instance/transitions')
  @SERVICE
  @INSTANCE
  @ApiOperation({
    summary: 'Its check status changes, newest first (observedAt within [since, until))',
  })
  @ApiOkResponse({ type: TransitionPageDto })
  @ApiUnknown('instance')
  transitions(
    @Param('service') service: string,
    @Param('instance') instance: string,
    @Query() query: TransitionsQueryDto,
  ): Promise<TransitionPageDto> {
    return this.instances.transitions(service, instance, query);
  }
}
