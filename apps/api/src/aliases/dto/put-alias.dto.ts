import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';

export class PutAliasDto {
  @ApiProperty({
    example: 'amqp://mq-2.internal:5672',
    description: 'A check target URI, or its backend key',
  })
  @IsString()
  @Length(1, 2048)
  target: string;

  @ApiProperty({
    example: 'instance:rabbitmq/rabbit-2',
    description: 'The entity that serves it: an instance:, service: or host: key',
  })
  @IsString()
  @Length(1, 500)
  @Matches(/^(instance:[^/]+\/.+|service:.+|host:.+)$/, {
    message: 'must be an instance:<service>/<instance>, service:<name> or host:<name> key',
  })
  servedBy: string;
}
