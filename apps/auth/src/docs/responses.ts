import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { GRACE_DAYS_MAX, Roles, TicketStatuses, TicketTypes, TwoFactorModes } from '@pbx2fa/contracts';

/** Schemas of what the gateway answers, for the OpenAPI document only. */

export class ErrorResponse {
  @ApiProperty({ example: 401 }) statusCode: number;
  @ApiProperty({ example: 'invalid_passcode', description: 'machine-readable code from the contract' }) error: string;
  @ApiProperty({
    example:
      'That passcode is not right. The code in Google Authenticator changes every 30 seconds: enter the one it shows now.',
  })
  message: string;
}

export class TokenResponse {
  @ApiProperty({ enum: ['authenticated'] }) status: 'authenticated';
  @ApiProperty({ description: 'send as "Authorization: Bearer <accessToken>"' }) accessToken: string;
  @ApiProperty({ description: 'seconds until the token expires', example: 3600 }) expiresIn: number;
}

export class ChallengeResponse {
  @ApiProperty({ enum: ['two_factor_required'] }) status: 'two_factor_required';
  @ApiProperty({ description: 'single use; answer with POST /auth/login/verify' }) challengeToken: string;
  @ApiProperty({ example: 300 }) expiresIn: number;
  @ApiProperty({
    type: [String],
    enum: ['totp', 'passkey', 'recovery_code'],
    example: ['totp', 'recovery_code'],
    description: "the user's second factors",
  })
  methods: string[];
  @ApiProperty({
    example: 30,
    description:
      'whether the second step offers "Remember this device", and for how many days (the reseller\'s rememberDeviceDays); 0: not offered (and always 0 for agents)',
  })
  rememberDeviceDays: number;
}

export class VerifiedResponse extends TokenResponse {
  @ApiPropertyOptional({
    description:
      'only with rememberDevice: true while the reseller offers it: keep it on this device and send it as deviceToken with the password to POST /auth/login',
  })
  deviceToken?: string;
}

export class EnrollmentResponse {
  @ApiProperty({ enum: ['enrollment_required'] }) status: 'enrollment_required';
  @ApiProperty({
    description:
      'good only for setting up a second factor: POST /auth/2fa/setup, then POST /auth/2fa/activate (which completes the sign-in) — and POST /auth/logout; ' +
      'any other route answers 403 enrollment_required',
  })
  enrollmentToken: string;
  @ApiProperty({ example: 600, description: 'seconds the enrollment token lives' }) expiresIn: number;
  @ApiProperty({ enum: ['agent', 'reseller_policy'], description: 'agent: agents always have a second factor' })
  reason: string;
}

export class TwoFactorStatus {
  @ApiProperty({ description: "the user's reseller has 2FA on (always true for agents, who must have it)" })
  availableForReseller: boolean;
  @ApiProperty({ description: 'the user has a second factor: Google Authenticator or a passkey' }) enabled: boolean;
  @ApiProperty({
    type: [String],
    enum: ['totp', 'passkey', 'recovery_code'],
    example: ['totp', 'passkey', 'recovery_code'],
    description: "the user's second factors, as two_factor_required names them",
  })
  methods: string[];
  @ApiPropertyOptional({
    format: 'date-time',
    description:
      "only inside the grace period of the reseller's required mode, for a user without a second factor: from this time the sign-in asks to set one up",
  })
  enrollBy?: string;
  @ApiPropertyOptional({ example: 6, description: 'with enrollBy: whole days left to set up 2FA (the last day is 1)' })
  enrollmentDaysLeft?: number;
  @ApiPropertyOptional({
    example: 9,
    description:
      'only with a second factor (enabled): how many unused recovery codes are left (0–10); each works once, and POST /auth/2fa/recovery-codes makes a new set',
  })
  recoveryCodesLeft?: number;
}

export class MeResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() username: string;
  @ApiProperty({ nullable: true, type: String }) resellerId: string | null;
  @ApiProperty({ enum: Roles }) role: string;
  @ApiProperty({ nullable: true, type: String, description: 'where security notifications go' }) email: string | null;
  @ApiProperty({ type: TwoFactorStatus }) twoFactor: TwoFactorStatus;
}

export class LoginOptionsResponse {
  @ApiProperty({ description: 'the request came to a RingOS host: offer RingOS sign-on' }) sso: boolean;
}

