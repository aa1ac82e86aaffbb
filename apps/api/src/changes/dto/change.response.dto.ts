import type { ChangeLink, ChangeView } from '@faultline/changes';
import type { ChangeRelation, ChangesAccepted, RelatedChange } from '@faultline/changes/service';
import type { Page } from '@faultline/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { ChangeRefDto } from '../../incidents/dto/incident.response.dto';

export class ChangeLinkDto implements ChangeLink {
  @ApiProperty({ example: 'https://ci.example.org/runs/4411' })
  href: string;

  @ApiProperty({ type: String, nullable: true, example: 'CI run 4411' })
  text: string | null;
}

/** A change as listed: the fields an incident shows of it (ChangeRefDto), and the rest. */
export class ChangeDto extends ChangeRefDto implements ChangeView {
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt: string | null;

  @ApiProperty({ type: [ChangeLinkDto] })
  links: ChangeLinkDto[];

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: {} })
  labels: Record<string, string>;

  @ApiProperty({ format: 'date-time', description: 'When Faultline first received it (wall time)' })
  receivedAt: string;

  @ApiProperty({ format: 'date-time', description: 'When a post last updated it (wall time)' })
  updatedAt: string;
}

export class ChangePageDto implements Page<ChangeView> {
  @ApiProperty({ type: [ChangeDto] })
  items: ChangeDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page' })
  nextCursor: string | null;
}

const RELATIONS: ChangeRelation[] = ['self', 'dependency', 'dependent'];

export class RelatedChangeDto extends ChangeDto implements RelatedChange {
  @ApiProperty({
    enum: RELATIONS,
    description:
      'self: on the entity asked about; dependency: on something it depends on; dependent: on something that depends on it',
  })
  relation: ChangeRelation;
}

export class FieldErrorDto {
  @ApiProperty({ example: '/context/type' })
  path: string;

  @ApiProperty()
  reason: string;
}

export class ChangesAcceptedDto implements ChangesAccepted {
  @ApiProperty({ description: 'Changes stored (a body naming one id twice holds one change)' })
  accepted: number;

  @ApiProperty({ type: [String], description: 'Their ids, new and updated' })
  ids: string[];

  @ApiPropertyOptional({
    type: [FieldErrorDto],
    description:
      'Adapters: the parts of the document that are no change Faultline records (another event type, a ping), not refused',
  })
  ignored?: FieldErrorDto[];
}
