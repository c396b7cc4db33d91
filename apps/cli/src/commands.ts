import 'reflect-metadata';
import { Logger, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { userInfo } from 'node:os';
import type { DataSource } from 'typeorm';
import { ConfigError, loadConfig, runMigrations, runSeeds, TokenService, WardenSchema, type Principal, type Role } from '#platform';
import { CliModule } from './cli.module.js';

// The CLI's heavy half: Nest, TypeORM and the platform load only when a command that needs the
// database runs (main.ts imports this module lazily), so `warden --help` answers without them.

const EXIT_INVALID = 6;

/** Opens the app's data source (embedded PostgreSQL or DATABASE_URL) without HTTP or jobs, runs `fn`, closes. */
export async function withContext<T>(fn: (ctx: INestApplicationContext) => Promise<T>): Promise<T> {
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
const migrateAll = (ctx: INestApplicationContext) => runMigrations(dataSource(ctx), ctx.get(WardenSchema));
const cliPrincipal = (): Principal => ({ tokenId: 'cli', name: `cli:${userInfo().username}`, role: 'admin', engines: null, domains: null });

export const migrate = () =>
  withContext(async (ctx) => {
    const applied = await migrateAll(ctx);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  });

export const seed = () =>
  withContext(async (ctx) => {
    await migrateAll(ctx);
    console.log(`seeds run: ${(await runSeeds(dataSource(ctx), ctx.get(WardenSchema).seeds)).join(', ') || '(none)'}`);
  });

export interface TokenCreateOptions {
  role: Role;
  name?: string;
  engine?: string[];
  domain?: string[];
  json?: boolean;
}

export const tokenCreate = (opts: TokenCreateOptions) =>
  withContext(async (ctx) => {
    const bad = [...(opts.engine ?? []), ...(opts.domain ?? [])].find((e) => !/^[A-Z0-9_]{1,32}$/.test(e));
    if (bad) throw Object.assign(new Error(`invalid engine/domain ${bad}: must match [A-Z0-9_]{1,32}`), { code: 'invalid_input' });
    await migrateAll(ctx);
    const { token: value, entity } = await ctx.get(TokenService).create(cliPrincipal(), {
      name: opts.name ?? `${opts.role}-${Date.now()}`,
      role: opts.role,
      engines: opts.engine ?? null,
      domains: opts.domain ?? null,
    });
    console.log(opts.json ? JSON.stringify({ id: entity.id, name: entity.name, role: entity.role, token: value }) : `${value}\n(id ${entity.id}, role ${entity.role})`);
  });

export const tokenRevoke = (id: string, opts: { reason?: string }) =>
  withContext(async (ctx) => {
    const revoked = await ctx.get(TokenService).revoke(cliPrincipal(), id, opts.reason);
    console.log(`revoked ${revoked.id} (${revoked.name})`);
  });

export const tokenList = () =>
  withContext(async (ctx) => {
    for (const t of await ctx.get(TokenService).list()) {
      console.log(`${t.id}  ${t.role.padEnd(8)}  ${t.revokedAt ? 'revoked ' : 'active  '}  ${t.name}${t.engines ? `  engines=${t.engines.join(',')}` : ''}`);
    }
  });

/** The process exit code for a failed command: 2 bad configuration, 4 unknown token, 6 invalid input, else 1. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof ConfigError) return 2;
  const code = (err as { code?: string }).code;
  return code === 'invalid_input' ? EXIT_INVALID : code === 'token_not_found' ? 4 : 1;
}
