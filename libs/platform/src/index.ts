export * from './error-body.filter';
export * from './validation.pipe';
export * from './health.module';
export * from './json-object-only.middleware';
export * from './run-service';
export * from './service-foundation.module';
export * from './logging';
export * from './public.decorator';
