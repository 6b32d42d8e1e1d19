import { Injectable, type PipeTransform } from '@nestjs/common';
import { DomainError, ErrorCodes } from '@pbx2fa/contracts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

@Injectable()
export class PasskeyIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!UUID.test(value))
      throw new DomainError(400, ErrorCodes.InvalidId, `"${value.slice(0, 60)}" is not a passkey id.`);
    return value.toLowerCase();
  }
}
