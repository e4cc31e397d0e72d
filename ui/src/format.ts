// Formatting and validation helpers shared by the screens (pure functions, tested).

/** MIN_PASSWORD is the server's minimum password length. */
export const MIN_PASSWORD = 12;

/** passwordProblem returns what is wrong with a new password, or '' when it is acceptable. */
export function passwordProblem(pw: string): string {
  if (pw.length === 0) return 'Enter a password.';
  const n = [...pw].length;
  if (n < MIN_PASSWORD) {
    const missing = MIN_PASSWORD - n;
    return `Use at least ${MIN_PASSWORD} characters (${missing} more needed).`;
  }
  return '';
}

/** emailProblem returns what is wrong with an e-mail address, or ''. */
export function emailProblem(email: string): string {
  const e = email.trim();
  if (e === '') return 'Enter an e-mail address.';
  if (!/^[^\s@]+@[^\s@]+$/.test(e)) return 'Enter an e-mail address like name@example.com.';
  return '';
}

/** formatTime renders an RFC 3339 timestamp in the reader's locale, or '—'. */
export function formatTime(iso: string | null | undefined, locale?: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

/** fieldKey reduces a server field path such as "input.password" to "password". */
export function fieldKey(field: string | undefined): string {
  if (!field) return '';
  const parts = field.split('.');
  return parts[parts.length - 1];
}

/** absoluteLink makes a server-relative link (like /invite?token=…) absolute for copying. */
export function absoluteLink(link: string, origin: string): string {
  if (/^https?:\/\//i.test(link)) return link;
  return origin.replace(/\/$/, '') + (link.startsWith('/') ? link : '/' + link);
}

/** describeAction turns an audit action code into words. */
export function describeAction(action: string): string {
  const known: Record<string, string> = {
    setup: 'Setup completed',
    'setup.failed': 'Setup attempt refused',
    'login.ok': 'Signed in',
    'login.failed': 'Sign-in failed',
    logout: 'Signed out',
    'token.created': 'API token created',
    'token.revoked': 'API token revoked',
    'admin.added': 'Admin added',
    'admin.invited': 'Admin invited',
    'admin.removed': 'Admin removed',
    'invitation.accepted': 'Invitation accepted',
    'user.added': 'User added',
    'password.changed': 'Password changed',
    'password.change_failed': 'Password change refused',
    'mail.smtp_saved': 'E-mail settings saved',
    'mail.test_sent': 'Test mail sent',
    'mail.test_failed': 'Test mail not sent',
    'mail.invitation_sent': 'Sign-in invitation e-mailed',
    'mail.invitation_failed': 'Sign-in invitation not sent',
  };
  return known[action] ?? action;
}

/** sentence capitalizes the first letter and ends the text with a full stop. */
export function sentence(s: string): string {
  const t = s.trim();
  if (!t) return t;
  const first = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?…]$/.test(first) ? first : first + '.';
}

/** FIELD_WORDS names the API's input fields the way the screens label them. */
export const FIELD_WORDS: Record<string, string> = {
  currentPassword: 'the current password',
  newPassword: 'the new password',
  password: 'the password',
  email: 'the e-mail address',
  name: 'the name',
  token: 'the token',
  expiresInDays: 'the number of days',
  host: 'the SMTP server',
  port: 'the port',
  security: 'the security',
  username: 'the user name',
  from: 'the sender address',
  fromName: 'the sender name',
  to: 'the address',
};

/** fieldMessage rewrites a server message about a field (like "currentPassword is wrong") in words. */
export function fieldMessage(message: string, field: string | undefined): string {
  const key = fieldKey(field);
  let m = message.trim();
  const words = FIELD_WORDS[key];
  if (key && words) {
    const prefixed = new RegExp(`^(?:input\\.)?${key}\\b:?\\s*`);
    if (prefixed.test(m)) {
      const rest = m.replace(prefixed, '');
      m = /^(is|are|must|should|cannot|can't|has|was)\b/i.test(rest) ? `${words} ${rest}` : rest;
    }
  }
  return sentence(m);
}