export class IntrospectionResponse {
  @ApiProperty() active: boolean;
  @ApiPropertyOptional({ format: 'uuid' }) sub?: string;
  @ApiPropertyOptional() username?: string;
  @ApiPropertyOptional({ nullable: true, type: String }) resellerId?: string | null;
  @ApiPropertyOptional({ enum: Roles }) role?: string;
  @ApiPropertyOptional({ type: [String], example: ['pwd', 'otp', 'mfa'], description: 'RFC 8176 methods' })
  amr?: string[];
  @ApiPropertyOptional({ description: 'expiry, seconds since the epoch' }) exp?: number;
}

export class SetupResponse {
  @ApiProperty({ example: 'otpauth://totp/PBX%20Dashboard:alice?secret=JBSWY3DPEHPK3PXP&issuer=PBX%20Dashboard' })
  otpauthUrl: string;
  @ApiProperty({ description: 'the key for manual entry (base32, 160 bits)' }) secret: string;
  @ApiProperty({ description: 'data:image/png;base64,… — a QR code of otpauthUrl' }) qrCodeDataUrl: string;
}

export class ActivateResponse {
  @ApiProperty({ enum: [true] }) enabled: true;
  @ApiProperty({ type: [String], description: 'ten single-use codes, shown once', example: ['7K2M-QX9D-4HWT'] })
  recoveryCodes: string[];
  @ApiPropertyOptional({ description: 'only when called with an enrollmentToken: the completed sign-in' })
  accessToken?: string;
  @ApiPropertyOptional({ example: 3600, description: 'with accessToken: seconds until it expires' }) expiresIn?: number;
}

export class WebauthnOptionsResponse {
  @ApiProperty({ description: 'base64url; single use, good for five minutes' }) challenge: string;
  @ApiPropertyOptional({ example: 300000 }) timeout?: number;
  @ApiPropertyOptional({ example: 'localhost', description: 'request options: WEBAUTHN_RP_ID' }) rpId?: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'creation options: WEBAUTHN_RP_ID and the name',
  })
  rp?: Record<string, unknown>;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'creation options: the user handle and name',
  })
  user?: Record<string, unknown>;
  @ApiPropertyOptional({ type: [Object], description: "request options: the user's passkeys (none for passwordless)" })
  allowCredentials?: Record<string, unknown>[];
  @ApiPropertyOptional({
    type: [Object],
    description: "creation options: the user's passkeys, not to be registered twice",
  })
  excludeCredentials?: Record<string, unknown>[];
  @ApiPropertyOptional({ enum: ['required', 'preferred', 'discouraged'] }) userVerification?: string;
}

export class PasskeyResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Work laptop' }) name: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastUsedAt: string | null;
}

export class PasskeyListResponse {
  @ApiProperty({ type: [PasskeyResponse] }) items: PasskeyResponse[];
}

export class RememberedDeviceResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Chrome on Linux', description: 'the browser that was remembered, from its User-Agent' })
  label: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, description: 'the last sign-in it skipped the second factor of' })
  lastUsedAt: string | null;
  @ApiProperty({
    format: 'date-time',
    description:
      "when it stops skipping the second factor: its creation plus the reseller's current rememberDeviceDays",
  })
  expiresAt: string;
}

export class RememberedDeviceListResponse {
  @ApiProperty({ type: [RememberedDeviceResponse] }) items: RememberedDeviceResponse[];
}

export class RegisteredPasskeyResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Work laptop' }) name: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiPropertyOptional({
    type: [String],
    description: "only for the user's first second factor: ten codes, shown once",
  })
  recoveryCodes?: string[];
  @ApiPropertyOptional({ description: 'only when called with an enrollmentToken: the completed sign-in' })
  accessToken?: string;
  @ApiPropertyOptional({ example: 3600 }) expiresIn?: number;
}

export class DisableResponse {
  @ApiProperty({ enum: [false] }) enabled: false;
}

export class RecoveryCodesResponse {
  @ApiProperty({ type: [String] }) recoveryCodes: string[];
}

export class ResellerResponse {
  @ApiProperty({ example: 'acme' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'true unless twoFactorMode is off' }) twoFactorEnabled: boolean;
  @ApiProperty({
    enum: TwoFactorModes,
    description:
      'off; optional (enable_2fa: users may enroll, whoever did is asked); required (require_2fa: from enrollBy on, users without a factor must enroll at sign-in)',
  })
  twoFactorMode: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'required mode only' })
  enrollBy: string | null;
  @ApiProperty({ example: 30, description: 'how long a remembered device skips the second factor (0: never offered)' })
  rememberDeviceDays: number;
  @ApiProperty({ description: 'moves by one with every change' }) version: number;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class ResellerUserTwoFactor {
  @ApiProperty({ description: 'the user holds a second factor' }) enabled: boolean;
  @ApiProperty({
    type: [String],
    enum: ['totp', 'passkey'],
    example: ['totp'],
    description: 'the second factors the user holds (recovery codes only back them up)',
  })
  methods: string[];
}

