import { commonEnvSchema, loadEnv } from '@pbx2fa/config';

export const ticketsEnvSchema = commonEnvSchema(3001);
export type TicketsConfig = ReturnType<typeof loadTicketsConfig>;
export const TICKETS_CONFIG = Symbol('TICKETS_CONFIG');

export function loadTicketsConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadEnv(ticketsEnvSchema, env);
}
