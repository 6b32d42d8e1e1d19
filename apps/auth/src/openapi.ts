import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { INTROSPECTION_SECRET_HEADER } from './sessions/introspection.controller';

/** Serves the OpenAPI UI at /docs and the document at /docs-json (no external assets). */
export function setUpOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('pbx2fa gateway')
    .setDescription(
      'Two-factor authentication for the hosted-PBX reseller dashboard. Every error is ' +
        '`{ statusCode, error, message }`; `error` is a stable code, `message` a sentence for a person. ' +
        'An `enrollmentToken` (from `POST /auth/login` when the account must set up a second factor first) is good only for ' +
        '`POST /auth/2fa/setup`, `POST /auth/2fa/activate`, `POST /auth/passkeys/registration-options`, `POST /auth/passkeys` and `POST /auth/logout`; ' +
        'every other authenticated route answers it 403 `enrollment_required`. Passkeys (WebAuthn): options and responses travel in the JSON form ' +
        "of @simplewebauthn/browser's startRegistration / startAuthentication; relying party WEBAUTHN_RP_ID, origins WEBAUTHN_ORIGINS.",
    )
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: INTROSPECTION_SECRET_HEADER }, 'introspection-secret')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', customSiteTitle: 'pbx2fa gateway API' });
}
