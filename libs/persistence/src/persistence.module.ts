import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { dataSourceOptions, openServiceDatabase, type ServiceDatabaseOptions } from './data-source';

export interface PersistenceModuleOptions {
  imports?: DynamicModule['imports'];
  inject?: any[];
  useFactory: (...args: any[]) => ServiceDatabaseOptions;
}

/** The service's TypeORM connection: database and schema created, migrations run, before anything uses it. */
@Module({})
export class PersistenceModule {
  static forRootAsync(options: PersistenceModuleOptions): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [
        TypeOrmModule.forRootAsync({
          imports: options.imports,
          inject: options.inject,
          useFactory: (...args: unknown[]) => dataSourceOptions(options.useFactory(...args)),
          dataSourceFactory: async (dataSourceOptionsValue) => {
            const typed = dataSourceOptionsValue as ReturnType<typeof dataSourceOptions> & {
              url: string;
              schema: string;
            };
            return openServiceDatabase({
              url: typed.url,
              schema: typed.schema,
              entities: typed.entities ?? [],
              migrations: typed.migrations ?? [],
              poolSize: (typed.extra as { max?: number }).max,
            });
          },
        }),
      ],
    };
  }
}
