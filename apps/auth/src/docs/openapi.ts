import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { INTROSPECTION_SECRET_HEADER } from '../sessions/introspection.controller';

/** Serves the OpenAPI UI at /docs and the document at /docs-json (no external assets). */
export function setUpOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('pbx2fa gateway')
    .setDescription(
      'Two-factor authentication for the hosted-PBX reseller dashboard. Every error is ' +
        '`{ statusCode, error, message }`; `error` is a stable code, `message` a sentence for a person.',
    )
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: INTROSPECTION_SECRET_HEADER }, 'introspection-secret')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', customSiteTitle: 'pbx2fa gateway API' });
}
