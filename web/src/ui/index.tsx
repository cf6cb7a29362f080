// Codeyard's small design system: every page builds from these, so pages look and behave alike.
import {
  type ComponentProps,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  useEffect,
  useId,
} from 'react';
import styles from './ui.module.css';

export { styles };

type ButtonProps = ComponentProps<'button'> & { variant?: 'primary' | 'secondary' | 'danger' };

export function Button({ variant = 'primary', className, type = 'button', ...props }: ButtonProps) {
  const variantClass = variant === 'primary' ? '' : styles[variant];
  return <button type={type} className={[styles.button, variantClass, className].filter(Boolean).join(' ')} {...props} />;
}

interface FieldFrameProps {
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
  id?: string | undefined;
  children: (control: { id: string; 'aria-invalid'?: true; 'aria-describedby'?: string }) => ReactNode;
}

/** The label, hint and error around one form control; the error is linked to the control and marks it invalid. */
function FieldFrame({ label, error, hint, id, children }: FieldFrameProps) {
  const generated = useId();
  const controlId = id ?? generated;
  const describedBy = [hint ? `${controlId}-hint` : '', error ? `${controlId}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={styles.field}>
      <label htmlFor={controlId}>{label}</label>
      {children({ id: controlId, ...(error && { 'aria-invalid': true }), ...(describedBy && { 'aria-describedby': describedBy }) })}
      {hint && (
        <span id={`${controlId}-hint`} className={styles.hint}>
          {hint}
        </span>
      )}
      {error && (
        <span id={`${controlId}-error`} className={styles.fieldError}>
          {error}
        </span>
      )}
    </div>
  );
}

type FieldProps = { label: string; error?: string | undefined; hint?: string | undefined };

/** A labelled input; `error` is announced and linked to the input. */
export function TextField({ label, error, hint, id, ...props }: InputHTMLAttributes<HTMLInputElement> & FieldProps) {
  return (
    <FieldFrame label={label} error={error} hint={hint} id={id}>
      {(control) => <input {...control} {...props} />}
    </FieldFrame>
  );
}

/** A labelled multi-line input; `error` is announced and linked to it. */
export function TextArea({ label, error, hint, id, ...props }: TextareaHTMLAttributes<HTMLTextAreaElement> & FieldProps) {
  return (
    <FieldFrame label={label} error={error} hint={hint} id={id}>
      {(control) => <textarea rows={4} {...control} {...props} />}
    </FieldFrame>
  );
}

/** A labelled drop-down of fixed options. */
export function SelectField({
  label,
  error,
  hint,
  id,
  options,
  ...props
}: SelectHTMLAttributes<HTMLSelectElement> & FieldProps & { options: readonly { value: string; label: string }[] }) {
  return (
    <FieldFrame label={label} error={error} hint={hint} id={id}>
      {(control) => (
        <select {...control} {...props}>
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    </FieldFrame>
  );
}

export function Card({ title, children, headingLevel = 2 }: { title?: string; children: ReactNode; headingLevel?: 2 | 3 }) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <section className={styles.card}>
      {title && <Heading>{title}</Heading>}
      {children}
    </section>
  );
}

export function Alert({ children }: { children: ReactNode }) {
  return (
    <div role="alert" className={styles.alert}>
      {children}
    </div>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <div role="status" className={styles.notice}>
      {children}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" className={styles.muted}>
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className={styles.muted}>{children}</p>;
}

/** The page's heading, also its document title. */
export function PageTitle({ children }: { children: string }) {
  useEffect(() => {
    document.title = `${children} · Codeyard`;
  }, [children]);
  return <h1>{children}</h1>;
}

export { type Column, DataTable } from './DataTable';
