import { commonEnvSchema, loadEnv } from '@pbx2fa/config';

export const resellerSettingsEnvSchema = commonEnvSchema(3002);
export type ResellerSettingsConfig = ReturnType<typeof loadResellerSettingsConfig>;
export const RESELLER_SETTINGS_CONFIG = Symbol('RESELLER_SETTINGS_CONFIG');

export function loadResellerSettingsConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadEnv(resellerSettingsEnvSchema, env);
}
