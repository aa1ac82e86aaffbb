import { type DynamicModule, Global, Inject, Module } from '@nestjs/common';

import type { FaultlineConfig } from './config.schema';

export const CONFIG = Symbol('FaultlineConfig');

/** Injects the validated configuration. */
export const InjectConfig = (): ParameterDecorator => Inject(CONFIG);

/** Makes the configuration, parsed once by the entry point, available everywhere. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: FaultlineConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: CONFIG, useValue: config }],
      exports: [CONFIG],
    };
  }
}
