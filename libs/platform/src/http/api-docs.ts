import { applyDecorators } from '@nestjs/common';
import type { Type } from '@nestjs/common';
import { ApiExtension, ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';

/** The one error body of every non-2xx answer, as OpenAPI shows it. */
export class ErrorBodyDto {
  @ApiProperty({ example: 403 }) statusCode: number;
  @ApiProperty({ description: 'Stable snake_case error code', example: 'risk_denied' }) error: string;
  @ApiProperty({ example: 'engine WHOLESALE: engine_exposure_cap' }) message: string;
  @ApiPropertyOptional({ type: [String], description: 'Every reason that contributed to a denial' }) reason_codes?: string[];
  @ApiPropertyOptional({ description: 'Machine-readable detail: offending fields, gates, the current state' }) details?: unknown;
  @ApiPropertyOptional({ description: 'Set on 500: quote it when reporting the error' }) error_id?: string;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Invalid input (validation_failed names the fields)',
  401: 'No token, or an invalid or revoked one (unauthorized)',
  403: 'Refused',
  404: 'Not found',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Body over 1 MiB (payload_too_large)',
  422: 'Refused by a business rule',
  503: 'Governance unavailable: the database could not be reached in time; nothing was done',
};

/**
 * Documents the error answers of a route: one response per status, each with the ErrorBody schema
 * and the codes it can carry. `codes` maps a code to its status (a lever's `defineErrors` table).
 */
export function ApiErrors(codes: Record<string, number>) {
  const byStatus = new Map<number, string[]>();
  for (const [code, status] of Object.entries(codes)) byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  return applyDecorators(
    ApiExtraModels(ErrorBodyDto),
    ...[...byStatus.entries()].map(([status, list]) =>
      ApiResponse({
        status,
        description: `${STATUS_TEXT[status] ?? 'Error'}: ${list.map((c) => `\`${c}\``).join(', ')}`,
        schema: { $ref: getSchemaPath(ErrorBodyDto) },
      }),
    ),
  );
}

/** The operation extension ApiErrorBody leaves for buildOpenApiDocument (removed from the document). */
export const ERROR_BODY_EXTENSION = 'x-warden-error-body';

/**
 * An error status whose body, for some codes, is richer than ErrorBodyDto (the gate's 403 block
 * carries the verdict fields). Other decorators (the role guard's 403, @ApiErrors) declare the same
 * status with the plain error body, and the last one would win; buildOpenApiDocument makes that
 * status `anyOf [type, ErrorBodyDto]` instead, so both bodies are typed.
 */
export function ApiErrorBody(status: number, type: Type<unknown>) {
  return applyDecorators(ApiExtraModels(type, ErrorBodyDto), ApiExtension(ERROR_BODY_EXTENSION, { [status]: getSchemaPath(type) }));
}
