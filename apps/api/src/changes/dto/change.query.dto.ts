import { CHANGE_KINDS, type ChangeKind } from '@faultline/changes';
import type { ChangeListQuery } from '@faultline/changes/service';
import { SLUG_ID } from '@faultline/collectors';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';

import { IsQueryText, IsTime, PageQueryDto } from '../../http/page-query.dto';

export class ListChangesQueryDto extends PageQueryDto implements ChangeListQuery {
  @ApiPropertyOptional({
    description: 'An entity key or a service name (normalised as on intake)',
    example: 'service:billing',
  })
  @IsOptional()
  @IsQueryText(2048)
  entity?: string;

  @ApiPropertyOptional({ enum: CHANGE_KINDS })
  @IsOptional()
  @IsIn(CHANGE_KINDS)
  kind?: ChangeKind;

  @ApiPropertyOptional({ format: 'date-time', description: 'Changes started at or after it' })
  @IsOptional()
  @IsTime()
  since?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Changes started before it' })
  @IsOptional()
  @IsTime()
  until?: string;
}

/** `?entity=` of the CDEvents and PagerDuty routes. */
export class ChangeEntityQueryDto {
  @ApiPropertyOptional({
    description:
      'The entity the changes are on (an entity key or a service name), where the document does not say (see the route)',
    example: 'service:billing',
  })
  @IsOptional()
  @IsQueryText(2048)
  entity?: string;
}

/** The GitHub webhook's query: the push source that holds its secret, and the service. */
export class GithubChangeQueryDto {
  @ApiPropertyOptional({
    description:
      "Required: the push source (PUT /api/v1/sources/:id) whose secret is the webhook's",
    example: 'github-billing',
  })
  @IsOptional()
  @Matches(SLUG_ID, { message: 'source must be a push source id' })
  source?: string;

  @ApiPropertyOptional({
    description:
      "The service deployed; default: the push source's service, else the repository's name",
    example: 'billing',
  })
  @IsOptional()
  @IsQueryText(200)
  service?: string;
}
