import { enrollmentReason, hasFactor, secondFactorAsked } from './second-factor-policy';

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

  it("asks an agent with a factor for it whatever any reseller's policy, others as their reseller's policy says", () => {
    expect(secondFactorAsked(agent, ['totp', 'recovery_code'], false)).toBe(true);
    expect(secondFactorAsked(user, ['totp', 'recovery_code'], false)).toBe(false);
    expect(secondFactorAsked(user, ['totp', 'recovery_code'], true)).toBe(true);
  });
});
