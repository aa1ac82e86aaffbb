import type { PageQuery } from '@faultline/inventory';
import { DEFAULT_PAGE_LIMIT, isRfc3339, MAX_PAGE_LIMIT } from '@faultline/platform';
import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
} from 'class-validator';

/** limit and cursor, shared by every list. */
export class PageQueryDto implements PageQuery {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_PAGE_LIMIT,
    default: DEFAULT_PAGE_LIMIT,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque: the nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  cursor?: string;
}

/** A query-string boolean: `true` or `false` only; anything else stays a string and fails, naming the field. */
export const IsQueryBoolean = () =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      value === 'true' ? true : value === 'false' ? false : value,
    ),
    IsBoolean({ message: '$property must be true or false' }),
  );

/** A query-string filter: 1..max characters without control characters (no name has one; Postgres refuses NUL). */
export const IsQueryText = (max: number) =>
  applyDecorators(
    IsString(),
    Length(1, max),
    // eslint-disable-next-line no-control-regex -- refusing control characters is the point
    Matches(/^[^\u0000-\u001f]*$/, { message: '$property must not contain control characters' }),
  );

/** An RFC 3339 time the calendar holds (class-validator's IsRFC3339 takes 30 February). */
export const IsTime = () =>
  ValidateBy({
    name: 'isRfc3339Time',
    validator: {
      validate: isRfc3339,
      defaultMessage: () => '$property must be an RFC 3339 time, such as 2026-11-25T10:00:00Z',
    },
  });
