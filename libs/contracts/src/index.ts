export * from './errors';
export * from './events';
export * from './resellers';
export * from './rpc';
export * from './tickets';
export * from './event-schemas';
