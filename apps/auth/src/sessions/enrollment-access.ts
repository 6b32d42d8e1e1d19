import { SetMetadata } from '@nestjs/common';
import { DomainError, ErrorCodes } from '@pbx2fa/contracts';

/**
 * An enrollment token is what a password sign-in answers when the account must set up a second
 * factor first (an agent without one). It names a session of purpose `enrollment`: short-lived,
 * ended by logout, used up when the first factor is activated, and good only on the routes
 * marked @AllowEnrollment() — setting up a factor, and logging out. Everywhere else it gets
 * 403 `enrollment_required`; it is never an access token (introspection calls it inactive).
 */

/** Long enough to install an authenticator app, scan the code and type a passcode; short enough to be worthless when leaked. */
export const ENROLLMENT_TTL_SECONDS = 600;

export const ALLOW_ENROLLMENT = 'pbx2fa:allow-enrollment';

/** A route an enrollment token may call (besides a full access token). */
export const AllowEnrollment = () => SetMetadata(ALLOW_ENROLLMENT, true);

export const enrollmentRequired = () =>
  new DomainError(
    403,
    ErrorCodes.EnrollmentRequired,
    'Your sign-in is not finished: set up two-factor authentication first (Set Up Google Authenticator: POST /auth/2fa/setup, ' +
      'then POST /auth/2fa/activate with the passcode and your current password; or Add a Passkey: POST /auth/passkeys/registration-options, ' +
      'then POST /auth/passkeys). Until then this token can do nothing else.',
  );
