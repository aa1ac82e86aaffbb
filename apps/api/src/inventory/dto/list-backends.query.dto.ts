import type { BackendListQuery } from '@faultline/inventory';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

import { IsQueryBoolean, IsQueryText, PageQueryDto } from '../../http/page-query.dto';

export class ListBackendsQueryDto extends PageQueryDto implements BackendListQuery {
  @ApiPropertyOptional({
    type: Boolean,
    description: 'true: only backends with a failing check on them; false: only those without',
  })
  @IsOptional()
  @IsQueryBoolean()
  failing?: boolean;

  @ApiPropertyOptional({ description: 'Substring (or prefix) of the key, case-insensitive' })
  @IsOptional()
  @IsQueryText(500)
  q?: string;

  @ApiPropertyOptional({ example: 'amqp' })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9+.-]{0,31}$/i, { message: '$property must be a URI scheme such as amqp' })
  scheme?: string;
}
