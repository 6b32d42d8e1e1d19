import { containsPattern } from './like-pattern';

describe('containsPattern', () => {
  it('wraps the text in % and escapes the wildcards and the escape character', () => {
    expect(containsPattern('blue')).toBe('%blue%');
    expect(containsPattern('50%_off\\')).toBe('%50\\%\\_off\\\\%');
  });
});
