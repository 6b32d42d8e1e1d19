export * from './errors';
export * from './events';
export * from './input-rules';
export * from './resellers';
export * from './rpc';
export * from './tickets';
export * from './event-schemas';
