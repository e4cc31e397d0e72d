// Small accessible building blocks: links, buttons that show progress, labelled
// fields with hints and errors, alerts that say what to do next, dialogs, copy.

import type { ComponentChildren, JSX, RefObject } from 'preact';
import { useCallback, useEffect, useId, useRef, useState } from 'preact/hooks';
import { ApiError, asApiError, type ErrorCode } from './api/client';
import { fieldKey, fieldMessage, sentence } from './format';
import { navigate } from './nav';

/** Link is an <a> that navigates inside the app without a page load. */
export function Link(props: JSX.HTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const { href, onClick, ...rest } = props;
  return (
    <a
      {...rest}
      href={href}
      onClick={(e) => {
        if (onClick) (onClick as (ev: MouseEvent) => void)(e as unknown as MouseEvent);
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(href);
      }}
    />
  );
}

/** Spinner is a decorative progress indicator; the text next to it says what is happening. */
export function Spinner() {
  return <span class="spinner" aria-hidden="true" />;
}

/** Button shows a spinner and a progress label while busy, and cannot be pressed twice. */
export function Button(
  props: JSX.HTMLAttributes<HTMLButtonElement> & {
    busy?: boolean;
    busyLabel?: string;
    variant?: 'primary' | 'secondary' | 'danger' | 'ghost';
    type?: 'button' | 'submit';
    disabled?: boolean;
  },
) {
  const { busy, busyLabel, variant = 'secondary', type = 'button', disabled, children, class: cls, ...rest } = props;
  return (
    <button
      {...rest}
      type={type}
      class={`btn btn-${variant}${cls ? ' ' + cls : ''}`}
      disabled={disabled || busy}
      aria-busy={busy ? 'true' : undefined}
    >
      {busy && <Spinner />}
      <span>{busy && busyLabel ? busyLabel : children}</span>
    </button>
  );
}

/** Field is a labelled input with an optional hint and error, wired for screen readers. */
export function Field(props: {
  label: string;
  value: string;
  onInput: (v: string) => void;
  type?: string;
  name?: string;
  hint?: ComponentChildren;
  error?: string;
  autoComplete?: string;
  required?: boolean;
  inputRef?: RefObject<HTMLInputElement>;
  inputMode?: 'text' | 'email' | 'numeric';
  min?: number;
  max?: number;
  disabled?: boolean;
}) {
  const id = useId();
  const hintId = props.hint ? `${id}-hint` : undefined;
  const errId = props.error ? `${id}-err` : undefined;
  const describedBy = [errId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${props.error ? ' field-invalid' : ''}`}>
      <label for={id}>
        {props.label}
        {props.required && <span class="req"> (required)</span>}
      </label>
      {props.hint && (
        <p id={hintId} class="hint">
          {props.hint}
        </p>
      )}
      <input
        id={id}
        ref={props.inputRef}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)}
        autoComplete={props.autoComplete}
        required={props.required}
        aria-required={props.required ? 'true' : undefined}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy}
        inputMode={props.inputMode}
        min={props.min}
        max={props.max}
        disabled={props.disabled}
        spellcheck={false}
      />
      {props.error && (
        <p id={errId} class="field-error">
          {props.error}
        </p>
      )}
    </div>
  );
}

/** Hints overrides, for one screen, what an error code tells the reader to do. */
export type Hints = Partial<Record<ErrorCode, string>>;

/** ErrorAlert shows what went wrong and what to do next. */
export function ErrorAlert(props: { error: ApiError | null; title?: string; onRetry?: () => void; hints?: Hints }) {
  const e = props.error;
  if (!e) return null;
  const hint = props.hints?.[e.code] ?? e.hint;
  return (
    <div class="alert alert-error" role="alert">
      <p class="alert-title">{props.title ?? 'That did not work'}</p>
      <p>{sentence(e.message)}</p>
      <p class="alert-hint">{hint}</p>
      {props.onRetry && (
        <Button variant="secondary" onClick={props.onRetry}>
          Try again
        </Button>
      )}
    </div>
  );
}

/** Notice is a polite status message (success or information). */
export function Notice(props: { kind?: 'success' | 'info' | 'warning'; children: ComponentChildren }) {
  return (
    <div class={`alert alert-${props.kind ?? 'info'}`} role="status">
      {props.children}
    </div>
  );
}

/** Loading is a status line for data that is on its way. */
export function Loading(props: { label: string }) {
  return (
    <p class="loading" role="status">
      <Spinner /> {props.label}
    </p>
  );
}

// initialPage is true until the first page has rendered: on a fresh load focus
// stays at the top (so the first Tab reaches the skip link); after that, every
// in-app navigation moves focus to the new page's heading, as a page load would.
let initialPage = true;

/** PageHeader renders the page's h1 and moves focus to it after in-app navigation. */
export function PageHeader(props: { title: string; intro?: ComponentChildren; actions?: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${props.title} · Synchronizer`;
    if (initialPage) initialPage = false;
    else ref.current?.focus({ preventScroll: false });
  }, [props.title]);
  return (
    <header class="page-header">
      <div>
        <h1 ref={ref} tabIndex={-1}>
          {props.title}
        </h1>
        {props.intro && <p class="intro">{props.intro}</p>}
      </div>
      {props.actions && <div class="page-actions">{props.actions}</div>}
    </header>
  );
}

