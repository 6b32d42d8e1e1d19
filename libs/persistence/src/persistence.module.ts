import { DynamicModule, Module, type FactoryProvider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { dataSourceOptions, openServiceDatabase, type ServiceDatabaseOptions } from './data-source';

export interface PersistenceModuleOptions extends Pick<
  FactoryProvider<ServiceDatabaseOptions>,
  'inject' | 'useFactory'
> {
  imports?: DynamicModule['imports'];
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
          useFactory: async (...args: unknown[]) => dataSourceOptions(await options.useFactory(...args)),
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
