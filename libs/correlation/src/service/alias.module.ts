import { Module } from '@nestjs/common';

import { AliasRepository } from './alias.repository';

/** Aliases alone, for the api (which must not carry an engine). */
@Module({ providers: [AliasRepository], exports: [AliasRepository] })
export class AliasModule {}
