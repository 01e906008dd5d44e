// Typed application errors. Services throw them; one Express handler renders them.

export interface ErrorPage {
  /** Short heading shown to the person. */
  title: string;
  /** What happened, in plain words. */
  message: string;
  /** What the person can do next. */
  next?: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly page: ErrorPage,
  ) {
    super(page.message);
    this.name = new.target.name;
  }
}

/**
 * A form's input refused: invalid fields (422) or a conflict with what is stored (409). The page
 * shows the form again with `fields` beside their inputs (src/lib/respond.ts, submitForm).
 */
export class FormRefusal extends AppError {
  constructor(
    status: 422 | 409,
    page: ErrorPage,
    readonly fields: Record<string, string> = {},
  ) {
    super(status, page);
  }
}

export class ValidationError extends FormRefusal {
  constructor(message: string, fields: Record<string, string> = {}) {
    super(422, { title: 'Please check your input', message }, fields);
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'We could not find that page.') {
    super(404, { title: 'Not found', message, next: 'Use the navigation above, or relaunch TutorKit from your course.' });
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Your role in this course does not give access to this page.') {
    super(403, { title: 'Not allowed', message, next: 'If you think you should have access, contact your instructor or your LMS administrator.' });
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super(409, { title: 'Conflict', message });
  }
}

/** The bearer token from the launch is missing, forged or expired. */
export class SessionExpiredError extends AppError {
  constructor() {
    super(401, {
      title: 'Your TutorKit session has ended',
      message: 'For your security, TutorKit sessions end after a period without activity, or when the page is opened outside your course.',
      next: 'Go back to your course in your LMS and open TutorKit again from there.',
    });
  }
}

/** The person's role in the course changed since their launch (made a tutor, or no longer one). */
export class RoleChangedError extends AppError {
  constructor() {
    super(401, {
      title: 'Your role in this course has changed',
      message: 'Since you opened TutorKit, your role in this course was changed (for example you were made a tutor, or are no longer one).',
      next: 'Go back to your course in your LMS and open TutorKit again: it opens as your new role.',
    });
  }
}

/** The largest form TutorKit reads: room for every invitee of a 10,000-person course by id. */
export const FORM_LIMITS = { bytes: 1_048_576, fields: 12_000 } as const;

/**
 * The errors Express's body parser raises (too large, too many fields, an unknown charset or
 * encoding, a damaged body), as pages that say what to do. Null for anything else.
 */
export function requestErrorOf(err: unknown): AppError | null {
  if (!err || typeof err !== 'object') return null;
  const { type, status } = err as { type?: unknown; status?: unknown };
  const notSaved = 'Nothing was saved.';
  switch (type) {
    case 'entity.too.large':
      return new AppError(413, {
        title: 'This form is too large',
        message: `TutorKit accepts forms of up to 1 MB. ${notSaved}`,
        next: 'Shorten the description or the resources, or invite fewer people in one save, and try again.',
      });
    case 'parameters.too.many':
      return new AppError(413, {
        title: 'This form has too many fields',
        message: `TutorKit accepts forms of up to ${FORM_LIMITS.fields.toLocaleString('en-US')} fields (for example 10,000 invitees). ${notSaved}`,
        next: 'Invite fewer people in one save, then add the others by editing the session.',
      });
    case 'charset.unsupported':
      return new AppError(415, { title: 'This form uses an unknown character set', message: `TutorKit reads forms sent in UTF-8. ${notSaved}`, next: 'Reload the page and send the form again from TutorKit.' });
    case 'encoding.unsupported':
      return new AppError(415, { title: 'This form is compressed in an unknown way', message: `TutorKit reads forms that are not compressed, or compressed with gzip, deflate or br. ${notSaved}`, next: 'Reload the page and send the form again from TutorKit.' });
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new AppError(400, { title: 'TutorKit could not read this form', message: `The form arrived damaged or incomplete. ${notSaved}`, next: 'Reload the page and send the form again.' });
  }
  return null;
}

/** A body that is not a web form (JSON, plain text, a file) sent to a TutorKit page. */
export class UnsupportedFormError extends AppError {
  constructor() {
    super(415, {
      title: 'TutorKit cannot read this kind of form',
      message: 'TutorKit pages accept web forms (application/x-www-form-urlencoded) only. Nothing was saved.',
      next: 'Use the form on the page, or reload the page and try again.',
    });
  }
}
