import { describe, expect, it } from 'vitest';
import { absoluteLink, describeAction, emailProblem, fieldKey, fieldMessage, formatTime, passwordProblem, sentence } from './format';

describe('passwordProblem', () => {
  it.each([
    ['', 'Enter a password.'],
    ['short', 'Use at least 12 characters (7 more needed).'],
    ['elevenchars', 'Use at least 12 characters (1 more needed).'],
    ['twelve chars', ''],
    ['ééééééééééé', 'Use at least 12 characters (1 more needed).'],
  ])('%j → %j', (pw, want) => {
    expect(passwordProblem(pw)).toBe(want);
  });
});

describe('emailProblem', () => {
  it.each([
    ['', 'Enter an e-mail address.'],
    ['  ', 'Enter an e-mail address.'],
    ['nobody', 'Enter an e-mail address like name@example.com.'],
    ['a b@c', 'Enter an e-mail address like name@example.com.'],
    ['ann@example.com', ''],
    [' ann@example.com ', ''],
  ])('%j → %j', (email, want) => {
    expect(emailProblem(email)).toBe(want);
  });
});

describe('helpers', () => {
  it('fieldKey keeps the last path element', () => {
    expect(fieldKey('input.password')).toBe('password');
    expect(fieldKey('email')).toBe('email');
    expect(fieldKey(undefined)).toBe('');
  });
  it('absoluteLink makes server-relative links absolute', () => {
    expect(absoluteLink('/invite?token=x', 'http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/invite?token=x');
    expect(absoluteLink('invite?token=x', 'http://h/')).toBe('http://h/invite?token=x');
    expect(absoluteLink('https://sync.example/invite?token=x', 'http://h')).toBe('https://sync.example/invite?token=x');
  });
  it('formatTime handles empty and invalid values', () => {
    expect(formatTime(null)).toBe('—');
    expect(formatTime('garbage')).toBe('garbage');
    expect(formatTime('2026-01-02T03:04:05Z', 'en-GB')).toMatch(/2026/);
  });
  it('describeAction names known actions and passes unknown ones through', () => {
    expect(describeAction('login.failed')).toBe('Sign-in failed');
    expect(describeAction('something.new')).toBe('something.new');
  });
});

describe('server messages', () => {
  it.each([
    ['currentPassword is wrong', 'currentPassword', 'The current password is wrong.'],
    ['password: use at least 12 characters', 'input.password', 'Use at least 12 characters.'],
    ['email is already used by another account', 'email', 'The e-mail address is already used by another account.'],
    ['the setup token is wrong: use the setup link printed in the server log', 'token', 'The setup token is wrong: use the setup link printed in the server log.'],
    ['Something odd!', undefined, 'Something odd!'],
  ])('%j (field %s) → %j', (msg, field, want) => {
    expect(fieldMessage(msg, field)).toBe(want);
  });
  it('sentence leaves empty text alone', () => {
    expect(sentence('  ')).toBe('');
    expect(sentence('ok')).toBe('Ok.');
  });
});
