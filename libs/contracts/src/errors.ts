/** The error body of the contract: `{ statusCode, error, message }`. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

export const ErrorCodes = {
  ValidationFailed: 'validation_failed',
  MalformedJson: 'malformed_json',
  PayloadTooLarge: 'payload_too_large',
  InvalidId: 'invalid_id',
  InvalidCursor: 'invalid_cursor',
  NotFound: 'not_found',
  Unauthorized: 'unauthorized',
  Forbidden: 'forbidden',
  InvalidCredentials: 'invalid_credentials',
  TooManyAttempts: 'too_many_attempts',
  TooManyRequests: 'too_many_requests',
  Busy: 'busy',
  InvalidTransition: 'invalid_transition',
  ResellerExists: 'reseller_exists',
  ResellerNotFound: 'reseller_not_found',
  UsernameTaken: 'username_taken',
  UserNotFound: 'user_not_found',
  TicketNotFound: 'ticket_not_found',
  OwnTicket: 'own_ticket',
  /** A reply to a ticket that is no longer open (reseller users reply to open tickets only). */
  TicketNotOpen: 'ticket_not_open',
  ServiceUnavailable: 'service_unavailable',
  DatabaseUnavailable: 'database_unavailable',
  InternalError: 'internal_error',
  InvalidPasscode: 'invalid_passcode',
  InvalidChallenge: 'invalid_challenge',
  InvalidAssertion: 'invalid_assertion',
  InvalidCurrentPassword: 'invalid_current_password',
  NoPendingSetup: 'no_pending_setup',
  TwoFactorNotEnabledForReseller: 'two_factor_not_enabled_for_reseller',
  TwoFactorAlreadyEnabled: 'two_factor_already_enabled',
  TwoFactorNotActive: 'two_factor_not_active',
  /** A sign-in that must set up a second factor first: its enrollment token reaches nothing else. */
  EnrollmentRequired: 'enrollment_required',
  /** The account must keep a second factor (an agent), so it cannot be turned off. */
  TwoFactorMandatory: 'two_factor_mandatory',
  /** A WebAuthn response that is malformed, does not verify, or answers a challenge that is not live. */
  InvalidPasskey: 'invalid_passkey',
  /** Passkey sign-in options for an account that has no passkey. */
  NoPasskey: 'no_passkey',
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/**
 * The one exception every domain rule throws. It carries the HTTP status with it so the
 * exception filter (and the RPC boundary) turn it into the contract's body without a lookup.
 */
export class DomainError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }

  toBody(): ErrorBody {
    return { statusCode: this.statusCode, error: this.code, message: this.message };
  }

  /** What every service answers while its database cannot be reached: it recovers by itself. */
  static databaseUnavailable(): DomainError {
    return new DomainError(
      503,
      ErrorCodes.DatabaseUnavailable,
      'Our database cannot be reached right now. Please try again in a moment.',
      { 'Retry-After': '5' },
    );
  }

  /** An RPC answer's error: another of our services built it from these same codes. */
  static fromBody(body: ErrorBody): DomainError {
    return new DomainError(body.statusCode, body.error as ErrorCode, body.message);
  }
}
