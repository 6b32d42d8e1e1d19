import { registerDecorator, ValidateIf, type ValidationArguments } from 'class-validator';

/**
 * Some bodies take one of several alternative fields (a passcode, a recovery code or a passkey).
 * Checking each field only while the others are absent lets a second one through unchecked, and
 * a number then reaches code that expects text. So the rule is written once, for the whole body:
 * exactly one of the fields is sent, and whichever is sent is checked by its own validators.
 * A field counts as sent unless it is absent: `null` is sent, and its validators refuse it.
 */

/** The name the rule is registered under: it concerns the body, not one field, and is reported first. */
export const WHOLE_BODY = '(body)';

const withArticle = (field: string) => `${/^[aeiou]/i.test(field) ? 'an' : 'a'} ${field}`;

function eitherOf(fields: readonly string[]): string {
  const named = fields.map(withArticle);
  return named.length < 2 ? named.join('') : `${named.slice(0, -1).join(', ')} or ${named[named.length - 1]}`;
}

function sentFields(body: object, fields: readonly string[]): string[] {
  return fields.filter((field) => (body as Record<string, unknown>)[field] !== undefined);
}

/** Class decorator: the body must carry exactly one of `fields` ("send either a passcode or a recoveryCode, not both"). */
export function ExactlyOneOf(fields: readonly string[]): ClassDecorator {
  if (fields.length < 2) throw new Error('ExactlyOneOf needs at least two alternative fields');
  return (target) => {
    for (const field of fields)
      ValidateIf((body: object) => sentFields(body, [field]).length > 0)(target.prototype as object, field);
    registerDecorator({
      name: 'exactlyOneOf',
      target,
      propertyName: WHOLE_BODY,
      validator: {
        // A client field that happens to share the rule's name is unknown to the API, so refused too.
        validate: (value: unknown, args: ValidationArguments) =>
          value === undefined && sentFields(args.object, fields).length === 1,
        defaultMessage: (args: ValidationArguments) => {
          if (args.value !== undefined) return `Unknown field "${WHOLE_BODY}".`;
          const sent = sentFields(args.object, fields);
          if (sent.length === 0) return `Send either ${eitherOf(fields)}.`;
          return `Send either ${eitherOf(fields)}, not ${sent.length === 2 ? 'both' : 'several'}.`;
        },
      },
    });
  };
}
