import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import {
  CURSOR_MAX_LENGTH,
  PAGE_SIZE_MAX,
  RESELLER_ID_PATTERN,
  RESELLER_ID_RULE,
  USERNAME_PATTERN,
  USERNAME_RULE,
} from '@pbx2fa/contracts';

/**
 * The gateway's request fields that several DTOs share, each as one decorator: the limits and
 * patterns come from `@pbx2fa/contracts` (input-rules), so the tickets service checks the same.
 */
interface FieldOptions {
  optional?: boolean;
  /** Overrides the default message, e.g. where the field may also be `me` or null. */
  message?: string;
  doc?: ApiPropertyOptions;
}

function documented(options: FieldOptions, doc: ApiPropertyOptions): PropertyDecorator[] {
  const merged = { ...doc, ...options.doc } as ApiPropertyOptions;
  return options.optional ? [ApiPropertyOptional(merged), IsOptional()] : [ApiProperty(merged)];
}

/** Text of `min` to `max` characters (`min` 0: may be empty). */
export function TextField(field: string, min: number, max: number, options: FieldOptions = {}): PropertyDecorator {
  const message =
    options.message ??
    (min > 0 ? `${field} must be ${min} to ${max} characters long` : `${field} must be at most ${max} characters long`);
  return applyDecorators(
    ...documented(options, { maxLength: max, ...(min > 0 ? { minLength: min } : {}) }),
    IsString(),
    Length(min, max, { message }),
  );
}

export function UsernameField(field: string, options: FieldOptions = {}): PropertyDecorator {
  return applyDecorators(
    ...documented(options, { pattern: USERNAME_PATTERN.source }),
    IsString(),
    Matches(USERNAME_PATTERN, { message: options.message ?? `${field} must be ${USERNAME_RULE}` }),
  );
}

export function ResellerIdField(field: string, options: FieldOptions = {}): PropertyDecorator {
  return applyDecorators(
    ...documented(options, { pattern: RESELLER_ID_PATTERN.source }),
    IsString(),
    Matches(RESELLER_ID_PATTERN, { message: options.message ?? `${field} must be ${RESELLER_ID_RULE}` }),
  );
}

/** `limit` of a paged list, from the query string: 1 to `max` items, `defaultSize` when absent. */
export function PageLimit(defaultSize: number, max = PAGE_SIZE_MAX): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ minimum: 1, maximum: max, default: defaultSize }),
    IsOptional(),
    Type(() => Number),
    IsInt({ message: 'limit must be a whole number' }),
    Min(1, { message: 'limit must be at least 1' }),
    Max(max, { message: `limit must be at most ${max}` }),
  );
}

/** `cursor`: the previous page's `nextCursor`, opaque to the caller. */
export function PageCursor(description = 'nextCursor of the previous page'): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ description }),
    IsOptional(),
    IsString(),
    Length(1, CURSOR_MAX_LENGTH, { message: 'cursor is not valid' }),
  );
}
