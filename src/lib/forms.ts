// Form fields as every TutorKit form reads them, and the one way a parse failure becomes field
// errors. A urlencoded body gives each field as a string, several strings (a repeated field) or
// nothing; these builders accept exactly the shape a form sends and answer anything else with a
// message naming the field, never zod's own wording ("expected string, received array").
import { z } from 'zod';
import { ValidationError } from './errors.js';

/** Control characters other than tab and line breaks: never typed by a person, refused by PostgreSQL (NUL), dangerous in calendar files. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
/** The same with tab and line breaks: a one-line field holds none of them. */
const CONTROL_OR_BREAK = /[\u0000-\u001f\u007f]/;

export interface TextOptions {
  /** The limit the form's maxlength also sets. */
  max: number;
  /** Message when the field is empty; without it the field may be empty. */
  required?: string;
  /** Line breaks and tabs allowed (a description); other control characters never are. */
  multiline?: boolean;
}

/** What a person reads when a single field arrives as something else (twice, or not as text). */
function notOneValue(label: string, missing?: string) {
  return (issue: { input?: unknown }) =>
    issue.input === undefined ? (missing ?? `Enter ${label}.`) : Array.isArray(issue.input) ? `${label}: enter one value, not several.` : `${label}: enter it as text.`;
}

/** One text field, trimmed, within `max` characters, without control characters. */
export function textField(label: string, options: TextOptions) {
  const forbidden = options.multiline ? CONTROL : CONTROL_OR_BREAK;
  const base = z
    .string({ error: notOneValue(label, options.required) })
    .trim()
    .max(options.max, { error: (issue) => `${label}: use at most ${options.max.toLocaleString('en-US')} characters (this has ${String(issue.input).length.toLocaleString('en-US')}).` })
    .refine((v) => !forbidden.test(v), { error: `${label} contains a control character${options.multiline ? '' : ' or a line break'}. Remove it and try again.` });
  const checked = options.required ? base.min(1, { error: options.required }) : base;
  return z.preprocess((v) => (v === undefined && !options.required ? '' : v), checked);
}

/**
 * A web address (http or https, with a real host), stored as the URL parser normalises it. The
 * parser silently drops tabs and line breaks; the raw text is checked first so that a pasted
 * value carrying them is refused rather than stored as typed.
 */
export function webAddress(label: string, options: { max?: number; message?: string } = {}) {
  return linkText(label, options)
    .refine(isWebAddress, { error: options.message ?? `${label}: enter a full web address starting with https://` })
    .transform((v) => new URL(v).href);
}

/** An optional web address: empty means none (null). */
export function optionalWebAddress(label: string, options: { max?: number; message?: string } = {}) {
  const link = linkText(label, options)
    .refine((v) => v === '' || isWebAddress(v), { error: options.message ?? `${label}: enter a full web address starting with https://` })
    .transform((v) => (v ? new URL(v).href : null));
  return z.preprocess((v) => (v === undefined ? '' : v), link);
}

function linkText(label: string, options: { max?: number }) {
  const max = options.max ?? 2000;
  return z
    .string({ error: notOneValue(label) })
    .trim()
    .max(max, { error: `${label}: use a web address of at most ${max.toLocaleString('en-US')} characters.` })
    .refine((v) => !CONTROL_OR_BREAK.test(v), { error: `${label} contains a line break or another control character. Paste the link again without it.`, abort: true });
}

export function isWebAddress(value: string): boolean {
  try {
    const { protocol, hostname } = new URL(value);
    // A meeting or resource link names a real host: "https://zoom" is a typo, not a link.
    return (protocol === 'https:' || protocol === 'http:') && (hostname.includes('.') || hostname === 'localhost');
  } catch {
    return false;
  }
}

/**
 * A field that may be sent several times (checkboxes, table rows): none, one or many strings,
 * each within `max` characters and without control characters, at most `count` of them.
 */
export function fieldList(label: string, options: { max: number; count: number }) {
  return z
    .preprocess((v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(z.string({ error: `${label}: enter each value as text.` }), { error: `${label}: enter each value as text.` }))
    .refine((list) => list.length <= options.count, { error: `${label}: at most ${options.count.toLocaleString('en-US')} values.` })
    .refine((list) => list.every((v) => v.length <= options.max), { error: `${label}: use at most ${options.max.toLocaleString('en-US')} characters for each.` })
    .refine((list) => list.every((v) => !CONTROL_OR_BREAK.test(v)), { error: `${label} contains a control character or a line break. Remove it and try again.` });
}

/** A checkbox: present ("on") or absent. */
export const checkbox = z.preprocess((v) => v === 'on' || v === 'true' || v === '1', z.boolean());

/** Text from outside a form (an LMS claim): control characters removed rather than refused. */
export function withoutControls(value: string): string {
  return value.replace(new RegExp(CONTROL_OR_BREAK.source, 'g'), ' ').replace(/\s+/g, ' ').trim();
}

/** zod issues as field -> first message. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? 'form');
    out[key] ??= issue.message;
  }
  return out;
}

/**
 * Parses a command or throws a ValidationError whose `fields` name the first problem of each
 * field, so a form can show it next to the input.
 */
export function parseCommand<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const fields = fieldErrors(result.error);
  throw new ValidationError(Object.values(fields)[0] ?? 'Please check your input.', fields);
}
