export * from './data-source';
export * from './ensure-database';
export * from './persistence.module';
export * from './query-rows';
export * from './transient-failure';
export * from './retention';
export * from './like-pattern';
export * from './service-roles';
