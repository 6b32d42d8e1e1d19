import { Logger } from '@nestjs/common';
import { ClientRMQ, RmqRecordBuilder } from '@nestjs/microservices';
import { filter, lastValueFrom, Subject, takeUntil, throwIfEmpty, timeout } from 'rxjs';
import {
  DomainError,
  ErrorCodes,
  type Actor,
  type RpcAnswerOf,
  type RpcMethods,
  type RpcPattern,
  type RpcResult,
} from '@pbx2fa/contracts';
import type { MessagingOptions } from './messaging.options';
import { rpcQueueName } from './topology';

/** Request/response to one service over RabbitMQ (its patterns `P`), bounded by the configured timeout. */
export class RpcClient<P extends RpcPattern = RpcPattern> {
  private readonly logger: Logger;
  private readonly client: ClientRMQ;
  /** Emits when the connection drops: a reply can no longer reach the calls then waiting. */
  private readonly connectionLost = new Subject<void>();

  constructor(
    private readonly target: 'tickets' | 'reseller-settings',
    private readonly displayName: string,
    private readonly options: MessagingOptions,
  ) {
    this.logger = new Logger(`RpcClient:${target}`);
    this.client = new ClientRMQ({
      urls: options.rabbitmqUrls,
      queue: rpcQueueName(target),
      queueOptions: { durable: false },
      // The service declares its request queue; the gateway's user may not.
      noAssert: true,
      persistent: false,
      socketOptions: { heartbeatIntervalInSeconds: 5, reconnectTimeInSeconds: 1 },
    });
    // RmqStatus is a const enum with no value at run time: compared as the string it is.
    this.client.status
      .pipe(filter((status: string) => status === 'disconnected'))
      .subscribe(() => this.connectionLost.next());
  }

  async call<K extends P>(
    pattern: K,
    body: RpcMethods[K]['request'],
    context: { correlationId: string; actor?: Actor },
  ): Promise<RpcAnswerOf<K>> {
    const record = new RmqRecordBuilder({ correlationId: context.correlationId, actor: context.actor, body })
      .setOptions({ expiration: String(this.options.rpcTimeoutMs), userId: this.options.brokerUser })
      .build();
    let result: RpcResult<RpcAnswerOf<K>>;
    try {
      // Replies come back on the channel that sent the request (direct reply-to), so when the
      // connection drops the caller hears 503 at once instead of waiting out the timeout.
      result = await lastValueFrom(
        this.client.send<RpcResult<RpcAnswerOf<K>>>(pattern, record).pipe(
          timeout(this.options.rpcTimeoutMs),
          takeUntil(this.connectionLost),
          throwIfEmpty(() => new Error('connection to the broker lost while waiting for the answer')),
        ),
      );
    } catch (error) {
      this.logger.warn(`${pattern} failed: ${describeFailure(error)}`);
      throw new DomainError(
        503,
        ErrorCodes.ServiceUnavailable,
        `The ${this.displayName} did not answer in time. Please try again in a moment.`,
      );
    }
    if (!result.ok) throw DomainError.fromBody(result.error);
    return result.value;
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof Error) return error.message;
  const wrapped = (error as { err?: unknown })?.err;
  return wrapped instanceof Error ? wrapped.message : JSON.stringify(error);
}
