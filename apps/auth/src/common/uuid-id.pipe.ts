import type { PipeTransform } from '@nestjs/common';
import { DomainError, ErrorCodes } from '@pbx2fa/contracts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** A route's `:id` that must be a UUID: anything else is 400 invalid_id, naming what it is not (`what`). */
export class UuidIdPipe implements PipeTransform<string, string> {
  constructor(private readonly what: string) {}

  transform(value: string): string {
    if (!UUID.test(value))
      throw new DomainError(400, ErrorCodes.InvalidId, `"${value.slice(0, 60)}" is not a ${this.what} id.`);
    return value.toLowerCase();
  }
}
