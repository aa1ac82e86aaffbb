import IORedis from 'ioredis';

/**
 * What one Redis round trip costs the client on this machine, against the same command
 * pipelined: `npm run bench:redis`. Every job pays a few round trips (the api's in-flight hold
 * and job, a worker's or the correlator's take, hold and finish), so this is the fixed cost small
 * jobs share. Client CPU (user + system) per command, from process.cpuUsage, one run.
 */

// Only the local server: the benchmark never sends traffic elsewhere.
const REDIS_URL = 'redis://127.0.0.1:6379';
const COMMANDS = 20_000;

async function main(): Promise<void> {
  const redis = new IORedis(REDIS_URL);
  const key = `faultline-bench-round-trip-${process.pid}`;
  try {
    await redis.ping();
    const perCommand = (usage: NodeJS.CpuUsage) => ({
      user: usage.user / COMMANDS,
      system: usage.system / COMMANDS,
    });

    let start = process.cpuUsage();
    for (let i = 0; i < COMMANDS; i++) await redis.zrem(key, `token-${i}`);
    const sequential = perCommand(process.cpuUsage(start));

    start = process.cpuUsage();
    const pipeline = redis.pipeline();
    for (let i = 0; i < COMMANDS; i++) pipeline.zrem(key, `token-${i}`);
    await pipeline.exec();
    const pipelined = perCommand(process.cpuUsage(start));

    const row = (name: string, c: { user: number; system: number }) =>
      `| ${name} | ${(c.user + c.system).toFixed(1)} | ${c.user.toFixed(1)} | ${c.system.toFixed(1)} |`;
    console.log(`## Redis round trip, ${COMMANDS} ZREM commands each way\n`);
    console.log('| how | client CPU µs per command | user | system |');
    console.log('| --- | --- | --- | --- |');
    console.log(row('one at a time (a round trip each)', sequential));
    console.log(row('pipelined', pipelined));
    console.log(
      `\na round trip costs ${((sequential.user + sequential.system) / (pipelined.user + pipelined.system)).toFixed(1)}× a pipelined command`,
    );
  } finally {
    await redis.del(key);
    redis.disconnect();
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
