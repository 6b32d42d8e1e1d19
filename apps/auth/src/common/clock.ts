import { Injectable } from '@nestjs/common';

/** The time, behind a seam so that tests of locks and expiries can move it. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
