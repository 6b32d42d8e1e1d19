import { Clock } from '../../../apps/auth/src/common/clock';

/** A clock the test moves by hand, for locks, expiries and TOTP steps. */
export class MovableClock extends Clock {
  constructor(private at: Date) {
    super();
  }

  override now(): Date {
    return new Date(this.at);
  }

  advance(seconds: number): void {
    this.at = new Date(this.at.getTime() + seconds * 1000);
  }
}
