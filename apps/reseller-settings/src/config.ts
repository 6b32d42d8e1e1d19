import { commonEnvSchema, loadEnv } from '@pbx2fa/config';

const resellerSettingsEnvSchema = commonEnvSchema(3002);
export type ResellerSettingsConfig = ReturnType<typeof loadResellerSettingsConfig>;

export function loadResellerSettingsConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadEnv(resellerSettingsEnvSchema, env);
}
