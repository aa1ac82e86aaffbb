import { SLUG_ID } from '@faultline/collectors';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

import { IsQueryText } from '../../http/page-query.dto';

/** Identity for a pushed document that lacks it (headers X-Faultline-Service, ... do the same). */
export class PushQueryDto {
  @ApiPropertyOptional({ description: 'Service, where the body does not name it' })
  @IsOptional()
  @IsQueryText(200)
  service?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsQueryText(200)
  instance?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsQueryText(200)
  host?: string;

  @ApiPropertyOptional({
    description: 'Labels as k=v pairs separated by commas, e.g. zone=az1,team=core',
  })
  @IsOptional()
  @IsQueryText(2000)
  @Matches(/^[^=,]+=[^=,]*(,[^=,]+=[^=,]*)*$/, {
    message: 'labels must be k=v pairs separated by commas',
  })
  labels?: string;

  @ApiPropertyOptional({
    description: 'A registered push source: its mapping, defaults and signing secret apply',
  })
  @IsOptional()
  @Matches(SLUG_ID, { message: 'source must be a push source id' })
  source?: string;
}