export class ResellerUserResponse {
  @ApiProperty() username: string;
  @ApiProperty({ enum: Roles }) role: string;
  @ApiProperty({ type: ResellerUserTwoFactor }) twoFactor: ResellerUserTwoFactor;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'null: never signed in' })
  lastLoginAt: string | null;
}

export class ResellerUserPageResponse {
  @ApiProperty({ type: [ResellerUserResponse] }) items: ResellerUserResponse[];
  @ApiProperty({ nullable: true, type: String, description: 'pass as cursor for the next page; null on the last' })
  nextCursor: string | null;
}

export class UserResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() username: string;
  @ApiProperty({ nullable: true, type: String }) resellerId: string | null;
  @ApiProperty({ enum: Roles }) role: string;
  @ApiProperty({ nullable: true, type: String, description: 'where security notifications go' }) email: string | null;
}

export class TicketCommentResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() author: string;
  @ApiProperty() body: string;
  @ApiProperty({ description: "an agents' note; reseller users never receive one" }) internal: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class TicketHistoryResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() actor: string;
  @ApiProperty({ example: 'approved' }) action: string;
  @ApiProperty({ enum: TicketStatuses, nullable: true }) fromStatus: string | null;
  @ApiProperty({ enum: TicketStatuses }) toStatus: string;
  @ApiProperty({ nullable: true, type: String }) note: string | null;
  @ApiProperty({ format: 'date-time' }) at: string;
}

export class TicketEffectResponse {
  @ApiProperty({ enum: TwoFactorModes, description: "the reseller's mode now" }) currentMode: string;
  @ApiProperty({ enum: TwoFactorModes, description: 'its mode once approved' }) requestedMode: string;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'require_2fa: the enrollment deadline if approved now',
  })
  enrollBy: string | null;
  @ApiProperty({ description: 'false when approving would leave the mode as it is' }) changes: boolean;
}

export class TicketResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() resellerId: string;
  @ApiProperty({ nullable: true, type: String, description: 'null while the gateway does not know the reseller yet' })
  resellerName: string | null;
  @ApiProperty({ enum: TicketTypes }) type: string;
  @ApiProperty() subject: string;
  @ApiProperty() description: string;
  @ApiProperty({ enum: TicketStatuses }) status: string;
  @ApiProperty() openedBy: string;
  @ApiProperty({ nullable: true, type: String }) targetUsername: string | null;
  @ApiProperty({ nullable: true, type: Number, maximum: GRACE_DAYS_MAX, description: 'require_2fa only' })
  graceDays: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'the agent working on it' }) assignee: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ nullable: true, type: String }) decidedBy: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) decidedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) resolution: string | null;
  @ApiProperty({
    nullable: true,
    type: TicketEffectResponse,
    description: 'an open 2FA ticket: what approving it would change now; null otherwise',
  })
  effect: TicketEffectResponse | null;
  @ApiProperty({ type: [TicketCommentResponse] }) comments: TicketCommentResponse[];
  @ApiProperty({ type: [TicketHistoryResponse] }) history: TicketHistoryResponse[];
}

export class ResellerSummary {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
}

export class ResellerSearchResponse {
  @ApiProperty({ type: [ResellerSummary] }) items: ResellerSummary[];
}

export class TicketPageResponse {
  @ApiProperty({ type: [TicketResponse] }) items: TicketResponse[];
  @ApiProperty({ nullable: true, type: String, description: 'pass as ?cursor= for the next page' }) nextCursor:
    string | null;
}

export class AuditEntryResponse {
  @ApiProperty() id: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ example: 'login.second_factor' }) event: string;
  @ApiProperty({ enum: ['success', 'failure', 'locked'] }) outcome: string;
  @ApiProperty({ nullable: true, type: String }) username: string | null;
  @ApiProperty({ nullable: true, type: String }) userId: string | null;
  @ApiProperty({ nullable: true, type: String }) resellerId: string | null;
  @ApiProperty({ nullable: true, type: String }) actor: string | null;
  @ApiProperty({ nullable: true, type: String }) clientIp: string | null;
  @ApiProperty({ nullable: true, type: String }) userAgent: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) detail: Record<string, unknown>;
}

export class AuditPageResponse {
  @ApiProperty({ type: [AuditEntryResponse] }) items: AuditEntryResponse[];
}
