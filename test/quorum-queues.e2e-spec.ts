import { type Gateway, type SignedInUser } from './support/api';
import { queueDepths } from './support/broker';
import { type Stack } from './support/stack';
import { challengeFor, enroll, passwordLogin, switchResellerTwoFactor, type EnrolledUser } from './support/two-factor';
import { useStack } from './support/e2e';

/**
 * `RABBITMQ_QUEUE_TYPE=quorum`, as on a RabbitMQ cluster: the event queues and their dead-letter
 * queues are quorum queues, and the story works the same.
 */
describe('quorum queues', () => {
  let stack: Stack;
  let gw: Gateway;
  let admin: SignedInUser;
  let user: EnrolledUser;

  useStack((started) => ({ stack, gw } = started), { env: { RABBITMQ_QUEUE_TYPE: 'quorum' } });

  beforeAll(async () => {});

  it('declares every event queue and dead-letter queue as a quorum queue', async () => {
    const depths = await queueDepths(stack.vhost);
    for (const service of ['auth', 'tickets', 'reseller-settings']) {
      for (const queue of [`${service}.events`, `${service}.events.dead`]) {
        expect({ queue, type: depths.get(queue)?.type }).toEqual({ queue, type: 'quorum' });
      }
    }
  });

  it('turns 2FA on through an approved ticket, and the next login asks for a passcode', async () => {
    const reseller = await gw.factory.reseller();
    admin = await gw.factory.signedInUser({ resellerId: reseller.id, role: 'reseller_admin' });
    const ticket = await switchResellerTwoFactor(gw, admin, true);
    expect(ticket.history.map((entry) => entry.toStatus)).toEqual(['open', 'approved', 'resolved']);
    expect((await gw.agent.get(`/resellers/${reseller.id}`)).body).toMatchObject({
      twoFactorEnabled: true,
      version: reseller.version + 1,
    });

    user = await enroll(await gw.factory.signedInUser({ resellerId: reseller.id }));
    const challengeToken = await challengeFor(gw.anon, user);
    const verified = await gw.anon.post('/auth/login/verify', {
      challengeToken,
      passcode: await user.authenticator.freshPasscode(),
    });
    expect(verified.status).toBe(200);
  });

  it('turns 2FA off again through an approved ticket, and the login stops asking', async () => {
    const ticket = await switchResellerTwoFactor(gw, admin, false);
    expect(ticket.status).toBe('resolved');
    expect((await passwordLogin(gw.anon, user)).body.status).toBe('authenticated');
  });
});
