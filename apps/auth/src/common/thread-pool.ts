import { availableParallelism } from 'node:os';

/**
 * libuv's thread pool runs the argon2 hashes, and also file, DNS and WebCrypto work (RingOS SSO
 * assertions). Its size is read once, when it is first used, so main.ts imports this module
 * before anything else. Unless the operator chose a size, it gets one thread per core for
 * hashing plus four for everything else (libuv's default is 4 whatever the machine, which caps
 * hashing at four cores on a bigger one).
 */
const RESERVED_THREADS = 4;
const cores = availableParallelism();

if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = String(cores + RESERVED_THREADS);

export const THREAD_POOL_SIZE = Number(process.env.UV_THREADPOOL_SIZE) || RESERVED_THREADS;

/**
 * Hashes handed to the pool at once: one per core, and never the whole pool, so other work
 * always finds a free thread. The rest wait in PasswordHasher's queue.
 */
export const HASH_CONCURRENCY = Math.max(1, Math.min(cores, THREAD_POOL_SIZE - 2));