/** ConfirmDialog is a modal <dialog> asking to confirm a destructive action. */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  busyLabel: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) {
      setError(null);
      d.showModal();
    } else if (!props.open && d.open) {
      d.close();
    }
  }, [props.open]);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await props.onConfirm();
      props.onClose();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        if (busy) e.preventDefault();
        else props.onClose();
      }}
    >
      <h2 id={titleId}>{props.title}</h2>
      <div class="dialog-body">{props.children}</div>
      <ErrorAlert error={error} />
      <div class="dialog-actions">
        <Button variant="secondary" onClick={props.onClose} disabled={busy}>
          Cancel
        </Button>
        <Button variant="danger" onClick={confirm} busy={busy} busyLabel={props.busyLabel}>
          {props.confirmLabel}
        </Button>
      </div>
    </dialog>
  );
}

/** CopyButton copies text to the clipboard and says so. */
export function CopyButton(props: { text: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = useCallback(async () => {
    try {
      await navigator.clipboard.writeText(props.text);
      setState('copied');
    } catch {
      setState('failed');
    }
  }, [props.text]);
  return (
    <span class="copy">
      <Button variant="secondary" onClick={copy}>
        {props.label ?? 'Copy'}
      </Button>
      <span class="copy-status" role="status">
        {state === 'copied' ? 'Copied to the clipboard.' : state === 'failed' ? 'Could not copy: select the text and copy it by hand.' : ''}
      </span>
    </span>
  );
}

/**
 * OnThisPage lists a long page's sections as plain in-page links, so a reader
 * finds (and keyboard users jump to) a section without scrolling through the others.
 */
export function OnThisPage(props: { sections: Array<{ id: string; label: string }> }) {
  return (
    <nav class="toc" aria-label="On this page">
      <span class="toc-title">On this page:</span>
      <ul>
        {props.sections.map((s) => (
          <li key={s.id}>
            <a href={`#${s.id}`}>{s.label}</a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** EmptyState explains honestly why an area has nothing to show yet. */
export function EmptyState(props: { title: string; children: ComponentChildren }) {
  return (
    <section class="empty" aria-label={props.title}>
      <h2>{props.title}</h2>
      {props.children}
    </section>
  );
}

/** FieldErrors maps a form's field names to their error messages. */
export type FieldErrors = Record<string, string>;

/**
 * splitError puts a BAD_USER_INPUT error that names one of the form's fields
 * next to that field; any other error is returned for the form's ErrorAlert.
 */
export function splitError(err: unknown, known: string[]): { fields: FieldErrors; general: ApiError | null } {
  const e = asApiError(err);
  const key = fieldKey(e.field);
  if (e.code === 'BAD_USER_INPUT' && key && known.includes(key)) {
    return { fields: { [key]: fieldMessage(e.message, e.field) }, general: null };
  }
  return { fields: {}, general: e };
}

/** focusFirstError moves focus to the form's first invalid field. */
export function focusFirstError(form: HTMLFormElement | null): void {
  setTimeout(() => form?.querySelector<HTMLInputElement>('[aria-invalid="true"]')?.focus(), 0);
}

/** useAsync loads data once and on reload(), tracking loading and error state. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[] = []) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setLoading(true);
    setError(null);
    load().then(
      (d) => {
        if (!live) return;
        setData(d);
        setLoading(false);
      },
      (err) => {
        if (!live) return;
        setError(asApiError(err));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [tick, ...deps]);
  return { data, error, loading, reload: () => setTick((t) => t + 1), setData };
}
