import { Events } from '@pbx2fa/contracts';
import { publisherRefusal } from './event-publisher';

const users = { auth: 'pbx2fa-auth', tickets: 'pbx2fa-tickets', 'reseller-settings': 'pbx2fa-reseller-settings' };

describe('publisherRefusal', () => {
  it.each([
    [Events.ResellerCreated, 'pbx2fa-reseller-settings'],
    [Events.ResellerTwoFactorChanged, 'pbx2fa-reseller-settings'],
    [Events.TicketTwoFactorApproved, 'pbx2fa-tickets'],
    [Events.TicketUserTwoFactorResetApproved, 'pbx2fa-tickets'],
    [Events.UserTwoFactorReset, 'pbx2fa-auth'],
  ])('accepts %s from %s, the publisher the contract names', (event, user) => {
    expect(publisherRefusal(event, user, users)).toBeNull();
  });

  it.each([
    [Events.TicketUserTwoFactorResetApproved, 'pbx2fa-auth'],
    [Events.TicketUserTwoFactorResetApproved, 'pbx2fa-reseller-settings'],
    [Events.ResellerTwoFactorChanged, 'pbx2fa-tickets'],
    [Events.ResellerTwoFactorChanged, 'pbx2fa-auth'],
    [Events.UserTwoFactorReset, 'pbx2fa-tickets'],
    [Events.TicketTwoFactorApproved, 'guest'],
  ])('refuses %s from %s', (event, user) => {
    expect(publisherRefusal(event, user, users)).toContain(`sent by broker user ${user},`);
  });

  it('refuses a message without user_id, whatever it claims inside', () => {
    expect(publisherRefusal(Events.UserTwoFactorReset, undefined, users)).toBe(
      'sent by a message without user_id, but only auth (broker user pbx2fa-auth) publishes user.two_factor.reset',
    );
  });

  it('accepts every event from the one shared user in development, and nothing without user_id', () => {
    const shared = { auth: 'guest', tickets: 'guest', 'reseller-settings': 'guest' };
    for (const event of Object.values(Events)) expect(publisherRefusal(event, 'guest', shared)).toBeNull();
    expect(publisherRefusal(Events.ResellerCreated, undefined, shared)).not.toBeNull();
  });
});
