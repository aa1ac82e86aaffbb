import { IncidentQueryService } from '@faultline/incidents';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';

import { ApiUnknown, ReadRoute } from '../http/route.decorators';
import { IncidentDetailDto, IncidentPageDto } from './dto/incident.response.dto';
import { ListIncidentsQueryDto } from './dto/list-incidents.query.dto';

@ApiTags('incidents')
@ReadRoute()
@Controller('api/v1/incidents')
export class IncidentsController {
  constructor(private readonly incidents: IncidentQueryService) {}

  @Get()
  @ApiOperation({
    summary: 'Incidents, newest opened first, with their ranked root causes and what they affected',
  })
  @ApiOkResponse({ type: IncidentPageDto })
  list(@Query() query: ListIncidentsQueryDto): Promise<IncidentPageDto> {
    return this.incidents.list(query);
  }

  @Get(':id')
  @ApiParam({ name: 'id', description: 'Incident id' })
  @ApiOperation({ summary: 'One incident with its affected instances and timeline' })
  @ApiOkResponse({ type: IncidentDetailDto })
  @ApiUnknown('incident')
  get(@Param('id') id: string): Promise<IncidentDetailDto> {
    return this.incidents.get(id);
  }
}
