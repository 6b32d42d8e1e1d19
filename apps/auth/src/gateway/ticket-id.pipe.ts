import { Injectable } from '@nestjs/common';
import { UuidIdPipe } from '../common/uuid-id.pipe';

@Injectable()
export class TicketIdPipe extends UuidIdPipe {
  constructor() {
    super('ticket');
  }
}
