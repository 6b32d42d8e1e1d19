import type { Actor } from '@pbx2fa/contracts';
import { visibleAuditQuery } from './audit-access';

const actor = (role: Actor['role'], resellerId: string | null = 'acme'): Actor => ({
  userId: 'u',
  username: 'someone',
  role,
  resellerId,
});

describe('visibleAuditQuery', () => {
  it('gives agents every filter they ask for', () => {
    expect(visibleAuditQuery(actor('agent', null), { resellerId: 'globex', username: 'bob', limit: 5 })).toEqual({
      resellerId: 'globex',
      username: 'bob',
      limit: 5,
    });
  });

  it('lets agents read everything without a filter', () => {
    expect(visibleAuditQuery(actor('agent', null), {})).toEqual({
      resellerId: undefined,
      username: undefined,
      limit: 100,
    });
  });

  it("pins a reseller admin to its own reseller's entries", () => {
    expect(visibleAuditQuery(actor('reseller_admin'), { username: 'alice' })).toEqual({
      resellerId: 'acme',
      username: 'alice',
      limit: 100,
    });
  });

  it("refuses a reseller admin asking for another reseller's entries", () => {
    expect(() => visibleAuditQuery(actor('reseller_admin'), { resellerId: 'globex' })).toThrow(/own reseller/);
  });

  it('refuses reseller users', () => {
    expect(() => visibleAuditQuery(actor('reseller_user'), {})).toThrow(/agents and reseller admins/);
  });
});
