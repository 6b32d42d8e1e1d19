import { DEFAULT_RABBITMQ_URL, parseBrokerUrls } from '@pbx2fa/config';
import { listDeadLetters, replayDeadLetters } from './dead-letters';
import { Subscriptions, type ServiceName } from './topology';

const usage = `usage: npm run dead-letters -- list <service> | replay <service>
  service: ${Object.keys(Subscriptions).join(', ')}
  uses RABBITMQ_URL (default ${DEFAULT_RABBITMQ_URL}; a cluster's nodes comma-separated, tried in turn)`;

async function main(): Promise<void> {
  const [command, service] = process.argv.slice(2);
  if (!['list', 'replay'].includes(command) || !(service in Subscriptions)) {
    process.stderr.write(`${usage}\n`);
    process.exit(2);
  }
  const broker = parseBrokerUrls(process.env.RABBITMQ_URL || DEFAULT_RABBITMQ_URL);
  if ('error' in broker) {
    process.stderr.write(`Invalid configuration: RABBITMQ_URL ${broker.error}\n`);
    process.exit(2);
  }
  if (command === 'list') {
    const letters = await listDeadLetters(broker.urls, service as ServiceName);
    process.stdout.write(
      `${JSON.stringify(letters, null, 2)}\n${letters.length} dead letter(s) in ${service}.events.dead\n`,
    );
  } else {
    const replayed = await replayDeadLetters(broker.urls, service as ServiceName);
    process.stdout.write(`replayed ${replayed} dead letter(s) from ${service}.events.dead\n`);
  }
}

main().catch((error: Error) => {
  process.stderr.write(`dead-letters: ${error.message}\n`);
  process.exit(1);
});
