import { RequireScope, TokenService, type TokenView } from '@faultline/platform';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';

import { CreateTokenDto } from './dto/create-token.dto';

@ApiTags('admin')
@ApiBearerAuth()
@RequireScope('admin')
@Controller('api/v1/tokens')
export class TokensController {
  constructor(private readonly tokens: TokenService) {}

  @Post()
  @ApiOperation({
    summary: 'Create a token; the token itself is returned once and stored only as a hash',
    description:
      '`services` binds it to services (names or `prefix-*`): it may then report only for those, ' +
      'any other answers 403 naming the service and stores nothing.',
  })
  create(@Body() dto: CreateTokenDto): Promise<TokenView & { token: string }> {
    return this.tokens.create(dto.name, dto.scopes, dto.services ?? null);
  }

  @Get()
  @ApiOperation({ summary: 'List tokens (never their secret)' })
  async list(): Promise<{ items: TokenView[] }> {
    return { items: await this.tokens.list() };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a token' })
  async revoke(@Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.tokens.revoke(id);
  }
}
