import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AUTH_CONFIG, type AuthConfig } from '../config';
import { PasswordHasher } from './password-hasher';
import { UserRepository } from './user.repository';

/** Creates the agent named by BOOTSTRAP_AGENT_* if it does not exist; never changes an existing one. */
@Injectable()
export class BootstrapAgent implements OnApplicationBootstrap {
  private readonly logger = new Logger(BootstrapAgent.name);

  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const username = this.config.BOOTSTRAP_AGENT_USERNAME;
    const password = this.config.BOOTSTRAP_AGENT_PASSWORD;
    if (!username || !password) return;
    if (await this.users.findByUsername(username)) return;
    const created = await this.users.insertIfAbsent({
      id: randomUUID(),
      username,
      passwordHash: await this.hasher.hash(password),
      resellerId: null,
      role: 'agent',
    });
    if (created) this.logger.log(`created bootstrap agent "${created.username}"`);
  }
}
