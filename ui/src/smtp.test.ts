import { describe, expect, it } from 'vitest';
import { describeAction, fieldMessage } from './format';
import { checkRecipient, checkSmtp, draftFrom, passwordState, smtpInput, withSecurity } from './smtp';

const saved = { host: 'smtp.example.com', port: 587, security: 'STARTTLS' as const, username: 'sync', passwordSet: true, from: 'sync@example.com', fromName: 'Synchronizer' };

describe('SMTP form', () => {
  it('starts from sensible defaults and from the saved settings', () => {
    const d = draftFrom(null);
    expect(d).toMatchObject({ port: '587', security: 'STARTTLS', passwordSet: false, password: '' });
    const s = draftFrom(saved);
    expect(s).toMatchObject({ host: 'smtp.example.com', port: '587', passwordSet: true, password: '' });
  });

  it('names the fields at fault', () => {
    const d = draftFrom(null);
    expect(Object.keys(checkSmtp(d)).sort()).toEqual(['from', 'host']);
    expect(checkSmtp({ ...d, host: 'https://smtp.example.com', from: 'sync@example.com' })).toHaveProperty('host');
    expect(checkSmtp({ ...d, host: 'smtp.example.com', port: '70000', from: 'sync@example.com' })).toHaveProperty('port');
    expect(checkSmtp({ ...d, host: 'smtp.example.com', port: 'x', from: 'sync@example.com' })).toHaveProperty('port');
    expect(checkSmtp({ ...d, host: 'h', from: 'Sync <sync@example.com>' }).from).toMatch(/address only/);
    expect(checkSmtp({ ...d, host: 'h', from: 'a@example.com', password: 'p' })).toEqual({ username: 'Enter the user name that goes with the password.' });
    expect(checkSmtp({ ...draftFrom(saved), username: '' })).toHaveProperty('username');
    expect(checkSmtp({ ...draftFrom(saved), username: '', clearPassword: true })).toEqual({});
    expect(checkSmtp(draftFrom(saved))).toEqual({});
    expect(checkSmtp({ ...draftFrom(saved), security: 'NONE' })).toHaveProperty('security');
    expect(checkSmtp({ ...draftFrom(saved), security: 'NONE', host: '127.0.0.1' })).toEqual({});
  });

  it('keeps the password write-only', () => {
    const s = draftFrom(saved);
    expect(smtpInput(s)).not.toHaveProperty('password');
    expect(passwordState(s)).toMatch(/A password is set/);
    expect(smtpInput({ ...s, password: 'new secret' }).password).toBe('new secret');
    expect(smtpInput({ ...s, clearPassword: true }).password).toBe('');
    expect(passwordState({ ...s, clearPassword: true })).toMatch(/removed/);
    expect(smtpInput({ ...s, port: ' 2525 ', host: ' smtp.example.com ' })).toMatchObject({ port: 2525, host: 'smtp.example.com' });
  });

  it('moves the port with the security choice only while it is the usual one', () => {
    const d = draftFrom(null);
    expect(withSecurity(d, 'TLS').port).toBe('465');
    expect(withSecurity(withSecurity(d, 'TLS'), 'NONE').port).toBe('25');
    expect(withSecurity({ ...d, port: '2525' }, 'TLS').port).toBe('2525');
  });

  it('checks the test mail recipient', () => {
    expect(checkRecipient('')).toMatch(/Enter the address/);
    expect(checkRecipient('bob')).toMatch(/one address/);
    expect(checkRecipient('a@example.com, b@example.com')).toMatch(/one address/);
    expect(checkRecipient('bob@example.com')).toBe('');
  });
});

describe('server answers about e-mail', () => {
  it('word the field errors and the audit actions', () => {
    expect(fieldMessage('port: must be between 1 and 65535', 'port')).toBe('The port must be between 1 and 65535.');
    expect(fieldMessage('from: "x" is not an e-mail address (write it as name@example.com)', 'from')).toBe('"x" is not an e-mail address (write it as name@example.com).');
    expect(describeAction('mail.invitation_sent')).toBe('Sign-in invitation e-mailed');
    expect(describeAction('mail.smtp_saved')).toBe('E-mail settings saved');
  });
});
