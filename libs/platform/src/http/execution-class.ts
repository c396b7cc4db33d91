import { applyDecorators } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { RouteConfig } from '@nestjs/platform-fastify';

/**
 * How dangerous a route is. READ and SANDBOX never move real money or reach production;
 * PROD_EXEC does and is what the kill switch stops.
 */
export type ExecutionClassName = 'READ' | 'SANDBOX' | 'PROD_EXEC';

/**
 * Declares a route's execution class in its Fastify route config, where the go-live hook reads it
 * before the request is even parsed. A mutating route without it is PROD_EXEC; no header can lower it.
 */
export const ExecutionClass = (cls: ExecutionClassName) =>
  applyDecorators(RouteConfig({ executionClass: cls }), ApiExtension('x-execution-class', cls));

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function resolveExecutionClass(method: string, declared: unknown): ExecutionClassName {
  if (declared === 'READ' || declared === 'SANDBOX' || declared === 'PROD_EXEC') return declared;
  return SAFE_METHODS.has(method) ? 'READ' : 'PROD_EXEC';
}
