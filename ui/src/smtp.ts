// The SMTP settings form's logic: the draft the Settings screen edits, the
// checks made before saving (the server checks again and names the field),
// and the input sent to saveSmtpSettings with the password kept write-only.

import type { SmtpSecurity, SmtpSettingsInput, SmtpSettingsQuery } from './gql/graphql';

type Saved = NonNullable<SmtpSettingsQuery['smtpSettings']>;

/** SmtpDraft is what the form holds: strings as typed. */
export interface SmtpDraft {
  host: string;
  port: string;
  security: SmtpSecurity;
  username: string;
  /** A new password; empty means "keep the saved one" (see clearPassword). */
  password: string;
  /** Whether a password is saved on the server (it is never shown). */
  passwordSet: boolean;
  /** Remove the saved password on the next save. */
  clearPassword: boolean;
  from: string;
  fromName: string;
}

/** The fields of the form, as the server names them in extensions.field. */
export const SMTP_FIELDS = ['host', 'port', 'security', 'username', 'password', 'from', 'fromName'] as const;

/** SECURITY lists the choices with what they mean, in the order the form shows them. */
export const SECURITY: Array<[SmtpSecurity, string]> = [
  ['STARTTLS', 'STARTTLS (usually port 587)'],
  ['TLS', 'TLS from the start (usually port 465)'],
  ['NONE', 'None (only for a relay on this machine)'],
];

/** defaultPort is the usual port of a security choice. */
export function defaultPort(s: SmtpSecurity): string {
  return s === 'TLS' ? '465' : s === 'STARTTLS' ? '587' : '25';
}

/** draftFrom fills the form from the saved settings (null: none saved yet). */
export function draftFrom(saved: Saved | null | undefined): SmtpDraft {
  if (!saved) {
    return { host: '', port: '587', security: 'STARTTLS', username: '', password: '', passwordSet: false, clearPassword: false, from: '', fromName: 'Synchronizer' };
  }
  return {
    host: saved.host,
    port: String(saved.port),
    security: saved.security,
    username: saved.username,
    password: '',
    passwordSet: saved.passwordSet,
    clearPassword: false,
    from: saved.from,
    fromName: saved.fromName,
  };
}

/** withSecurity changes the security choice, and the port with it while the port is still the usual one of the old choice. */
export function withSecurity(d: SmtpDraft, s: SmtpSecurity): SmtpDraft {
  const port = d.port.trim() === '' || d.port.trim() === defaultPort(d.security) ? defaultPort(s) : d.port;
  return { ...d, security: s, port };
}

const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;

/** isEmail is a plain check of an address like name@example.com (the server checks fully). */
export function isEmail(s: string): boolean {
  return EMAIL.test(s.trim());
}

/** checkSmtp returns the problems of a draft by field; empty when it may be saved. */
export function checkSmtp(d: SmtpDraft): Record<string, string> {
  const errs: Record<string, string> = {};
  const host = d.host.trim();
  if (!host) errs.host = "Enter the SMTP server's host name, like smtp.example.com.";
  else if (/^[a-z]+:\/\//i.test(host) || /[\s/]/.test(host)) errs.host = 'Enter only the host name, without https:// or a path.';
  const port = Number(d.port.trim());
  if (!/^\d+$/.test(d.port.trim()) || port < 1 || port > 65535) errs.port = 'Enter a port between 1 and 65535 (587 for STARTTLS, 465 for TLS).';
  const willHavePassword = d.password !== '' || (d.passwordSet && !d.clearPassword);
  if (!d.username.trim() && d.password !== '') errs.username = 'Enter the user name that goes with the password.';
  else if (!d.username.trim() && willHavePassword) errs.username = 'Enter the user name, or remove the saved password.';
  if (d.security === 'NONE' && d.username.trim() && !['localhost', '127.0.0.1', '::1'].includes(host)) {
    errs.security = 'A password is only sent over TLS: choose STARTTLS or TLS (None is for a relay on this machine).';
  }
  if (!d.from.trim()) errs.from = 'Enter the address the mails come from, like sync@example.com.';
  else if (!isEmail(d.from)) errs.from = 'Write the sender as an address only, like sync@example.com.';
  if (/[\r\n]/.test(d.fromName)) errs.fromName = 'The sender name must be on one line.';
  return errs;
}

/**
 * smtpInput is the saveSmtpSettings input. The password is sent only when one
 * was typed (set) or the saved one is to be removed (""); otherwise it is left
 * out and the server keeps the saved one.
 */
export function smtpInput(d: SmtpDraft): SmtpSettingsInput {
  const input: SmtpSettingsInput = {
    host: d.host.trim(),
    port: Number(d.port.trim()),
    security: d.security,
    username: d.username.trim(),
    from: d.from.trim(),
    fromName: d.fromName.trim(),
  };
  if (d.password !== '') input.password = d.password;
  else if (d.clearPassword) input.password = '';
  return input;
}

/** passwordState says what will happen to the password, for the hint under the field. */
export function passwordState(d: SmtpDraft): string {
  if (d.password !== '') return d.passwordSet ? 'The new password replaces the saved one when you save.' : 'The password is saved when you save.';
  if (d.passwordSet && d.clearPassword) return 'The saved password is removed when you save.';
  if (d.passwordSet) return 'A password is set. It is never shown; leave the field empty to keep it, or type a new one.';
  return 'No password is set. Leave it empty if the server needs none.';
}

/** checkRecipient checks the test mail's address. */
export function checkRecipient(to: string): string {
  if (!to.trim()) return 'Enter the address to send the test mail to.';
  if (!isEmail(to)) return 'Enter one address, like you@example.com.';
  return '';
}
