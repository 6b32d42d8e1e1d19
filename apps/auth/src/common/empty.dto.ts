/** A body with no properties: the validation pipe refuses any property sent in it. */
export class EmptyDto {}
