import {
  askedByResellerPolicy,
  enrollmentDaysLeft,
  enrollmentReason,
  hasFactor,
  rememberDeviceDays,
  secondFactorAsked,
} from './second-factor-policy';

const agent = { role: 'agent' as const };
const user = { role: 'reseller_user' as const };

describe('second-factor policy', () => {
  it('counts an authenticator as a factor, recovery codes alone not', () => {
    expect(hasFactor(['totp', 'recovery_code'])).toBe(true);
    expect(hasFactor(['recovery_code'])).toBe(false);
    expect(hasFactor([])).toBe(false);
  });

  it('sends an agent without a factor to enroll, with the reason agent', () => {
    expect(enrollmentReason(agent, [])).toBe('agent');
    expect(enrollmentReason(agent, ['recovery_code'])).toBe('agent');
    expect(enrollmentReason(agent, ['totp', 'recovery_code'])).toBeNull();
  });

  it('never sends a reseller user to enroll on its own', () => {
    expect(enrollmentReason(user, [])).toBeNull();
    expect(enrollmentReason({ role: 'reseller_admin' }, [])).toBeNull();
  });

  it("asks for a factor by the reseller's policy only when 2FA is on and the user holds an authenticator or a passkey", () => {
    expect(askedByResellerPolicy(true, ['totp', 'recovery_code'])).toBe(true);
    expect(askedByResellerPolicy(true, ['passkey'])).toBe(true);
    expect(askedByResellerPolicy(true, ['recovery_code'])).toBe(false);
    expect(askedByResellerPolicy(true, [])).toBe(false);
    expect(askedByResellerPolicy(false, ['totp', 'passkey', 'recovery_code'])).toBe(false);
  });

  it("asks an agent with a factor for it whatever any reseller's policy, others as their reseller's policy says", () => {
    expect(secondFactorAsked(agent, ['totp', 'recovery_code'], false)).toBe(true);
    expect(secondFactorAsked(user, ['totp', 'recovery_code'], false)).toBe(false);
    expect(secondFactorAsked(user, ['totp', 'recovery_code'], true)).toBe(true);
  });
});

describe("a reseller's required mode", () => {
  const now = new Date('2026-12-03T12:00:00Z');
  const required = (enrollBy: string | null) => ({
    mode: 'required' as const,
    enrollBy: enrollBy === null ? null : new Date(enrollBy),
  });

  it('sends a user without a factor to enroll once the grace period is over, with the reason reseller_policy', () => {
    expect(enrollmentReason(user, [], required('2026-12-03T12:00:00Z'), now)).toBe('reseller_policy');
    expect(enrollmentReason(user, ['recovery_code'], required('2026-12-01T00:00:00Z'), now)).toBe('reseller_policy');
    expect(enrollmentReason({ role: 'reseller_admin' }, [], required(null), now)).toBe('reseller_policy');
  });

  it('lets a user without a factor sign in as before inside the grace period, and a user with one always', () => {
    expect(enrollmentReason(user, [], required('2026-12-03T12:00:01Z'), now)).toBeNull();
    expect(enrollmentReason(user, ['totp'], required('2026-12-01T00:00:00Z'), now)).toBeNull();
  });

  it('sends nobody to enroll in the optional or off modes', () => {
    expect(enrollmentReason(user, [], { mode: 'optional', enrollBy: null }, now)).toBeNull();
    expect(enrollmentReason(user, [], { mode: 'off', enrollBy: null }, now)).toBeNull();
    expect(enrollmentReason(user, [], null, now)).toBeNull();
  });

  it('keeps the reason agent for agents, whatever a reseller says', () => {
    expect(enrollmentReason(agent, [], required('2026-12-01T00:00:00Z'), now)).toBe('agent');
  });

  it('counts the whole days left to enroll, the last day as 1, and none once nothing is pending', () => {
    expect(enrollmentDaysLeft(false, required('2026-12-04T12:00:00Z'), now)).toBe(1);
    expect(enrollmentDaysLeft(false, required('2026-12-03T12:00:01Z'), now)).toBe(1);
    expect(enrollmentDaysLeft(false, required('2026-12-10T11:00:00Z'), now)).toBe(7);
    expect(enrollmentDaysLeft(false, required('2026-12-03T12:00:00Z'), now)).toBeNull();
    expect(enrollmentDaysLeft(true, required('2026-12-10T11:00:00Z'), now)).toBeNull();
    expect(enrollmentDaysLeft(false, { mode: 'optional', enrollBy: null }, now)).toBeNull();
  });

  it("remembers a device for the reseller's current days, never an agent's, and not without a reseller's days", () => {
    expect(rememberDeviceDays(user, 30)).toBe(30);
    expect(rememberDeviceDays(user, 0)).toBe(0);
    expect(rememberDeviceDays(user, null)).toBe(0);
    expect(rememberDeviceDays(agent, 30)).toBe(0);
  });
});
