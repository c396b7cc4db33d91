import 'reflect-metadata';
import { Logger, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Command, Option } from 'commander';
import { userInfo } from 'node:os';
import type { DataSource } from 'typeorm';
import { ConfigError, loadConfig, ROLES, runMigrations, runSeeds, TokenService, type Principal, type Role } from '#platform';
import { CliModule } from './cli.module.js';

const EXIT_INVALID = 6;

/** Opens the app's data source (embedded PostgreSQL or DATABASE_URL) without HTTP or jobs, runs `fn`, closes. */
async function withContext<T>(fn: (ctx: INestApplicationContext) => Promise<T>): Promise<T> {
  const config = loadConfig({ ...process.env, JOBS_ENABLED: '0', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  Logger.overrideLogger(config.LOG_LEVEL === 'silent' ? false : ['error', 'warn']);
  const ctx = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: ['error', 'warn'], abortOnError: false });
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

const dataSource = (ctx: INestApplicationContext) => ctx.get<DataSource>(getDataSourceToken());
const cliPrincipal = (): Principal => ({ tokenId: 'cli', name: `cli:${userInfo().username}`, role: 'admin', engines: null, domains: null });
const upper = (v: string, prev: string[] = []) => [...prev, v.trim().toUpperCase()];

const program = new Command('warden').description('Warden governance control plane CLI').showHelpAfterError();

program
  .command('migrate')
  .description('apply pending database migrations')
  .action(() =>
    withContext(async (ctx) => {
      const applied = await runMigrations(dataSource(ctx));
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    }),
  );

program
  .command('seed')
  .description('insert reference data (policies) that is missing; never overwrites changes')
  .action(() =>
    withContext(async (ctx) => {
      await runMigrations(dataSource(ctx));
      console.log(`seeds run: ${(await runSeeds(dataSource(ctx))).join(', ') || '(none)'}`);
    }),
  );

const token = program.command('token').description('manage API tokens');

token
  .command('create')
  .description('create a token and print it (shown only once)')
  .addOption(new Option('--role <role>', 'viewer | engine | operator | admin').choices(ROLES).makeOptionMandatory())
  .option('--name <name>', 'principal name recorded on everything the token does')
  .option('--engine <engine>', 'bind to an engine (repeatable)', upper)
  .option('--domain <domain>', 'bind to a domain (repeatable)', upper)
  .option('--json', 'print JSON')
  .action((opts: { role: Role; name?: string; engine?: string[]; domain?: string[]; json?: boolean }) =>
    withContext(async (ctx) => {
      const bad = [...(opts.engine ?? []), ...(opts.domain ?? [])].find((e) => !/^[A-Z0-9_]{1,32}$/.test(e));
      if (bad) throw Object.assign(new Error(`invalid engine/domain ${bad}: must match [A-Z0-9_]{1,32}`), { code: 'invalid_input' });
      await runMigrations(dataSource(ctx));
      const { token: value, entity } = await ctx.get(TokenService).create(cliPrincipal(), {
        name: opts.name ?? `${opts.role}-${Date.now()}`,
        role: opts.role,
        engines: opts.engine ?? null,
        domains: opts.domain ?? null,
      });
      console.log(opts.json ? JSON.stringify({ id: entity.id, name: entity.name, role: entity.role, token: value }) : `${value}\n(id ${entity.id}, role ${entity.role})`);
    }),
  );

token
  .command('revoke <id>')
  .description('revoke a token by id')
  .option('--reason <reason>', 'why')
  .action((id: string, opts: { reason?: string }) =>
    withContext(async (ctx) => {
      const revoked = await ctx.get(TokenService).revoke(cliPrincipal(), id, opts.reason);
      console.log(`revoked ${revoked.id} (${revoked.name})`);
    }),
  );

token
  .command('list')
  .description('list tokens (never their values)')
  .action(() =>
    withContext(async (ctx) => {
      for (const t of await ctx.get(TokenService).list()) {
        console.log(`${t.id}  ${t.role.padEnd(8)}  ${t.revokedAt ? 'revoked ' : 'active  '}  ${t.name}${t.engines ? `  engines=${t.engines.join(',')}` : ''}`);
      }
    }),
  );

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(`warden: ${err.message}`);
    process.exit(2);
  }
  const e = err as { code?: string; message?: string };
  console.error(`warden: ${e.message ?? String(err)}`);
  process.exit(e.code === 'invalid_input' ? EXIT_INVALID : e.code === 'token_not_found' ? 4 : 1);
});
