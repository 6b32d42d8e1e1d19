import { Events, type EventEnvelope } from '@pbx2fa/contracts';
import { register } from 'prom-client';
import { enforcementDelaySeconds, observeEnforcement } from './enforcement-delay';

const change = (
  payload: Partial<{ approvedAt: string }>,
  occurredAt = '2026-12-03T10:00:05.000Z',
): EventEnvelope<typeof Events.ResellerTwoFactorChanged> => ({
  eventId: '00000000-0000-4000-8000-000000000001',
  name: Events.ResellerTwoFactorChanged,
  occurredAt,
  correlationId: 'test',
  payload: { resellerId: 'acme', enabled: true, version: 1, sourceTicketId: null, ...payload },
});

describe('approval-to-enforcement delay', () => {
  const now = Date.parse('2026-12-03T10:00:07.500Z');

  it('counts from the approval when the event carries it', () => {
    expect(enforcementDelaySeconds(change({ approvedAt: '2026-12-03T10:00:00.000Z' }), now)).toBe(7.5);
  });

  it('counts from the event time when the approval time is absent', () => {
    expect(enforcementDelaySeconds(change({}), now)).toBe(2.5);
  });

  it('never reports a negative delay when clocks disagree', () => {
    expect(enforcementDelaySeconds(change({ approvedAt: '2026-12-03T10:00:09.000Z' }), now)).toBe(0);
  });

  it('observes nothing for an unreadable time', async () => {
    const before = await register.getSingleMetric('pbx2fa_two_factor_enforcement_delay_seconds')!.get();
    observeEnforcement(change({}, 'not a time'));
    const after = await register.getSingleMetric('pbx2fa_two_factor_enforcement_delay_seconds')!.get();
    expect(after).toEqual(before);
  });

  it('is exposed as a histogram', async () => {
    observeEnforcement(change({ approvedAt: new Date(Date.now() - 1500).toISOString() }));
    const text = await register.getSingleMetricAsString('pbx2fa_two_factor_enforcement_delay_seconds');
    expect(text).toMatch(/^pbx2fa_two_factor_enforcement_delay_seconds_bucket\{le="2.5"\} 1$/m);
    expect(text).toMatch(/^pbx2fa_two_factor_enforcement_delay_seconds_count 1$/m);
  });
});
