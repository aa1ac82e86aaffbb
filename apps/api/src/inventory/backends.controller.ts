import { BackendQueryService } from '@faultline/inventory';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';

import { PageQueryDto } from '../http/page-query.dto';
import { ApiUnknown, ReadRoute } from '../http/route.decorators';
import { BackendDetailDto, BackendPageDto, DependentPageDto } from './dto/backend.response.dto';
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
  @ApiOperation({
    summary:
      'One backend with its counts and the first page of the current checks on it (limit, cursor: as the dependents route)',
  })
  @ApiOkResponse({ type: BackendDetailDto })
  @ApiUnknown('backend')
  get(@Param('key') key: string, @Query() page: PageQueryDto): Promise<BackendDetailDto> {
    return this.backends.get(key, page);
  }

  @Get(':key/dependents')
  @ApiParam({
    name: 'key',
    description: 'The backend key, URL-encoded',
    example: 'backend%3Aamqp%3A%2F%2Frabbit-1%3A5672',
  })
  @ApiOperation({
    summary: 'The current checks on a backend, by service, instance and check, a page at a time',
  })
  @ApiOkResponse({ type: DependentPageDto })
  @ApiUnknown('backend')
  dependents(@Param('key') key: string, @Query() page: PageQueryDto): Promise<DependentPageDto> {
    return this.backends.dependents(key, page);
  }
}
