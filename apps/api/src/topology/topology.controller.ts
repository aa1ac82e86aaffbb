import { ChangeQueryService } from '@faultline/changes/service';
import { TopologySnapshotService } from '@faultline/topology/service';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';

import { ApiUnknown, ReadRoute } from '../http/route.decorators';
import { GraphQueryDto } from './dto/graph.query.dto';
import { GraphDto, ImpactDto } from './dto/graph.response.dto';
import { ImpactQueryDto } from './dto/impact.query.dto';

@ApiTags('topology')
@ReadRoute()
@Controller('api/v1')
export class TopologyController {
  constructor(
    private readonly topology: TopologySnapshotService,
    private readonly changes: ChangeQueryService,
  ) {}

  @Get('graph')
  @ApiOperation({
    summary:
      'The dependency graph with each node’s current status, in graphology’s serialisation format; optionally only around one entity. The whole graph holds at most GRAPH_MAX_NODES nodes (`truncated: true` beyond)',
  })
  @ApiOkResponse({ type: GraphDto })
  @ApiUnknown('entity (around)')
  graph(@Query() query: GraphQueryDto): Promise<GraphDto> {
    return this.topology.graph(query.around, query.depth) as unknown as Promise<GraphDto>;
  }

  @Get('entities/:key/impact')
  @ApiParam({
    name: 'key',
    description: 'An entity key, URL-encoded',
    example: 'backend%3Aamqp%3A%2F%2Frabbit-1%3A5672',
  })
  @ApiOperation({
    summary:
      'What depends on an entity, directly and transitively, and the recent changes on it, on what it depends on and on what depends on it',
  })
  @ApiOkResponse({ type: ImpactDto })
  @ApiUnknown('entity')
  async impact(@Param('key') key: string, @Query() query: ImpactQueryDto): Promise<ImpactDto> {
    const { impact, dependencies, eventTime } = await this.topology.relatives(key);
    const changes = await this.changes.around(
      { key, dependencies, dependents: impact.transitive },
      { since: query.since, eventTime },
    );
    return { ...impact, changes };
  }
}
