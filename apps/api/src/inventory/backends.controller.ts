import { BackendQueryService } from '@faultline/inventory';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';

import { ApiUnknown, ReadRoute } from '../http/route.decorators';
import { BackendDetailDto, BackendPageDto } from './dto/backend.response.dto';
import { ListBackendsQueryDto } from './dto/list-backends.query.dto';

@ApiTags('inventory')
@ReadRoute()
@Controller('api/v1/backends')
export class BackendsController {
  constructor(private readonly backends: BackendQueryService) {}

  @Get()
  @ApiOperation({
    summary:
      'Backends (check targets) by key, with how many instances depend on them and how many of those checks fail',
  })
  @ApiOkResponse({ type: BackendPageDto })
  list(@Query() query: ListBackendsQueryDto): Promise<BackendPageDto> {
    return this.backends.list(query);
  }

  @Get(':key')
  @ApiParam({
    name: 'key',
    description: 'The backend key, URL-encoded',
    example: 'backend%3Aamqp%3A%2F%2Frabbit-1%3A5672',
  })
  @ApiOperation({ summary: 'One backend with every current check on it' })
  @ApiOkResponse({ type: BackendDetailDto })
  @ApiUnknown('backend')
  get(@Param('key') key: string): Promise<BackendDetailDto> {
    return this.backends.get(key);
  }
}
