import { commonEnvSchema, loadEnv } from '@pbx2fa/config';

const ticketsEnvSchema = commonEnvSchema(3001);
export type TicketsConfig = ReturnType<typeof loadTicketsConfig>;

export function loadTicketsConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadEnv(ticketsEnvSchema, env);
}
