// First: sizes libuv's thread pool before anything uses it (the argon2 hashes run there).
import './common/thread-pool';
import { Logger } from '@nestjs/common';
import { jsonObjectOnly, runService, strictValidationPipe } from '@pbx2fa/platform';
import { AppModule } from './app.module';
import { protectForBrowsers } from './common/browser-protection';
import { loadAuthConfig } from './config';
import { setUpOpenApi } from './openapi';
import { limitSignInsPerAddress } from './sign-in-limits/sign-in-limit.middleware';
import { SignInRateLimit } from './sign-in-limits/sign-in-rate-limit';

runService({
  loadConfig: loadAuthConfig,
  appModule: (config) => AppModule.register(config),
  rpc: false,
  configure: (app, config) => {
    const logger = new Logger('Auth');
    if (config.usingDevelopmentSecrets.jwt)
      logger.warn('JWT_SECRET is not set: using the DEVELOPMENT signing key. Never do this in production.');
    if (config.usingDevelopmentSecrets.totp) {
      logger.warn('TOTP_ENCRYPTION_KEY is not set: using the DEVELOPMENT encryption key. Never do this in production.');
    }
    app.set('trust proxy', config.TRUST_PROXY);
    protectForBrowsers(app, config.corsOrigins);
    app.use(limitSignInsPerAddress(app.get(SignInRateLimit)));
    app.useBodyParser('json', { limit: config.BODY_LIMIT, strict: false });
    app.use(jsonObjectOnly);
    app.useGlobalPipes(strictValidationPipe());
    setUpOpenApi(app);
  },
});
