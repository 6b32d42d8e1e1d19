import { Injectable } from '@nestjs/common';
import { UuidIdPipe } from '../common/uuid-id.pipe';

@Injectable()
export class PasskeyIdPipe extends UuidIdPipe {
  constructor() {
    super('passkey');
  }
}
