import { ServiceQueryService } from '@faultline/inventory';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { ReadRoute } from '../http/route.decorators';
import { ListServicesQueryDto } from './dto/list-services.query.dto';
import { ServicePageDto } from './dto/service.response.dto';

@ApiTags('inventory')
@ReadRoute()
@Controller('api/v1/services')
export class ServicesController {
  constructor(private readonly services: ServiceQueryService) {}

  @Get()
  @ApiOperation({
    summary: 'Services by name, with instance counts and their worst current status',
  })
  @ApiOkResponse({ type: ServicePageDto })
  list(@Query() query: ListServicesQueryDto): Promise<ServicePageDto> {
    return this.services.list(query);
  }
}
