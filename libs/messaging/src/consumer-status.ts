import { Injectable } from '@nestjs/common';
import type { SafeServerRMQ } from './safe-server-rmq';

/**
 * Whether the service's RabbitMQ servers are consuming: a service whose request queue is not
 * declared and consumed yet would let a request be dropped, so /health is not "up" before.
 */
@Injectable()
export class ConsumerStatus {
  private servers: SafeServerRMQ[] = [];

  track(servers: SafeServerRMQ[]): void {
    this.servers = servers;
  }

  /** False until the servers are tracked, and while any of them is not consuming. */
  get consuming(): boolean {
    return this.servers.length > 0 && this.servers.every((server) => server.consuming);
  }
}
