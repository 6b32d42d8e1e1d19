import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import { ErrorCodes } from '@pbx2fa/contracts';
import { WHOLE_BODY } from './exactly-one-of';

function firstProblem(errors: ValidationError[], parent = ''): string {
  for (const error of errors) {
    const path = parent ? `${parent}.${error.property}` : error.property;
    if (error.constraints) {
      if (error.constraints.whitelistValidation) return `Unknown field "${path}".`;
      const [message] = Object.values(error.constraints);
      return message.endsWith('.') ? message : `${message}.`;
    }
    if (error.children?.length) return firstProblem(error.children, path);
  }
  return 'The request is not valid.';
}

/** A rule about the whole body ("not both") says more than what is wrong with one of its fields. */
const wholeBodyFirst = (errors: ValidationError[]) =>
  [...errors].sort((a, b) => Number(b.property === WHOLE_BODY) - Number(a.property === WHOLE_BODY));

/** Unknown fields and wrong types are refused with the contract's body, naming the first problem. */
export function strictValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: false,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) =>
      new BadRequestException({
        statusCode: 400,
        error: ErrorCodes.ValidationFailed,
        message: firstProblem(wholeBodyFirst(errors)),
      }),
  });
}
