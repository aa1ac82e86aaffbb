import { type Scope, SCOPES, SERVICE_PATTERN } from '@faultline/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
} from 'class-validator';

export class CreateTokenDto {
  @ApiProperty({ example: 'ci-ingest' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ enum: SCOPES, isArray: true, example: ['ingest'] })
  @IsArray()
  @ArrayMinSize(1)
  @IsIn(SCOPES, { each: true })
  scopes: Scope[];

  @ApiPropertyOptional({
    description:
      'Bind the token to services: it may report (POST /api/v1/reports, /api/v1/ingest/:format) only for these, ' +
      'each a service name or a prefix ending in * (billing-*). Omitted: any service.',
    isArray: true,
    type: String,
    example: ['billing-*'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Matches(SERVICE_PATTERN, {
    each: true,
    message:
      'each of services must be a service name or a prefix ending in * (no "/", at most 200 characters)',
  })
  services?: string[];
}
